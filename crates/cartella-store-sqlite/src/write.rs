//! Write paths, run on the writer thread inside its transaction: resource batches, audit
//! appends (chained in place: the writer is the only one appending), and erasure.

use crate::writer::WriterState;
use cartella_store::audit::{GENESIS, chain_hash};
use cartella_store::{
    AuditDraft, ErasureReport, IndexRows, NewJob, StoreError, WriteBatch, WriteOp,
};
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;
use crate::map_err;

/// Runs again from the start should its group be rolled back: it reads everything it checks.
pub fn apply_batch(conn: &Connection, state: &mut WriterState, batch: &WriteBatch) -> Result<()> {
    // The single writer serialises every write: a condition checked here sees each create
    // committed or grouped before this one.
    for absent in &batch.absent {
        if crate::search::count(conn, &absent.plan)? > 0 {
            return Err(StoreError::ConditionMatched(absent.what.clone()));
        }
    }
    for key in &batch.new_keys {
        let existing: Option<String> = conn
            .prepare_cached("SELECT key_id FROM data_keys WHERE tenant_id = ?1 AND kind = 'patient' AND patient_id = ?2")
            .and_then(|mut s| s.query_row(params![key.tenant.as_str(), key.patient_id], |r| r.get(0)).optional())
            .map_err(map_err)?;
        if existing.is_some() {
            return Err(StoreError::KeyRace);
        }
        crate::keys::insert_key(conn, key)?;
    }
    for op in batch.ops.iter().filter(|o| o.bookings.is_some()) {
        crate::bookings::clear(conn, op.tenant.as_str(), &op.id)?;
    }
    let mut clashes = Vec::new();
    for op in &batch.ops {
        if let Some(rows) = &op.bookings {
            crate::bookings::insert(conn, op.tenant.as_str(), &op.id, rows, &mut clashes)?;
        }
        write_op(conn, op)?;
    }
    if !clashes.is_empty() {
        return Err(StoreError::BookingConflict(clashes));
    }
    insert_jobs(conn, &batch.jobs)?;
    append_audit(conn, state, &batch.audit)
}

fn write_op(conn: &Connection, op: &WriteOp) -> Result<()> {
    let tenant = op.tenant.as_str();
    let current: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT row_id, version FROM resources WHERE tenant_id = ?1 AND type = ?2 AND id = ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![tenant, op.rtype, op.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
        })
        .map_err(map_err)?;
    if current.map(|c| c.1) != op.prev_version {
        let show = |v: Option<i64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
        return Err(StoreError::VersionConflict {
            resource: format!("{}/{}", op.rtype, op.id),
            expected: show(op.prev_version),
            current: show(current.map(|c| c.1)),
        });
    }
    let row_id = match current {
        Some((row_id, _)) => {
            conn.prepare_cached(
                "UPDATE resources SET version = ?2, last_updated = ?3, deleted = ?4, key_id = ?5, patient_id = ?6, content = ?7 WHERE row_id = ?1",
            )
            .and_then(|mut s| s.execute(params![row_id, op.version, op.last_updated, op.deleted as i64, op.key_id, op.patient_id, op.content]))
            .map_err(map_err)?;
            delete_index(conn, row_id)?;
            row_id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO resources (tenant_id, type, id, version, last_updated, deleted, key_id, patient_id, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| s.execute(params![tenant, op.rtype, op.id, op.version, op.last_updated, op.deleted as i64, op.key_id, op.patient_id, op.content]))
            .map_err(map_err)?;
            conn.last_insert_rowid()
        }
    };
    conn.prepare_cached(
        "INSERT INTO resource_history (tenant_id, type, id, version, last_updated, deleted, key_id, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| s.execute(params![tenant, op.rtype, op.id, op.version, op.last_updated, op.deleted as i64, op.key_id, op.content]))
    .map_err(map_err)?;
    write_index(conn, row_id, op)
}

/// The index rows of `op` for resource row `row_id`, and its compartment link when no index row
/// makes one.
fn write_index(conn: &Connection, row_id: i64, op: &WriteOp) -> Result<()> {
    let tenant = op.tenant.as_str();
    insert_index(conn, row_id, tenant, &op.rtype, &op.index)?;
    if let Some(patient) = crate::compartment::unlinked_patient(op) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO idx_ref (res_row, tenant_id, type, param, target_type, target_id) VALUES (?1, ?2, ?3, ?4, 'Patient', ?5)",
        )
        .and_then(|mut s| s.execute(params![row_id, tenant, op.rtype, crate::compartment::FALLBACK, patient]))
        .map_err(map_err)?;
    }
    Ok(())
}

/// See [`cartella_store::Backend::reindex`].
pub fn reindex(conn: &Connection, rows: &[(i64, WriteOp)]) -> Result<u64> {
    let mut replaced = 0;
    for (row_id, op) in rows {
        let current: Option<i64> = conn
            .prepare_cached("SELECT version FROM resources WHERE row_id = ?1 AND deleted = 0")
            .and_then(|mut s| s.query_row([row_id], |r| r.get(0)).optional())
            .map_err(map_err)?;
        if current != Some(op.version) {
            continue;
        }
        delete_index(conn, *row_id)?;
        write_index(conn, *row_id, op)?;
        replaced += 1;
    }
    Ok(replaced)
}

const INDEX_TABLES: [&str; 6] = [
    "idx_token",
    "idx_string",
    "idx_blind",
    "idx_date",
    "idx_ref",
    "idx_quantity",
];

fn delete_index(conn: &Connection, row_id: i64) -> Result<u64> {
    let mut n = 0;
    for table in INDEX_TABLES {
        n += conn
            .prepare_cached(&format!("DELETE FROM {table} WHERE res_row = ?1"))
            .and_then(|mut s| s.execute([row_id]))
            .map_err(map_err)? as u64;
    }
    Ok(n)
}

fn insert_index(
    conn: &Connection,
    row: i64,
    tenant: &str,
    rtype: &str,
    ix: &IndexRows,
) -> Result<()> {
    let run =
        |sql: &str,
         f: &mut dyn FnMut(&mut rusqlite::CachedStatement<'_>) -> rusqlite::Result<()>| {
            conn.prepare_cached(sql)
                .and_then(|mut s| f(&mut s))
                .map_err(map_err)
        };
    if !ix.tokens.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_token (res_row, tenant_id, type, param, system, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &mut |s| {
                ix.tokens.iter().try_for_each(|t| {
                    s.execute(params![row, tenant, rtype, t.param, t.system, t.code])
                        .map(drop)
                })
            },
        )?;
    }
    if !ix.strings.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_string (res_row, tenant_id, type, param, value) VALUES (?1, ?2, ?3, ?4, ?5)",
            &mut |s| {
                ix.strings.iter().try_for_each(|t| {
                    s.execute(params![row, tenant, rtype, t.param, t.value])
                        .map(drop)
                })
            },
        )?;
    }
    if !ix.blinds.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_blind (res_row, tenant_id, type, param, token) VALUES (?1, ?2, ?3, ?4, ?5)",
            &mut |s| {
                ix.blinds.iter().try_for_each(|t| {
                    s.execute(params![row, tenant, rtype, t.param, &t.token[..]])
                        .map(drop)
                })
            },
        )?;
    }
    if !ix.dates.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_date (res_row, tenant_id, type, param, lo, hi) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &mut |s| {
                ix.dates.iter().try_for_each(|t| {
                    s.execute(params![row, tenant, rtype, t.param, t.lo, t.hi])
                        .map(drop)
                })
            },
        )?;
    }
    if !ix.refs.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_ref (res_row, tenant_id, type, param, target_type, target_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &mut |s| {
                ix.refs.iter().try_for_each(|t| {
                    s.execute(params![
                        row,
                        tenant,
                        rtype,
                        t.param,
                        t.target_type,
                        t.target_id
                    ])
                    .map(drop)
                })
            },
        )?;
    }
    if !ix.quantities.is_empty() {
        run(
            "INSERT OR IGNORE INTO idx_quantity (res_row, tenant_id, type, param, value, system, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &mut |s| {
                ix.quantities.iter().try_for_each(|t| {
                    s.execute(params![
                        row, tenant, rtype, t.param, t.value, t.system, t.code
                    ])
                    .map(drop)
                })
            },
        )?;
    }
    Ok(())
}

pub fn insert_jobs(conn: &Connection, jobs: &[NewJob]) -> Result<()> {
    let now = cartella_core::Timestamp::now().micros();
    for j in jobs {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO jobs (tenant_id, lane, kind, payload, max_attempts, run_at, dedupe_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .and_then(|mut s| {
            s.execute(params![j.tenant.as_ref().map(|t| t.as_str()), j.lane.as_str(), j.kind, j.payload, j.max_attempts, j.run_at, j.dedupe_key, now])
        })
        .map_err(map_err)?;
    }
    Ok(())
}

/// Append drafts to their tenants' chains. The writer thread is the only appender, so the head
/// kept in memory is always the last committed row (restored by the writer on rollback).
pub fn append_audit(
    conn: &Connection,
    state: &mut WriterState,
    drafts: &[AuditDraft],
) -> Result<()> {
    for draft in drafts {
        let tenant = draft.tenant.as_str().to_owned();
        let (prev_seq, prev_hash) = match state.heads.get(&tenant) {
            Some(h) => h.clone(),
            None => conn
                .prepare_cached("SELECT seq, hash FROM audit_events WHERE tenant_id = ?1 ORDER BY seq DESC LIMIT 1")
                .and_then(|mut s| s.query_row([&tenant], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(map_err)?
                .unwrap_or((0, GENESIS.to_vec())),
        };
        let mut row = draft.clone().into_row(prev_seq + 1);
        row.hash = chain_hash(&draft.mac_key, &prev_hash, &row).to_vec();
        conn.prepare_cached(
            "INSERT INTO audit_events (tenant_id, seq, at, actor, role, action, resource_type, resource_id, version, patient_id, purpose, outcome, client_ip, user_agent, details, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )
        .and_then(|mut s| {
            s.execute(params![
                tenant, row.seq, row.at, row.actor, row.role, row.action, row.resource_type, row.resource_id, row.version,
                row.patient_id, row.purpose, row.outcome, row.client_ip, row.user_agent, row.details, row.hash
            ])
        })
        .map_err(map_err)?;
        state.heads.insert(tenant, (row.seq, row.hash));
    }
    Ok(())
}

pub fn erase_patient(
    conn: &Connection,
    state: &mut WriterState,
    tenant: &str,
    patient_id: &str,
    at: i64,
    audit: AuditDraft,
) -> Result<ErasureReport> {
    let updated = conn
        .prepare_cached("UPDATE data_keys SET wrapped = NULL, destroyed_at = coalesce(destroyed_at, ?3) WHERE tenant_id = ?1 AND kind = 'patient' AND patient_id = ?2")
        .and_then(|mut s| s.execute(params![tenant, patient_id, at]))
        .map_err(map_err)?;
    if updated == 0 {
        conn.prepare_cached(
            "INSERT INTO data_keys (tenant_id, key_id, kind, patient_id, wrapped, wrapping_key_id, created_at, destroyed_at) VALUES (?1, ?2, 'patient', ?3, NULL, '', ?4, ?4)",
        )
        .and_then(|mut s| s.execute(params![tenant, format!("erased-{patient_id}"), patient_id, at]))
        .map_err(map_err)?;
    }
    let rows = crate::compartment::all_rows(conn, tenant, patient_id)?;
    let mut index_rows = 0u64;
    for &row in &rows {
        index_rows += delete_index(conn, row)?;
    }
    crate::bookings::erase_patient(conn, tenant, patient_id)?;
    append_audit(conn, state, std::slice::from_ref(&audit))?;
    Ok(ErasureReport {
        resources: rows.len() as u64,
        index_rows,
    })
}
