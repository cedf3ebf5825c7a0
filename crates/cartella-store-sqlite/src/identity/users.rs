//! Users, memberships and recovery codes.

use super::rows::*;
use crate::map_err;
use cartella_store::StoreError;
use cartella_store::identity::*;
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

pub fn insert_user(c: &Connection, u: &UserRecord, memberships: &[MembershipRecord]) -> Result<()> {
    c.execute(
        &format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        params![
            u.id, u.email, u.display_name, u.password_hash, u.language, u.totp_secret, u.totp_enabled as i64, u.totp_last_step,
            u.failed_logins, u.locked_until, u.disabled_at, u.sessions_valid_after, u.created_at, u.updated_at
        ],
    )
    .map_err(|e| conflict_or(e, || format!("a user with e-mail '{}' already exists", u.email)))?;
    for m in memberships {
        upsert_membership(c, m)?;
    }
    Ok(())
}

pub fn user_by(c: &Connection, column: &str, value: &str) -> Result<Option<UserRecord>> {
    c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {column} = ?1"
    ))
    .and_then(|mut s| s.query_row([value], user).optional())
    .map_err(map_err)
}

pub fn update_user(c: &Connection, u: &UserRecord) -> Result<()> {
    let n = c
        .prepare_cached(
            "UPDATE users SET email = ?2, display_name = ?3, password_hash = ?4, language = ?5, totp_secret = ?6, totp_enabled = ?7,
             totp_last_step = ?8, failed_logins = ?9, locked_until = ?10, disabled_at = ?11, sessions_valid_after = ?12,
             created_at = ?13, updated_at = ?14 WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.execute(params![
                u.id, u.email, u.display_name, u.password_hash, u.language, u.totp_secret, u.totp_enabled as i64, u.totp_last_step,
                u.failed_logins, u.locked_until, u.disabled_at, u.sessions_valid_after, u.created_at, u.updated_at
            ])
        })
        .map_err(|e| conflict_or(e, || format!("a user with e-mail '{}' already exists", u.email)))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("user {}", u.id)));
    }
    Ok(())
}

pub fn count_users(c: &Connection) -> Result<i64> {
    c.query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .map_err(map_err)
}

pub fn users_changed_since(c: &Connection, since: i64) -> Result<Vec<UserInvalidation>> {
    let mut stmt = c
        .prepare_cached("SELECT id, sessions_valid_after, disabled_at, updated_at FROM users WHERE updated_at > ?1 ORDER BY updated_at")
        .map_err(map_err)?;
    let rows = stmt
        .query_map([since], |r| {
            Ok(UserInvalidation {
                user_id: r.get(0)?,
                sessions_valid_after: r.get(1)?,
                disabled_at: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn memberships_of(c: &Connection, user_id: &str) -> Result<Vec<MembershipRecord>> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE user_id = ?1 ORDER BY created_at"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map([user_id], |r| membership(r, 0))
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn members(c: &Connection, tenant: &str) -> Result<Vec<(UserRecord, MembershipRecord)>> {
    let user_cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let member_cols = MEMBERSHIP_COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {user_cols}, {member_cols} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 ORDER BY u.email"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map([tenant], |r| Ok((user(r)?, membership(r, 14)?)))
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn upsert_membership(c: &Connection, m: &MembershipRecord) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO memberships ({MEMBERSHIP_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (user_id, tenant_id) DO UPDATE SET roles = excluded.roles, patient_id = excluded.patient_id, expires_at = excluded.expires_at"
        ),
        params![m.user_id, m.tenant.as_str(), m.roles, m.patient_id, m.expires_at, m.created_at],
    )
    .map_err(|e| conflict_or(e, || "unknown user or practice".into()))
    .map(drop)
}

pub fn replace_recovery_codes(c: &Connection, user_id: &str, hashes: &[Vec<u8>]) -> Result<()> {
    c.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user_id])
        .map_err(map_err)?;
    for h in hashes {
        c.execute(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)",
            params![user_id, h],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

pub fn use_recovery_code(c: &Connection, user_id: &str, hash: &[u8], at: i64) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE recovery_codes SET used_at = ?3 WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
            params![user_id, hash, at],
        )
        .map_err(map_err)?;
    Ok(n == 1)
}

pub fn unused_recovery_codes(c: &Connection, user_id: &str) -> Result<i64> {
    c.query_row(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
        [user_id],
        |r| r.get(0),
    )
    .map_err(map_err)
}
