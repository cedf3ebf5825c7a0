//! Column lists and row conversions for the identity tables, plus the mapping of constraint
//! violations to [`StoreError`]s. As in `crate::rows`, every column is read with `try_get`, so a
//! schema mismatch is an error rather than a panic.

use crate::rows::{col, tenant_id};
use cartella_store::StoreError;
use cartella_store::identity::*;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

type Result<T> = std::result::Result<T, StoreError>;

/// `columns` with each name qualified by `alias` (for joins, where names would be ambiguous).
pub(crate) fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) const USER_COLUMNS: &str = "id, email, display_name, password_hash, language, \
     totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, disabled_at, \
     sessions_valid_after, created_at, updated_at";

/// A user from [`USER_COLUMNS`] starting at column `at` (non-zero after a join).
pub(crate) fn user(row: &Row, at: usize) -> Result<UserRecord> {
    Ok(UserRecord {
        id: col(row, at)?,
        email: col(row, at + 1)?,
        display_name: col(row, at + 2)?,
        password_hash: col(row, at + 3)?,
        language: col(row, at + 4)?,
        totp_secret: col(row, at + 5)?,
        totp_enabled: col(row, at + 6)?,
        totp_last_step: col(row, at + 7)?,
        failed_logins: col(row, at + 8)?,
        locked_until: col(row, at + 9)?,
        disabled_at: col(row, at + 10)?,
        sessions_valid_after: col(row, at + 11)?,
        created_at: col(row, at + 12)?,
        updated_at: col(row, at + 13)?,
    })
}

/// How many columns [`USER_COLUMNS`] has, for reading what follows it in a join.
pub(crate) const USER_COLUMN_COUNT: usize = 14;

pub(crate) const MEMBERSHIP_COLUMNS: &str =
    "user_id, tenant_id, roles, patient_id, expires_at, created_at";

/// A membership from [`MEMBERSHIP_COLUMNS`] starting at column `at`.
pub(crate) fn membership(row: &Row, at: usize) -> Result<MembershipRecord> {
    Ok(MembershipRecord {
        user_id: col(row, at)?,
        tenant: tenant_id(col(row, at + 1)?)?,
        roles: col(row, at + 2)?,
        patient_id: col(row, at + 3)?,
        expires_at: col(row, at + 4)?,
        created_at: col(row, at + 5)?,
    })
}

pub(crate) const SESSION_COLUMNS: &str = "id_hash, user_id, tenant_id, csrf, mfa_done, \
     created_at, last_seen, expires_at, client_ip, user_agent, revoked_at";

pub(crate) fn session(row: &Row) -> Result<SessionRecord> {
    Ok(SessionRecord {
        id_hash: col(row, 0)?,
        user_id: col(row, 1)?,
        tenant: tenant_id(col(row, 2)?)?,
        csrf: col(row, 3)?,
        mfa_done: col(row, 4)?,
        created_at: col(row, 5)?,
        last_seen: col(row, 6)?,
        expires_at: col(row, 7)?,
        client_ip: col(row, 8)?,
        user_agent: col(row, 9)?,
        revoked_at: col(row, 10)?,
    })
}

pub(crate) const TOKEN_COLUMNS: &str =
    "token_hash, purpose, user_id, tenant_id, data, expires_at, used_at";

pub(crate) fn token(row: &Row) -> Result<OneTimeToken> {
    let tenant: Option<&str> = col(row, 3)?;
    Ok(OneTimeToken {
        token_hash: col(row, 0)?,
        purpose: col(row, 1)?,
        user_id: col(row, 2)?,
        tenant: tenant.map(tenant_id).transpose()?,
        data: col(row, 4)?,
        expires_at: col(row, 5)?,
        used_at: col(row, 6)?,
    })
}

pub(crate) const CLIENT_COLUMNS: &str = "id, tenant_id, name, secret_hash, scopes, \
     redirect_uris, rate_limit, created_at, disabled_at";

pub(crate) fn client(row: &Row) -> Result<ApiClientRecord> {
    Ok(ApiClientRecord {
        id: col(row, 0)?,
        tenant: tenant_id(col(row, 1)?)?,
        name: col(row, 2)?,
        secret_hash: col(row, 3)?,
        scopes: col(row, 4)?,
        redirect_uris: col(row, 5)?,
        rate_limit: col(row, 6)?,
        created_at: col(row, 7)?,
        disabled_at: col(row, 8)?,
    })
}

pub(crate) const REFRESH_COLUMNS: &str = "token_hash, family, client_id, user_id, tenant_id, \
     scopes, patient_id, expires_at, used_at, revoked_at, created_at";

pub(crate) fn refresh(row: &Row) -> Result<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: col(row, 0)?,
        family: col(row, 1)?,
        client_id: col(row, 2)?,
        user_id: col(row, 3)?,
        tenant: tenant_id(col(row, 4)?)?,
        scopes: col(row, 5)?,
        patient_id: col(row, 6)?,
        expires_at: col(row, 7)?,
        used_at: col(row, 8)?,
        revoked_at: col(row, 9)?,
        created_at: col(row, 10)?,
    })
}

/// A constraint a statement ran into, by the constraint's name (PostgreSQL's default names:
/// `<table>_pkey`, `<table>_<column>_key`, `<table>_<column>_fkey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Violation<'a> {
    Unique(&'a str),
    ForeignKey(&'a str),
}

/// Maps a constraint violation with `map`; anything `map` declines (returns `None` for), and
/// every other error, goes through [`crate::db`] as usual (contention stays retryable).
pub(crate) fn violation(
    e: tokio_postgres::Error,
    map: impl FnOnce(Violation<'_>) -> Option<StoreError>,
) -> StoreError {
    let mapped = e.as_db_error().and_then(|db| {
        let name = db.constraint().unwrap_or("");
        let found = if db.code() == &SqlState::UNIQUE_VIOLATION {
            Violation::Unique(name)
        } else if db.code() == &SqlState::FOREIGN_KEY_VIOLATION {
            Violation::ForeignKey(name)
        } else {
            return None;
        };
        map(found)
    });
    mapped.unwrap_or_else(|| crate::db(e))
}

/// The usual reading of a violation on an insert into an identity table: a taken key is a
/// [`StoreError::Conflict`] about `what`; a missing user or tenant is [`StoreError::NotFound`]
/// (a 404 names the actual problem, where a database error would be a misleading 503).
pub(crate) fn insert_violation(
    e: tokio_postgres::Error,
    what: &str,
    user_id: Option<&str>,
    tenant: Option<&str>,
) -> StoreError {
    violation(e, |v| match v {
        Violation::Unique(_) => Some(StoreError::Conflict(format!("{what} already exists"))),
        Violation::ForeignKey(name) => missing_parent(name, user_id, tenant),
    })
}

/// `NotFound` for the user or tenant a foreign key `name` points at, when its id is known.
pub(crate) fn missing_parent(
    name: &str,
    user_id: Option<&str>,
    tenant: Option<&str>,
) -> Option<StoreError> {
    if name.ends_with("_user_id_fkey") {
        user_id.map(|id| StoreError::NotFound(format!("user {id}")))
    } else if name.ends_with("_tenant_id_fkey") {
        tenant.map(|id| StoreError::NotFound(format!("tenant {id}")))
    } else {
        None
    }
}
