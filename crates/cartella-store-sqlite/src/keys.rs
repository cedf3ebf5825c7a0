//! Meta entries, tenants and data keys.

use crate::map_err;
use crate::rows::{KEY_COLUMNS, data_key};
use cartella_core::TenantId;
use cartella_store::{DataKeyRecord, StoreError, TenantRecord};
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT value FROM cartella_meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()
    .map_err(map_err)
}

pub fn put_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO cartella_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn insert_tenant(conn: &Connection, t: &TenantRecord) -> Result<()> {
    conn.execute(
        "INSERT INTO tenants (id, slug, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![t.id.as_str(), t.slug, t.name, t.created_at],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            StoreError::Conflict(format!("practice slug '{}' is taken", t.slug))
        }
        _ => map_err(e),
    })
    .map(drop)
}

pub fn list_tenants(conn: &Connection) -> Result<Vec<TenantRecord>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, slug, name, created_at FROM tenants ORDER BY slug")
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(map_err)?;
    rows.map(|row| {
        let (id, slug, name, created_at) = row.map_err(map_err)?;
        Ok(TenantRecord {
            id: TenantId::parse(&id)?,
            slug,
            name,
            created_at,
        })
    })
    .collect()
}

pub fn insert_key(conn: &Connection, k: &DataKeyRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO data_keys (tenant_id, key_id, kind, patient_id, wrapped, wrapping_key_id, created_at, destroyed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![k.tenant.as_str(), k.key_id, k.kind.as_str(), k.patient_id, k.wrapped, k.wrapping_key_id, k.created_at, k.destroyed_at])
    })
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::KeyRace,
        _ => map_err(e),
    })
    .map(drop)
}

pub fn data_key_by_id(
    conn: &Connection,
    tenant: &str,
    key_id: &str,
) -> Result<Option<DataKeyRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {KEY_COLUMNS} FROM data_keys WHERE tenant_id = ?1 AND key_id = ?2"
    ))
    .and_then(|mut s| s.query_row(params![tenant, key_id], data_key).optional())
    .map_err(map_err)
}

pub fn patient_key(
    conn: &Connection,
    tenant: &str,
    patient_id: &str,
) -> Result<Option<DataKeyRecord>> {
    conn.prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM data_keys WHERE tenant_id = ?1 AND kind = 'patient' AND patient_id = ?2"))
        .and_then(|mut s| s.query_row(params![tenant, patient_id], data_key).optional())
        .map_err(map_err)
}

pub fn tenant_keys(conn: &Connection) -> Result<Vec<DataKeyRecord>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM data_keys WHERE kind = 'tenant' AND wrapped IS NOT NULL ORDER BY tenant_id, created_at DESC"
        ))
        .map_err(map_err)?;
    let all: Vec<DataKeyRecord> = stmt
        .query_map([], data_key)
        .map_err(map_err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(map_err)?;
    let mut newest: Vec<DataKeyRecord> = Vec::new();
    for k in all {
        if newest.last().is_none_or(|n| n.tenant != k.tenant) {
            newest.push(k);
        }
    }
    Ok(newest)
}

pub fn rewrap(conn: &Connection, keys: &[DataKeyRecord], meta: &[(String, Vec<u8>)]) -> Result<()> {
    for k in keys {
        conn.execute(
            "UPDATE data_keys SET wrapped = ?3, wrapping_key_id = ?4 WHERE tenant_id = ?1 AND key_id = ?2",
            params![k.tenant.as_str(), k.key_id, k.wrapped, k.wrapping_key_id],
        )
        .map_err(map_err)?;
    }
    for (key, value) in meta {
        put_meta(conn, key, value)?;
    }
    Ok(())
}
