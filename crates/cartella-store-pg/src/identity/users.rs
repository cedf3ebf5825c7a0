//! Users (global rows, one per login) and their MFA recovery codes. Memberships are in
//! `memberships`, but a new user's first memberships are inserted here, in the same transaction.

use super::rows::{self, USER_COLUMNS, Violation};
use crate::PgBackend;
use crate::rows::col;
use cartella_store::StoreError;
use cartella_store::identity::{MembershipRecord, UserInvalidation, UserRecord};
use deadpool_postgres::GenericClient;

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_USER: &str = "INSERT INTO users (id, email, display_name, password_hash, language, \
     totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, disabled_at, \
     sessions_valid_after, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

/// Every column but the key; `$1` is the id.
const UPDATE_USER: &str = "UPDATE users SET email = $2, display_name = $3, password_hash = $4, \
     language = $5, totp_secret = $6, totp_enabled = $7, totp_last_step = $8, \
     failed_logins = $9, locked_until = $10, disabled_at = $11, sessions_valid_after = $12, \
     created_at = $13, updated_at = $14 WHERE id = $1";

/// Runs [`INSERT_USER`] or [`UPDATE_USER`] (same parameter order) for `user`.
async fn write_user(client: &impl GenericClient, sql: &str, user: &UserRecord) -> Result<u64> {
    client
        .execute(
            sql,
            &[
                &user.id,
                &user.email,
                &user.display_name,
                &user.password_hash,
                &user.language,
                &user.totp_secret,
                &user.totp_enabled,
                &user.totp_last_step,
                &user.failed_logins,
                &user.locked_until,
                &user.disabled_at,
                &user.sessions_valid_after,
                &user.created_at,
                &user.updated_at,
            ],
        )
        .await
        .map_err(|e| {
            rows::violation(e, |v| match v {
                // Named after the column so the message can say what the user can fix.
                Violation::Unique("users_email_key") => Some(StoreError::Conflict(format!(
                    "a user with e-mail '{}' already exists",
                    user.email
                ))),
                Violation::Unique(_) => Some(StoreError::Conflict(format!(
                    "user {} already exists",
                    user.id
                ))),
                Violation::ForeignKey(_) => None,
            })
        })
}

/// Inserts a membership; shared with `upsert_membership` (`suffix` adds its `ON CONFLICT`).
pub(crate) async fn insert_membership(
    client: &impl GenericClient,
    m: &MembershipRecord,
    suffix: &str,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO memberships (user_id, tenant_id, roles, patient_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) {suffix}"
    );
    client
        .execute(
            &sql,
            &[
                &m.user_id,
                &m.tenant.as_str(),
                &m.roles,
                &m.patient_id,
                &m.expires_at,
                &m.created_at,
            ],
        )
        .await
        .map_err(|e| {
            rows::insert_violation(
                e,
                &format!("membership of user {} in tenant {}", m.user_id, m.tenant),
                Some(&m.user_id),
                Some(m.tenant.as_str()),
            )
        })?;
    Ok(())
}

impl PgBackend {
    pub(crate) async fn insert_user_db(
        &self,
        user: &UserRecord,
        memberships: &[MembershipRecord],
    ) -> Result<()> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        write_user(&tx, INSERT_USER, user).await?;
        for m in memberships {
            insert_membership(&tx, m, "").await?;
        }
        tx.commit().await.map_err(crate::db)
    }

    pub(crate) async fn user_by_id_db(&self, id: &str) -> Result<Option<UserRecord>> {
        self.user_where("id = $1", id).await
    }

    pub(crate) async fn user_by_email_db(&self, email: &str) -> Result<Option<UserRecord>> {
        self.user_where("email = $1", email).await
    }

    /// One user by a unique column; prepared once per connection (every sign-in and every
    /// request that resolves its session's user comes here).
    async fn user_where(&self, condition: &str, value: &str) -> Result<Option<UserRecord>> {
        let client = self.conn().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}");
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&value])
            .await
            .map_err(crate::db)?;
        row.map(|r| rows::user(&r, 0)).transpose()
    }

    pub(crate) async fn update_user_db(&self, user: &UserRecord) -> Result<()> {
        let client = self.conn().await?;
        if write_user(&client, UPDATE_USER, user).await? == 0 {
            return Err(StoreError::NotFound(format!("user {}", user.id)));
        }
        Ok(())
    }

    pub(crate) async fn count_users_db(&self) -> Result<i64> {
        let client = self.conn().await?;
        let row = client
            .query_one("SELECT count(*) FROM users", &[])
            .await
            .map_err(crate::db)?;
        col(&row, 0)
    }

    pub(crate) async fn users_changed_since_db(&self, since: i64) -> Result<Vec<UserInvalidation>> {
        let client = self.conn().await?;
        // Polled by every node about once a second: prepared, and served by `users_updated`.
        let stmt = client
            .prepare_cached(
                "SELECT id, sessions_valid_after, disabled_at, updated_at FROM users \
                 WHERE updated_at > $1 ORDER BY updated_at, id",
            )
            .await
            .map_err(crate::db)?;
        let found = client.query(&stmt, &[&since]).await.map_err(crate::db)?;
        found
            .iter()
            .map(|r| {
                Ok(UserInvalidation {
                    user_id: col(r, 0)?,
                    sessions_valid_after: col(r, 1)?,
                    disabled_at: col(r, 2)?,
                    updated_at: col(r, 3)?,
                })
            })
            .collect()
    }

    pub(crate) async fn replace_recovery_codes_db(
        &self,
        user_id: &str,
        hashes: &[Vec<u8>],
    ) -> Result<()> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        // Lock the user first: two concurrent replacements would otherwise each delete only the
        // codes their snapshot saw and both insert, leaving the union of two sets valid. The
        // lock serialises them, so the last one wins. It also turns an unknown user into
        // NotFound before anything is written.
        let user = tx
            .query_opt(
                "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE",
                &[&user_id],
            )
            .await
            .map_err(crate::db)?;
        if user.is_none() {
            return Err(StoreError::NotFound(format!("user {user_id}")));
        }
        tx.execute("DELETE FROM recovery_codes WHERE user_id = $1", &[&user_id])
            .await
            .map_err(crate::db)?;
        // One statement for the whole set. A repeated hash is the same code: stored once.
        tx.execute(
            "INSERT INTO recovery_codes (user_id, code_hash) \
             SELECT $1, h FROM unnest($2::bytea[]) AS h ON CONFLICT DO NOTHING",
            &[&user_id, &hashes],
        )
        .await
        .map_err(crate::db)?;
        tx.commit().await.map_err(crate::db)
    }

    pub(crate) async fn use_recovery_code_db(
        &self,
        user_id: &str,
        hash: &[u8],
        at: i64,
    ) -> Result<bool> {
        let client = self.conn().await?;
        // One statement: of two concurrent uses of the same code, the second waits for the first
        // and then finds `used_at` set, so a code is accepted once.
        let n = client
            .execute(
                "UPDATE recovery_codes SET used_at = $3 \
                 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                &[&user_id, &hash, &at],
            )
            .await
            .map_err(crate::db)?;
        Ok(n == 1)
    }

    pub(crate) async fn unused_recovery_codes_db(&self, user_id: &str) -> Result<i64> {
        let client = self.conn().await?;
        let row = client
            .query_one(
                "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                &[&user_id],
            )
            .await
            .map_err(crate::db)?;
        col(&row, 0)
    }
}
