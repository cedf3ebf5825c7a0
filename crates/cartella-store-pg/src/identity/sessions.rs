//! Browser sessions, keyed by the SHA-256 of the cookie. Read and touched on every request, so
//! the lookup and the update are prepared once per connection.

use super::rows::{self, SESSION_COLUMNS};
use crate::PgBackend;
use cartella_store::StoreError;
use cartella_store::identity::SessionRecord;

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_SESSION: &str = "INSERT INTO sessions (id_hash, user_id, tenant_id, csrf, mfa_done, \
     created_at, last_seen, expires_at, client_ip, user_agent, revoked_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Only what a live session changes. `revoked_at` is deliberately not among them: a request
/// still in flight when the user logs out must not write the session back to unrevoked.
const UPDATE_SESSION: &str = "UPDATE sessions SET last_seen = $2, mfa_done = $3, tenant_id = $4, \
     csrf = $5, expires_at = $6 WHERE id_hash = $1";

impl PgBackend {
    pub(crate) async fn insert_session_db(&self, session: &SessionRecord) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                INSERT_SESSION,
                &[
                    &session.id_hash,
                    &session.user_id,
                    &session.tenant.as_str(),
                    &session.csrf,
                    &session.mfa_done,
                    &session.created_at,
                    &session.last_seen,
                    &session.expires_at,
                    &session.client_ip,
                    &session.user_agent,
                    &session.revoked_at,
                ],
            )
            .await
            .map_err(|e| rows::insert_violation(e, "session", Some(&session.user_id), None))?;
        Ok(())
    }

    pub(crate) async fn session_db(&self, id_hash: &[u8]) -> Result<Option<SessionRecord>> {
        let client = self.conn().await?;
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1");
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&id_hash])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::session).transpose()
    }

    pub(crate) async fn update_session_db(&self, session: &SessionRecord) -> Result<()> {
        let client = self.conn().await?;
        let stmt = client
            .prepare_cached(UPDATE_SESSION)
            .await
            .map_err(crate::db)?;
        let n = client
            .execute(
                &stmt,
                &[
                    &session.id_hash,
                    &session.last_seen,
                    &session.mfa_done,
                    &session.tenant.as_str(),
                    &session.csrf,
                    &session.expires_at,
                ],
            )
            .await
            .map_err(crate::db)?;
        // Sessions are never deleted, so a miss means the caller holds a session that was never
        // stored: a bug worth surfacing rather than a silent no-op.
        if n == 0 {
            return Err(StoreError::NotFound("session".to_owned()));
        }
        Ok(())
    }

    pub(crate) async fn revoke_session_db(&self, id_hash: &[u8], at: i64) -> Result<()> {
        let client = self.conn().await?;
        // Idempotent: revoking again (a double-clicked logout) keeps the first instant, and an
        // unknown session is already as good as revoked.
        client
            .execute(
                "UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL",
                &[&id_hash, &at],
            )
            .await
            .map_err(crate::db)?;
        Ok(())
    }
}
