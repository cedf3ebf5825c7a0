//! Bulk Data export storage on PostgreSQL.

use crate::PgBackend;
use crate::rows::col;
use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::error::Result;
use cartella_store::export::*;

#[async_trait]
impl ExportBackend for PgBackend {
    async fn put_export(&self, e: &ExportRecord) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                "INSERT INTO exports (tenant_id, id, actor, request, state, message, transaction_time, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (tenant_id, id) DO UPDATE SET state = excluded.state, message = excluded.message",
                &[&e.tenant.as_str(), &e.id, &e.actor, &e.request, &e.state.as_str(), &e.message, &e.transaction_time, &e.expires_at],
            )
            .await
            .map_err(crate::db)?;
        Ok(())
    }

    async fn export(&self, tenant: &TenantId, id: &str) -> Result<Option<ExportRecord>> {
        let client = self.conn().await?;
        let row = client
            .query_opt(
                "SELECT actor, request, state, message, transaction_time, expires_at FROM exports WHERE tenant_id = $1 AND id = $2",
                &[&tenant.as_str(), &id],
            )
            .await
            .map_err(crate::db)?;
        let Some(row) = row else { return Ok(None) };
        let state: String = col(&row, 2)?;
        Ok(Some(ExportRecord {
            tenant: tenant.clone(),
            id: id.to_owned(),
            actor: col(&row, 0)?,
            request: col(&row, 1)?,
            state: ExportState::parse(&state)
                .ok_or_else(|| StoreError::Corrupted(format!("export state '{state}'")))?,
            message: col(&row, 3)?,
            transaction_time: col(&row, 4)?,
            expires_at: col(&row, 5)?,
        }))
    }

    async fn add_export_file(&self, tenant: &TenantId, id: &str, f: ExportFile) -> Result<bool> {
        let client = self.conn().await?;
        // Only while the export exists: a deleted export stays deleted.
        let n = client
            .execute(
                "INSERT INTO export_files (tenant_id, export_id, n, type, count, key_id, content) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM exports WHERE tenant_id = $1 AND id = $2)",
                &[&tenant.as_str(), &id, &f.n, &f.rtype, &f.count, &f.key_id, &f.content],
            )
            .await
            .map_err(crate::db)?;
        Ok(n == 1)
    }

    async fn export_files(&self, tenant: &TenantId, id: &str) -> Result<Vec<ExportFile>> {
        let client = self.conn().await?;
        let rows = client
            .query(
                "SELECT n, type, count, key_id FROM export_files WHERE tenant_id = $1 AND export_id = $2 ORDER BY n",
                &[&tenant.as_str(), &id],
            )
            .await
            .map_err(crate::db)?;
        rows.iter()
            .map(|r| {
                Ok(ExportFile {
                    n: col(r, 0)?,
                    rtype: col(r, 1)?,
                    count: col(r, 2)?,
                    key_id: col(r, 3)?,
                    content: Vec::new(),
                })
            })
            .collect()
    }

    async fn export_file(&self, tenant: &TenantId, id: &str, n: i64) -> Result<Option<ExportFile>> {
        let client = self.conn().await?;
        let row = client
            .query_opt(
                "SELECT n, type, count, key_id, content FROM export_files WHERE tenant_id = $1 AND export_id = $2 AND n = $3",
                &[&tenant.as_str(), &id, &n],
            )
            .await
            .map_err(crate::db)?;
        row.map(|r| {
            Ok(ExportFile {
                n: col(&r, 0)?,
                rtype: col(&r, 1)?,
                count: col(&r, 2)?,
                key_id: col(&r, 3)?,
                content: col(&r, 4)?,
            })
        })
        .transpose()
    }

    async fn delete_export(&self, tenant: &TenantId, id: &str) -> Result<bool> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        tx.execute(
            "DELETE FROM export_files WHERE tenant_id = $1 AND export_id = $2",
            &[&tenant.as_str(), &id],
        )
        .await
        .map_err(crate::db)?;
        let n = tx
            .execute(
                "DELETE FROM exports WHERE tenant_id = $1 AND id = $2",
                &[&tenant.as_str(), &id],
            )
            .await
            .map_err(crate::db)?;
        tx.commit().await.map_err(crate::db)?;
        Ok(n == 1)
    }

    async fn purge_exports(&self, now: i64) -> Result<u64> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        tx.execute(
            "DELETE FROM export_files f USING exports e WHERE f.tenant_id = e.tenant_id AND f.export_id = e.id AND e.expires_at < $1",
            &[&now],
        )
        .await
        .map_err(crate::db)?;
        let n = tx
            .execute("DELETE FROM exports WHERE expires_at < $1", &[&now])
            .await
            .map_err(crate::db)?;
        tx.commit().await.map_err(crate::db)?;
        Ok(n)
    }
}
