//! Per-practice identity data: records shared with external users, and practice settings (a
//! JSON text column on `tenants`).

use super::rows;
use crate::PgBackend;
use crate::rows::col;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::identity::ShareRecord;

type Result<T> = std::result::Result<T, StoreError>;

impl PgBackend {
    pub(crate) async fn insert_share_db(&self, share: &ShareRecord) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                "INSERT INTO shares (id, tenant_id, user_id, patient_id, expires_at, created_at, \
                 revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &share.id,
                    &share.tenant.as_str(),
                    &share.user_id,
                    &share.patient_id,
                    &share.expires_at,
                    &share.created_at,
                    &share.revoked_at,
                ],
            )
            .await
            .map_err(|e| {
                rows::insert_violation(
                    e,
                    &format!("share {}", share.id),
                    Some(&share.user_id),
                    Some(share.tenant.as_str()),
                )
            })?;
        Ok(())
    }

    pub(crate) async fn shared_patients_db(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: i64,
    ) -> Result<Vec<String>> {
        let client = self.conn().await?;
        // Resolved on every request of an external user (it becomes their search compartment).
        // DISTINCT: the same patient may be shared twice (e.g. renewed before expiry).
        let stmt = client
            .prepare_cached(
                "SELECT DISTINCT patient_id FROM shares WHERE tenant_id = $1 AND user_id = $2 \
                 AND revoked_at IS NULL AND expires_at > $3 ORDER BY patient_id",
            )
            .await
            .map_err(crate::db)?;
        let found = client
            .query(&stmt, &[&tenant.as_str(), &user_id, &now])
            .await
            .map_err(crate::db)?;
        found.iter().map(|r| col(r, 0)).collect()
    }

    pub(crate) async fn tenant_settings_db(&self, tenant: &TenantId) -> Result<String> {
        let client = self.conn().await?;
        let row = client
            .query_opt(
                "SELECT settings FROM tenants WHERE id = $1",
                &[&tenant.as_str()],
            )
            .await
            .map_err(crate::db)?
            .ok_or_else(|| StoreError::NotFound(format!("tenant {tenant}")))?;
        col(&row, 0)
    }

    pub(crate) async fn put_tenant_settings_db(&self, tenant: &TenantId, json: &str) -> Result<()> {
        let client = self.conn().await?;
        let n = client
            .execute(
                "UPDATE tenants SET settings = $2 WHERE id = $1",
                &[&tenant.as_str(), &json],
            )
            .await
            .map_err(crate::db)?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("tenant {tenant}")));
        }
        Ok(())
    }
}
