//! API clients, refresh tokens, shares and practice settings.

use super::rows::*;
use crate::map_err;
use cartella_store::StoreError;
use cartella_store::identity::*;
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

pub fn insert_client(c: &Connection, k: &ApiClientRecord) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO api_clients ({CLIENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ),
        params![
            k.id,
            k.tenant.as_str(),
            k.name,
            k.secret_hash,
            k.scopes,
            k.redirect_uris,
            k.rate_limit,
            k.created_at,
            k.disabled_at
        ],
    )
    .map_err(|e| conflict_or(e, || format!("client {} already exists", k.id)))
    .map(drop)
}

pub fn client(c: &Connection, id: &str) -> Result<Option<ApiClientRecord>> {
    c.prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE id = ?1"
    ))
    .and_then(|mut s| s.query_row([id], client_row).optional())
    .map_err(map_err)
}

fn client_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiClientRecord> {
    super::rows::client(r)
}

pub fn clients(c: &Connection, tenant: &str) -> Result<Vec<ApiClientRecord>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE tenant_id = ?1 ORDER BY name"
        ))
        .map_err(map_err)?;
    let rows = stmt.query_map([tenant], client_row).map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn update_client(c: &Connection, k: &ApiClientRecord) -> Result<()> {
    let n = c
        .execute(
            "UPDATE api_clients SET name = ?2, secret_hash = ?3, scopes = ?4, redirect_uris = ?5, rate_limit = ?6, disabled_at = ?7 WHERE id = ?1",
            params![k.id, k.name, k.secret_hash, k.scopes, k.redirect_uris, k.rate_limit, k.disabled_at],
        )
        .map_err(map_err)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("client {}", k.id)));
    }
    Ok(())
}

pub fn insert_refresh(c: &Connection, t: &RefreshTokenRecord) -> Result<()> {
    c.execute(
        &format!("INSERT INTO refresh_tokens ({REFRESH_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            t.token_hash, t.family, t.client_id, t.user_id, t.tenant.as_str(), t.scopes, t.patient_id, t.expires_at, t.used_at,
            t.revoked_at, t.created_at
        ],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn use_refresh(c: &Connection, hash: &[u8], now: i64) -> Result<RefreshUse> {
    let fresh = c
        .prepare_cached(&format!(
            "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2 RETURNING {REFRESH_COLUMNS}"
        ))
        .and_then(|mut s| s.query_row(params![hash, now], refresh).optional())
        .map_err(map_err)?;
    if let Some(t) = fresh {
        return Ok(RefreshUse::Fresh(t));
    }
    let existing = c
        .prepare_cached(&format!(
            "SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = ?1"
        ))
        .and_then(|mut s| s.query_row([hash], refresh).optional())
        .map_err(map_err)?;
    Ok(match existing {
        Some(t) if t.used_at.is_some() || t.revoked_at.is_some() => RefreshUse::Replayed(t),
        _ => RefreshUse::Invalid,
    })
}

pub fn revoke_family(c: &Connection, family: &str, at: i64) -> Result<u64> {
    c.execute(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family = ?1 AND revoked_at IS NULL",
        params![family, at],
    )
    .map(|n| n as u64)
    .map_err(map_err)
}

pub fn revoke_refresh(c: &Connection, hash: &[u8], at: i64) -> Result<Option<RefreshTokenRecord>> {
    c.execute(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
        params![hash, at],
    )
    .map_err(map_err)?;
    c.query_row(
        &format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = ?1"),
        [hash],
        refresh,
    )
    .optional()
    .map_err(map_err)
}

pub fn insert_share(c: &Connection, s: &ShareRecord) -> Result<()> {
    c.execute(
        "INSERT INTO shares (id, tenant_id, user_id, patient_id, expires_at, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![s.id, s.tenant.as_str(), s.user_id, s.patient_id, s.expires_at, s.created_at, s.revoked_at],
    )
    .map_err(|e| conflict_or(e, || "unknown user or practice".into()))
    .map(drop)
}

pub fn shared_patients(
    c: &Connection,
    tenant: &str,
    user_id: &str,
    now: i64,
) -> Result<Vec<String>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT DISTINCT patient_id FROM shares WHERE tenant_id = ?1 AND user_id = ?2 AND revoked_at IS NULL AND expires_at > ?3 ORDER BY patient_id",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map(params![tenant, user_id, now], |r| r.get(0))
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn tenant_settings(c: &Connection, tenant: &str) -> Result<String> {
    c.query_row(
        "SELECT settings FROM tenants WHERE id = ?1",
        [tenant],
        |r| r.get(0),
    )
    .optional()
    .map_err(map_err)?
    .ok_or_else(|| StoreError::NotFound(format!("practice {tenant}")))
}

pub fn put_tenant_settings(c: &Connection, tenant: &str, json: &str) -> Result<()> {
    let n = c
        .execute(
            "UPDATE tenants SET settings = ?2 WHERE id = ?1",
            params![tenant, json],
        )
        .map_err(map_err)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("practice {tenant}")));
    }
    Ok(())
}
