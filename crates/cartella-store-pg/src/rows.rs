//! Conversions from PostgreSQL rows to the model types. Every column is read with `try_get`, so
//! a schema mismatch or an unexpected value becomes an error instead of a panic.

use cartella_core::TenantId;
use cartella_store::{
    AuditRow, DataKeyRecord, JobRecord, JobState, KeyKind, Lane, RawResource, StoreError,
    TenantRecord,
};
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

type Result<T> = std::result::Result<T, StoreError>;

/// One column, by position.
pub(crate) fn col<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> Result<T> {
    row.try_get(idx).map_err(crate::db)
}

pub(crate) fn tenant_id(raw: &str) -> Result<TenantId> {
    TenantId::parse(raw)
        .map_err(|_| StoreError::Internal(format!("invalid tenant id {raw:?} in the database")))
}

/// The columns [`raw_resource`] reads, in `resources`.
pub(crate) const RESOURCE_COLUMNS: &str =
    "row_id, type, id, version, last_updated, deleted, key_id, content, patient_id";
/// The same for `resource_history`, where the paging key is `hist_id` and the compartment is
/// not recorded.
pub(crate) const HISTORY_COLUMNS: &str =
    "hist_id, type, id, version, last_updated, deleted, key_id, content, NULL::text";

pub(crate) fn raw_resource(row: &Row) -> Result<RawResource> {
    Ok(RawResource {
        row_id: col(row, 0)?,
        rtype: col(row, 1)?,
        id: col(row, 2)?,
        version: col(row, 3)?,
        last_updated: col(row, 4)?,
        deleted: col(row, 5)?,
        key_id: col(row, 6)?,
        content: col(row, 7)?,
        patient: col(row, 8)?,
    })
}

pub(crate) const TENANT_COLUMNS: &str = "id, slug, name, created_at";

pub(crate) fn tenant(row: &Row) -> Result<TenantRecord> {
    Ok(TenantRecord {
        id: tenant_id(col(row, 0)?)?,
        slug: col(row, 1)?,
        name: col(row, 2)?,
        created_at: col(row, 3)?,
    })
}

pub(crate) const KEY_COLUMNS: &str =
    "tenant_id, key_id, kind, patient_id, wrapped, wrapping_key_id, created_at, destroyed_at";

pub(crate) fn data_key(row: &Row) -> Result<DataKeyRecord> {
    let kind: &str = col(row, 2)?;
    Ok(DataKeyRecord {
        tenant: tenant_id(col(row, 0)?)?,
        key_id: col(row, 1)?,
        kind: KeyKind::parse(kind)
            .ok_or_else(|| StoreError::Internal(format!("unknown key kind {kind:?}")))?,
        patient_id: col(row, 3)?,
        wrapped: col(row, 4)?,
        wrapping_key_id: col(row, 5)?,
        created_at: col(row, 6)?,
        destroyed_at: col(row, 7)?,
    })
}

pub(crate) const AUDIT_COLUMNS: &str = "tenant_id, seq, at, actor, role, action, resource_type, \
     resource_id, version, patient_id, purpose, outcome, client_ip, user_agent, details, hash";

pub(crate) fn audit_row(row: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        tenant: tenant_id(col(row, 0)?)?,
        seq: col(row, 1)?,
        at: col(row, 2)?,
        actor: col(row, 3)?,
        role: col(row, 4)?,
        action: col(row, 5)?,
        resource_type: col(row, 6)?,
        resource_id: col(row, 7)?,
        version: col(row, 8)?,
        patient_id: col(row, 9)?,
        purpose: col(row, 10)?,
        outcome: col(row, 11)?,
        client_ip: col(row, 12)?,
        user_agent: col(row, 13)?,
        details: col(row, 14)?,
        hash: col(row, 15)?,
    })
}

pub(crate) const JOB_COLUMNS: &str =
    "id, tenant_id, lane, kind, payload, state, attempts, max_attempts, run_at, last_error";

pub(crate) fn job(row: &Row) -> Result<JobRecord> {
    let tenant: Option<&str> = col(row, 1)?;
    let lane: &str = col(row, 2)?;
    let state: &str = col(row, 5)?;
    Ok(JobRecord {
        id: col(row, 0)?,
        tenant: tenant.map(tenant_id).transpose()?,
        lane: Lane::parse(lane)
            .ok_or_else(|| StoreError::Internal(format!("unknown job lane {lane:?}")))?,
        kind: col(row, 3)?,
        payload: col(row, 4)?,
        state: JobState::parse(state)
            .ok_or_else(|| StoreError::Internal(format!("unknown job state {state:?}")))?,
        attempts: col(row, 6)?,
        max_attempts: col(row, 7)?,
        run_at: col(row, 8)?,
        last_error: col(row, 9)?,
    })
}

/// A `usize` limit as the `BIGINT` PostgreSQL's `LIMIT` takes (saturating; no limit is that big).
pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
