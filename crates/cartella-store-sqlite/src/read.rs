//! Point reads and history listings on a reader connection.

use crate::map_err;
use crate::rows::{AUDIT_COLUMNS, HISTORY_COLUMNS, RESOURCE_COLUMNS, audit, resource};
use cartella_core::TenantId;
use cartella_store::{AuditFilter, AuditRow, HistoryQuery, RawResource, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

type Result<T> = std::result::Result<T, StoreError>;

pub fn current(
    conn: &Connection,
    tenant: &str,
    rtype: &str,
    id: &str,
) -> Result<Option<RawResource>> {
    conn.prepare_cached(&format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE tenant_id = ?1 AND type = ?2 AND id = ?3"
    ))
    .and_then(|mut s| s.query_row(params![tenant, rtype, id], resource).optional())
    .map_err(map_err)
}

pub fn current_version(
    conn: &Connection,
    tenant: &str,
    rtype: &str,
    id: &str,
) -> Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT version FROM resources WHERE tenant_id = ?1 AND type = ?2 AND id = ?3",
    )
    .and_then(|mut s| {
        s.query_row(params![tenant, rtype, id], |r| r.get(0))
            .optional()
    })
    .map_err(map_err)
}

pub fn version(
    conn: &Connection,
    tenant: &str,
    rtype: &str,
    id: &str,
    version: i64,
) -> Result<Option<RawResource>> {
    conn.prepare_cached(&format!(
        "SELECT {HISTORY_COLUMNS} FROM resource_history WHERE tenant_id = ?1 AND type = ?2 AND id = ?3 AND version = ?4"
    ))
    .and_then(|mut s| s.query_row(params![tenant, rtype, id, version], resource).optional())
    .map_err(map_err)
}

pub fn history(conn: &Connection, q: &HistoryQuery) -> Result<Vec<RawResource>> {
    let mut sql = format!("SELECT {HISTORY_COLUMNS} FROM resource_history WHERE tenant_id = ?");
    let mut args: Vec<Value> = vec![Value::Text(q.tenant.as_str().to_owned())];
    if let Some(t) = &q.rtype {
        sql.push_str(" AND type = ?");
        args.push(Value::Text(t.clone()));
    }
    if let Some(i) = &q.id {
        sql.push_str(" AND id = ?");
        args.push(Value::Text(i.clone()));
    }
    if let Some(s) = q.since {
        sql.push_str(" AND last_updated >= ?");
        args.push(Value::Integer(s));
    }
    if let Some(b) = q.before_row {
        sql.push_str(" AND hist_id < ?");
        args.push(Value::Integer(b));
    }
    // One resource's versions: order by version (the same order as hist_id) so the planner walks
    // the (tenant, type, id, version) unique index instead of every version of the type.
    if q.id.is_some() && q.rtype.is_some() {
        sql.push_str(" ORDER BY version DESC LIMIT ?");
    } else {
        sql.push_str(" ORDER BY hist_id DESC LIMIT ?");
    }
    args.push(Value::Integer(q.limit as i64));
    let mut stmt = conn.prepare_cached(&sql).map_err(map_err)?;
    let rows = stmt
        .query_map(params_from_iter(args), resource)
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn audit_rows(
    conn: &Connection,
    tenant: &str,
    after: i64,
    limit: usize,
) -> Result<Vec<AuditRow>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"))
        .map_err(map_err)?;
    let rows = stmt
        .query_map(params![tenant, after, limit as i64], audit)
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

/// The audit view's query: bound parameters, a NULL parameter matches every row.
pub fn audit_search(
    conn: &Connection,
    tenant: &str,
    f: &AuditFilter,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditRow>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = ?1 AND seq < ?2 \
             AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4) \
             AND (?5 IS NULL OR resource_type = ?5) AND (?6 IS NULL OR patient_id = ?6) \
             AND (?7 IS NULL OR outcome = ?7) AND (?8 IS NULL OR at >= ?8) AND (?9 IS NULL OR at < ?9) \
             ORDER BY seq DESC LIMIT ?10"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map(
            params![
                tenant,
                before.unwrap_or(i64::MAX),
                f.actor,
                f.action,
                f.resource_type,
                f.patient_id,
                f.outcome,
                f.from_at,
                f.to_at,
                limit as i64
            ],
            audit,
        )
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn audit_tenants(conn: &Connection) -> Result<Vec<TenantId>> {
    let mut stmt = conn
        .prepare_cached("SELECT DISTINCT tenant_id FROM audit_events ORDER BY tenant_id")
        .map_err(map_err)?;
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(map_err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(map_err)?;
    ids.iter()
        .map(|i| TenantId::parse(i).map_err(StoreError::from))
        .collect()
}
