//! Identity row conversions.

use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::identity::*;
use rusqlite::Row;

pub const USER_COLUMNS: &str = "id, email, display_name, password_hash, language, totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, disabled_at, sessions_valid_after, created_at, updated_at";

pub fn user(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        email: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        language: r.get(4)?,
        totp_secret: r.get(5)?,
        totp_enabled: r.get::<_, i64>(6)? != 0,
        totp_last_step: r.get(7)?,
        failed_logins: r.get(8)?,
        locked_until: r.get(9)?,
        disabled_at: r.get(10)?,
        sessions_valid_after: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

pub fn tenant(r: &Row<'_>, col: usize) -> rusqlite::Result<TenantId> {
    let raw: String = r.get(col)?;
    TenantId::parse(&raw).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub const MEMBERSHIP_COLUMNS: &str =
    "user_id, tenant_id, roles, patient_id, expires_at, created_at";

pub fn membership(r: &Row<'_>, offset: usize) -> rusqlite::Result<MembershipRecord> {
    Ok(MembershipRecord {
        user_id: r.get(offset)?,
        tenant: tenant(r, offset + 1)?,
        roles: r.get(offset + 2)?,
        patient_id: r.get(offset + 3)?,
        expires_at: r.get(offset + 4)?,
        created_at: r.get(offset + 5)?,
    })
}

pub const SESSION_COLUMNS: &str = "id_hash, user_id, tenant_id, csrf, mfa_done, created_at, last_seen, expires_at, client_ip, user_agent, revoked_at";

pub fn session(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id_hash: r.get(0)?,
        user_id: r.get(1)?,
        tenant: tenant(r, 2)?,
        csrf: r.get(3)?,
        mfa_done: r.get::<_, i64>(4)? != 0,
        created_at: r.get(5)?,
        last_seen: r.get(6)?,
        expires_at: r.get(7)?,
        client_ip: r.get(8)?,
        user_agent: r.get(9)?,
        revoked_at: r.get(10)?,
    })
}

pub const TOKEN_COLUMNS: &str =
    "token_hash, purpose, user_id, tenant_id, data, expires_at, used_at";

pub fn token(r: &Row<'_>) -> rusqlite::Result<OneTimeToken> {
    let tenant: Option<String> = r.get(3)?;
    Ok(OneTimeToken {
        token_hash: r.get(0)?,
        purpose: r.get(1)?,
        user_id: r.get(2)?,
        tenant: tenant
            .map(|t| TenantId::parse(&t))
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        data: r.get(4)?,
        expires_at: r.get(5)?,
        used_at: r.get(6)?,
    })
}

pub const CLIENT_COLUMNS: &str =
    "id, tenant_id, name, secret_hash, scopes, redirect_uris, rate_limit, created_at, disabled_at";

pub fn client(r: &Row<'_>) -> rusqlite::Result<ApiClientRecord> {
    Ok(ApiClientRecord {
        id: r.get(0)?,
        tenant: tenant(r, 1)?,
        name: r.get(2)?,
        secret_hash: r.get(3)?,
        scopes: r.get(4)?,
        redirect_uris: r.get(5)?,
        rate_limit: r.get(6)?,
        created_at: r.get(7)?,
        disabled_at: r.get(8)?,
    })
}

pub const REFRESH_COLUMNS: &str = "token_hash, family, client_id, user_id, tenant_id, scopes, patient_id, expires_at, used_at, revoked_at, created_at";

pub fn refresh(r: &Row<'_>) -> rusqlite::Result<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: r.get(0)?,
        family: r.get(1)?,
        client_id: r.get(2)?,
        user_id: r.get(3)?,
        tenant: tenant(r, 4)?,
        scopes: r.get(5)?,
        patient_id: r.get(6)?,
        expires_at: r.get(7)?,
        used_at: r.get(8)?,
        revoked_at: r.get(9)?,
        created_at: r.get(10)?,
    })
}

pub fn conflict_or(e: rusqlite::Error, msg: impl FnOnce() -> String) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(msg()),
        _ => crate::map_err(e),
    }
}
