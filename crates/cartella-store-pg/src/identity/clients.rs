//! API clients (OAuth2 / SMART apps registered in a practice).

use super::rows::{self, CLIENT_COLUMNS};
use crate::PgBackend;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::identity::ApiClientRecord;

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_CLIENT: &str = "INSERT INTO api_clients (id, tenant_id, name, secret_hash, scopes, \
     redirect_uris, rate_limit, created_at, disabled_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Every column but the key and the practice. The practice is part of the match, so a client
/// cannot be moved to another practice, and an update built for one practice cannot reach
/// another's client even if the caller's check is missing.
const UPDATE_CLIENT: &str = "UPDATE api_clients SET name = $3, secret_hash = $4, scopes = $5, \
     redirect_uris = $6, rate_limit = $7, created_at = $8, disabled_at = $9 \
     WHERE id = $1 AND tenant_id = $2";

impl PgBackend {
    pub(crate) async fn insert_client_db(&self, client: &ApiClientRecord) -> Result<()> {
        self.write_client(INSERT_CLIENT, client).await.map(drop)
    }

    pub(crate) async fn update_client_db(&self, client: &ApiClientRecord) -> Result<()> {
        if self.write_client(UPDATE_CLIENT, client).await? == 0 {
            return Err(StoreError::NotFound(format!(
                "API client {} in tenant {}",
                client.id, client.tenant
            )));
        }
        Ok(())
    }

    /// Runs [`INSERT_CLIENT`] or [`UPDATE_CLIENT`] (same parameter order).
    async fn write_client(&self, sql: &str, c: &ApiClientRecord) -> Result<u64> {
        let db = self.conn().await?;
        db.execute(
            sql,
            &[
                &c.id,
                &c.tenant.as_str(),
                &c.name,
                &c.secret_hash,
                &c.scopes,
                &c.redirect_uris,
                &c.rate_limit,
                &c.created_at,
                &c.disabled_at,
            ],
        )
        .await
        .map_err(|e| {
            rows::insert_violation(
                e,
                &format!("API client {}", c.id),
                None,
                Some(c.tenant.as_str()),
            )
        })
    }

    pub(crate) async fn client_db(&self, id: &str) -> Result<Option<ApiClientRecord>> {
        let db = self.conn().await?;
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM api_clients WHERE id = $1");
        // Looked up on every token request and every bearer-authenticated call.
        let stmt = db.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = db.query_opt(&stmt, &[&id]).await.map_err(crate::db)?;
        row.as_ref().map(rows::client).transpose()
    }

    pub(crate) async fn clients_db(&self, tenant: &TenantId) -> Result<Vec<ApiClientRecord>> {
        let db = self.conn().await?;
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE tenant_id = $1 ORDER BY created_at, id"
        );
        let found = db
            .query(&sql, &[&tenant.as_str()])
            .await
            .map_err(crate::db)?;
        found.iter().map(rows::client).collect()
    }
}
