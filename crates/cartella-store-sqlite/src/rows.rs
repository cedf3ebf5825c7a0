//! Row → model conversions shared by the read paths.

use cartella_core::TenantId;
use cartella_store::{
    AuditRow, DataKeyRecord, JobRecord, JobState, KeyKind, Lane, RawResource, StoreError,
};
use rusqlite::Row;

pub const RESOURCE_COLUMNS: &str =
    "row_id, type, id, version, last_updated, deleted, key_id, content, patient_id";
/// History rows do not record the compartment: `patient` is NULL.
pub const HISTORY_COLUMNS: &str =
    "hist_id, type, id, version, last_updated, deleted, key_id, content, NULL";

pub fn resource(r: &Row<'_>) -> rusqlite::Result<RawResource> {
    Ok(RawResource {
        row_id: r.get(0)?,
        rtype: r.get(1)?,
        id: r.get(2)?,
        version: r.get(3)?,
        last_updated: r.get(4)?,
        deleted: r.get::<_, i64>(5)? != 0,
        key_id: r.get(6)?,
        content: r.get(7)?,
        patient: r.get(8)?,
    })
}

pub const KEY_COLUMNS: &str =
    "tenant_id, key_id, kind, patient_id, wrapped, wrapping_key_id, created_at, destroyed_at";

pub fn data_key(r: &Row<'_>) -> rusqlite::Result<DataKeyRecord> {
    let tenant: String = r.get(0)?;
    let kind: String = r.get(2)?;
    Ok(DataKeyRecord {
        tenant: TenantId::parse(&tenant).map_err(|e| conversion(2, e))?,
        key_id: r.get(1)?,
        kind: KeyKind::parse(&kind)
            .ok_or_else(|| conversion(2, StoreError::Internal(kind.clone())))?,
        patient_id: r.get(3)?,
        wrapped: r.get(4)?,
        wrapping_key_id: r.get(5)?,
        created_at: r.get(6)?,
        destroyed_at: r.get(7)?,
    })
}

pub const AUDIT_COLUMNS: &str = "tenant_id, seq, at, actor, role, action, resource_type, resource_id, version, patient_id, purpose, outcome, client_ip, user_agent, details, hash";

pub fn audit(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    let tenant: String = r.get(0)?;
    Ok(AuditRow {
        tenant: TenantId::parse(&tenant).map_err(|e| conversion(0, e))?,
        seq: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        role: r.get(4)?,
        action: r.get(5)?,
        resource_type: r.get(6)?,
        resource_id: r.get(7)?,
        version: r.get(8)?,
        patient_id: r.get(9)?,
        purpose: r.get(10)?,
        outcome: r.get(11)?,
        client_ip: r.get(12)?,
        user_agent: r.get(13)?,
        details: r.get(14)?,
        hash: r.get(15)?,
    })
}

pub const JOB_COLUMNS: &str =
    "id, tenant_id, lane, kind, payload, state, attempts, max_attempts, run_at, last_error";

pub fn job(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let tenant: Option<String> = r.get(1)?;
    let lane: String = r.get(2)?;
    let state: String = r.get(5)?;
    Ok(JobRecord {
        id: r.get(0)?,
        tenant: tenant
            .map(|t| TenantId::parse(&t))
            .transpose()
            .map_err(|e| conversion(1, e))?,
        lane: Lane::parse(&lane)
            .ok_or_else(|| conversion(2, StoreError::Internal(lane.clone())))?,
        kind: r.get(3)?,
        payload: r.get(4)?,
        state: JobState::parse(&state)
            .ok_or_else(|| conversion(5, StoreError::Internal(state.clone())))?,
        attempts: r.get(6)?,
        max_attempts: r.get(7)?,
        run_at: r.get(8)?,
        last_error: r.get(9)?,
    })
}

fn conversion(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}
