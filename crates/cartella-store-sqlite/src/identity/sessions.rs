//! Sessions and one-time tokens.

use super::rows::*;
use crate::map_err;
use cartella_store::StoreError;
use cartella_store::identity::*;
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

pub fn insert_session(c: &Connection, s: &SessionRecord) -> Result<()> {
    c.execute(
        &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            s.id_hash, s.user_id, s.tenant.as_str(), s.csrf, s.mfa_done as i64, s.created_at, s.last_seen, s.expires_at,
            s.client_ip, s.user_agent, s.revoked_at
        ],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn session(c: &Connection, id_hash: &[u8]) -> Result<Option<SessionRecord>> {
    c.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = ?1"
    ))
    .and_then(|mut s| s.query_row([id_hash], super::rows::session).optional())
    .map_err(map_err)
}

pub fn update_session(c: &Connection, s: &SessionRecord) -> Result<()> {
    c.prepare_cached("UPDATE sessions SET last_seen = ?2, mfa_done = ?3, tenant_id = ?4, csrf = ?5, expires_at = ?6 WHERE id_hash = ?1")
        .and_then(|mut st| st.execute(params![s.id_hash, s.last_seen, s.mfa_done as i64, s.tenant.as_str(), s.csrf, s.expires_at]))
        .map_err(map_err)
        .map(drop)
}

pub fn revoke_session(c: &Connection, id_hash: &[u8], at: i64) -> Result<()> {
    c.execute(
        "UPDATE sessions SET revoked_at = ?2 WHERE id_hash = ?1 AND revoked_at IS NULL",
        params![id_hash, at],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn insert_token(c: &Connection, t: &OneTimeToken) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO one_time_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ),
        params![
            t.token_hash,
            t.purpose,
            t.user_id,
            t.tenant.as_ref().map(|t| t.as_str()),
            t.data,
            t.expires_at,
            t.used_at
        ],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn consume_token(
    c: &Connection,
    hash: &[u8],
    purpose: &str,
    now: i64,
) -> Result<Option<OneTimeToken>> {
    c.prepare_cached(&format!(
        "UPDATE one_time_tokens SET used_at = ?3 WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3 RETURNING {TOKEN_COLUMNS}"
    ))
    .and_then(|mut s| s.query_row(params![hash, purpose, now], token).optional())
    .map_err(map_err)
}
