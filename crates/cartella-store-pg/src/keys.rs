//! Settings (`cartella_meta`), tenants and data keys.

use crate::PgBackend;
use crate::rows::{self, KEY_COLUMNS, TENANT_COLUMNS};
use cartella_core::TenantId;
use cartella_store::{AuditDraft, DataKeyRecord, StoreError, TenantRecord};
use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_KEY: &str = "INSERT INTO data_keys (tenant_id, key_id, kind, patient_id, wrapped, \
     wrapping_key_id, created_at, destroyed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Inserts a data key; `ON CONFLICT DO NOTHING` when `skip_existing`, returning whether a row
/// was written. Shared with the write path (new patient keys).
pub(crate) async fn insert_key(
    tx: &deadpool_postgres::Transaction<'_>,
    key: &DataKeyRecord,
    skip_existing: bool,
) -> Result<bool> {
    let sql = if skip_existing {
        format!("{INSERT_KEY} ON CONFLICT DO NOTHING")
    } else {
        INSERT_KEY.to_owned()
    };
    let stmt = tx.prepare_cached(&sql).await.map_err(crate::db)?;
    let n = tx
        .execute(
            &stmt,
            &[
                &key.tenant.as_str(),
                &key.key_id,
                &key.kind.as_str(),
                &key.patient_id,
                &key.wrapped,
                &key.wrapping_key_id,
                &key.created_at,
                &key.destroyed_at,
            ],
        )
        .await
        .map_err(crate::db)?;
    Ok(n > 0)
}

impl PgBackend {
    pub(crate) async fn get_meta_db(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let client = self.conn().await?;
        let row = client
            .query_opt("SELECT value FROM cartella_meta WHERE key = $1", &[&key])
            .await
            .map_err(crate::db)?;
        row.map(|r| rows::col(&r, 0)).transpose()
    }

    pub(crate) async fn put_meta_db(&self, key: &str, value: &[u8]) -> Result<()> {
        let client = self.conn().await?;
        put_meta(&client, key, value).await
    }

    pub(crate) async fn insert_tenant_db(
        &self,
        tenant: &TenantRecord,
        key: &DataKeyRecord,
        audit: AuditDraft,
    ) -> Result<()> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        tx.execute(
            "INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
            &[
                &tenant.id.as_str(),
                &tenant.slug,
                &tenant.name,
                &tenant.created_at,
            ],
        )
        .await
        .map_err(|e| tenant_conflict(e, tenant))?;
        insert_key(&tx, key, false).await?;
        crate::audit::append(&tx, vec![audit]).await?;
        tx.commit().await.map_err(crate::db)
    }

    pub(crate) async fn list_tenants_db(&self) -> Result<Vec<TenantRecord>> {
        let client = self.conn().await?;
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY created_at, id");
        let found = client.query(&sql, &[]).await.map_err(crate::db)?;
        found.iter().map(rows::tenant).collect()
    }

    pub(crate) async fn data_key_db(
        &self,
        tenant: &TenantId,
        key_id: &str,
    ) -> Result<Option<DataKeyRecord>> {
        let client = self.conn().await?;
        let sql =
            format!("SELECT {KEY_COLUMNS} FROM data_keys WHERE tenant_id = $1 AND key_id = $2");
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&tenant.as_str(), &key_id])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::data_key).transpose()
    }

    pub(crate) async fn patient_key_db(
        &self,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<Option<DataKeyRecord>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM data_keys \
             WHERE tenant_id = $1 AND kind = 'patient' AND patient_id = $2"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&tenant.as_str(), &patient_id])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::data_key).transpose()
    }

    pub(crate) async fn tenant_keys_db(&self) -> Result<Vec<DataKeyRecord>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT DISTINCT ON (tenant_id) {KEY_COLUMNS} FROM data_keys \
             WHERE kind = 'tenant' AND destroyed_at IS NULL \
             ORDER BY tenant_id, created_at DESC, key_id DESC"
        );
        let found = client.query(&sql, &[]).await.map_err(crate::db)?;
        found.iter().map(rows::data_key).collect()
    }

    pub(crate) async fn rewrap_keys_db(
        &self,
        keys: &[DataKeyRecord],
        meta: &[(String, Vec<u8>)],
    ) -> Result<()> {
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        for key in keys {
            let n = tx
                .execute(
                    "UPDATE data_keys SET wrapped = $3, wrapping_key_id = $4 \
                     WHERE tenant_id = $1 AND key_id = $2",
                    &[
                        &key.tenant.as_str(),
                        &key.key_id,
                        &key.wrapped,
                        &key.wrapping_key_id,
                    ],
                )
                .await
                .map_err(crate::db)?;
            // A rotation that silently skipped a key would leave it wrapped by the old master
            // key, which is about to be retired: fail the whole rotation instead.
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "data key {} of tenant {}",
                    key.key_id, key.tenant
                )));
            }
        }
        for (key, value) in meta {
            put_meta(&tx, key, value).await?;
        }
        tx.commit().await.map_err(crate::db)
    }
}

async fn put_meta(client: &impl GenericClient, key: &str, value: &[u8]) -> Result<()> {
    client
        .execute(
            "INSERT INTO cartella_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&key, &value],
        )
        .await
        .map_err(crate::db)?;
    Ok(())
}

/// A taken slug is a conflict the user can fix; anything else is a database error.
fn tenant_conflict(e: tokio_postgres::Error, tenant: &TenantRecord) -> StoreError {
    match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => {
            if db.constraint() == Some("tenants_slug_key") {
                StoreError::Conflict(format!("tenant slug '{}' is taken", tenant.slug))
            } else {
                StoreError::Conflict(format!("tenant {} already exists", tenant.id))
            }
        }
        _ => crate::db(e),
    }
}
