//! Single-use tokens (password reset, setup, authorization codes) and OAuth2 refresh tokens.
//!
//! Both are consumed by one conditional `UPDATE … WHERE used_at IS NULL`. Under READ COMMITTED,
//! concurrent updates of the same row queue on its lock and each re-checks the condition against
//! the row the previous one committed, so exactly one consumer sees its update apply. No
//! explicit transaction or `SELECT … FOR UPDATE` is needed.

use super::rows::{self, REFRESH_COLUMNS, TOKEN_COLUMNS};
use crate::PgBackend;
use cartella_store::StoreError;
use cartella_store::identity::{OneTimeToken, RefreshTokenRecord, RefreshUse};

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_TOKEN: &str = "INSERT INTO one_time_tokens (token_hash, purpose, user_id, \
     tenant_id, data, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens (token_hash, family, client_id, \
     user_id, tenant_id, scopes, patient_id, expires_at, used_at, revoked_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

impl PgBackend {
    pub(crate) async fn insert_token_db(&self, token: &OneTimeToken) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                INSERT_TOKEN,
                &[
                    &token.token_hash,
                    &token.purpose,
                    &token.user_id,
                    &token.tenant.as_ref().map(|t| t.as_str()),
                    &token.data,
                    &token.expires_at,
                    &token.used_at,
                ],
            )
            .await
            .map_err(|e| rows::insert_violation(e, "one-time token", None, None))?;
        Ok(())
    }

    pub(crate) async fn consume_token_db(
        &self,
        hash: &[u8],
        purpose: &str,
        now: i64,
    ) -> Result<Option<OneTimeToken>> {
        let client = self.conn().await?;
        // The purpose is part of the match: a reset token cannot be spent as an authorization
        // code. A token presented with the wrong purpose stays unused.
        let sql = format!(
            "UPDATE one_time_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3 RETURNING {TOKEN_COLUMNS}"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&hash, &purpose, &now])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::token).transpose()
    }

    pub(crate) async fn insert_refresh_db(&self, token: &RefreshTokenRecord) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                INSERT_REFRESH,
                &[
                    &token.token_hash,
                    &token.family,
                    &token.client_id,
                    &token.user_id,
                    &token.tenant.as_str(),
                    &token.scopes,
                    &token.patient_id,
                    &token.expires_at,
                    &token.used_at,
                    &token.revoked_at,
                    &token.created_at,
                ],
            )
            .await
            .map_err(|e| rows::insert_violation(e, "refresh token", None, None))?;
        Ok(())
    }

    pub(crate) async fn use_refresh_db(&self, hash: &[u8], now: i64) -> Result<RefreshUse> {
        let client = self.conn().await?;
        let claim = format!(
            "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 RETURNING {REFRESH_COLUMNS}"
        );
        let claim = client.prepare_cached(&claim).await.map_err(crate::db)?;
        if let Some(row) = client
            .query_opt(&claim, &[&hash, &now])
            .await
            .map_err(crate::db)?
        {
            return Ok(RefreshUse::Fresh(rows::refresh(&row)?));
        }
        // A second statement, not a CTE in the first: a statement's snapshot is taken when it
        // starts, so a loser of the race above would still see the winner's row as unused there
        // and call a replay "invalid". This statement starts after the winner committed (the
        // update above waited for it), so it sees `used_at` set.
        let look = format!("SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE token_hash = $1");
        let look = client.prepare_cached(&look).await.map_err(crate::db)?;
        let Some(row) = client.query_opt(&look, &[&hash]).await.map_err(crate::db)? else {
            return Ok(RefreshUse::Invalid);
        };
        let record = rows::refresh(&row)?;
        // Used or revoked is a replay even after expiry: a stolen token is still evidence of
        // theft. Merely expired (never used) is not: the client simply waited too long.
        if record.used_at.is_some() || record.revoked_at.is_some() {
            Ok(RefreshUse::Replayed(record))
        } else {
            Ok(RefreshUse::Invalid)
        }
    }

    pub(crate) async fn revoke_refresh_family_db(&self, family: &str, at: i64) -> Result<u64> {
        let client = self.conn().await?;
        // Already revoked tokens keep their first revocation instant and are not counted.
        client
            .execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL",
                &[&family, &at],
            )
            .await
            .map_err(crate::db)
    }

    pub(crate) async fn revoke_refresh_db(
        &self,
        hash: &[u8],
        at: i64,
    ) -> Result<Option<RefreshTokenRecord>> {
        let client = self.conn().await?;
        // COALESCE instead of `AND revoked_at IS NULL`: the row is returned (with its original
        // revocation instant) even when it was already revoked, in one statement.
        let sql = format!(
            "UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, $2) \
             WHERE token_hash = $1 RETURNING {REFRESH_COLUMNS}"
        );
        let row = client
            .query_opt(&sql, &[&hash, &at])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::refresh).transpose()
    }
}
