//! Bulk Data export storage on SQLite: writes through the single writer, reads through the pool.

use crate::{SqliteBackend, map_err};
use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::export::*;
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

fn record(tenant: &TenantId, r: &rusqlite::Row) -> rusqlite::Result<(ExportRecord, String)> {
    let state: String = r.get(4)?;
    Ok((
        ExportRecord {
            tenant: tenant.clone(),
            id: r.get(1)?,
            actor: r.get(2)?,
            request: r.get(3)?,
            state: ExportState::Queued,
            message: r.get(5)?,
            transaction_time: r.get(6)?,
            expires_at: r.get(7)?,
        },
        state,
    ))
}

fn get(c: &Connection, tenant: &TenantId, id: &str) -> Result<Option<ExportRecord>> {
    let found = c
        .prepare_cached("SELECT tenant_id, id, actor, request, state, message, transaction_time, expires_at FROM exports WHERE tenant_id = ?1 AND id = ?2")
        .and_then(|mut s| s.query_row(params![tenant.as_str(), id], |r| record(tenant, r)).optional())
        .map_err(map_err)?;
    found
        .map(|(mut rec, state)| {
            rec.state = ExportState::parse(&state)
                .ok_or_else(|| StoreError::Corrupted(format!("export state '{state}'")))?;
            Ok(rec)
        })
        .transpose()
}

#[async_trait]
impl ExportBackend for SqliteBackend {
    async fn put_export(&self, e: &ExportRecord) -> Result<()> {
        let e = e.clone();
        self.writer
            .call(move |c, _| {
                c.execute(
                    "INSERT INTO exports (tenant_id, id, actor, request, state, message, transaction_time, expires_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (tenant_id, id) DO UPDATE SET state = excluded.state, message = excluded.message",
                    params![e.tenant.as_str(), e.id, e.actor, e.request, e.state.as_str(), e.message, e.transaction_time, e.expires_at],
                )
                .map_err(map_err)?;
                Ok(())
            })
            .await
    }

    async fn export(&self, tenant: &TenantId, id: &str) -> Result<Option<ExportRecord>> {
        let (t, id) = (tenant.clone(), id.to_owned());
        self.readers.with(move |c| get(c, &t, &id)).await
    }

    async fn add_export_file(&self, tenant: &TenantId, id: &str, f: ExportFile) -> Result<bool> {
        let (t, id) = (tenant.as_str().to_owned(), id.to_owned());
        self.writer
            .call(move |c, _| {
                // Only while the export exists: a deleted export stays deleted.
                let n = c
                    .execute(
                        "INSERT INTO export_files (tenant_id, export_id, n, type, count, key_id, content) \
                         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM exports WHERE tenant_id = ?1 AND id = ?2)",
                        params![t, id, f.n, f.rtype, f.count, f.key_id, f.content],
                    )
                    .map_err(map_err)?;
                Ok(n == 1)
            })
            .await
    }

    async fn export_files(&self, tenant: &TenantId, id: &str) -> Result<Vec<ExportFile>> {
        let (t, id) = (tenant.as_str().to_owned(), id.to_owned());
        self.readers
            .with(move |c| {
                let mut s = c
                    .prepare_cached("SELECT n, type, count, key_id FROM export_files WHERE tenant_id = ?1 AND export_id = ?2 ORDER BY n")
                    .map_err(map_err)?;
                let rows = s
                    .query_map(params![t, id], |r| {
                        Ok(ExportFile {
                            n: r.get(0)?,
                            rtype: r.get(1)?,
                            count: r.get(2)?,
                            key_id: r.get(3)?,
                            content: Vec::new(),
                        })
                    })
                    .map_err(map_err)?;
                rows.collect::<rusqlite::Result<_>>().map_err(map_err)
            })
            .await
    }

    async fn export_file(&self, tenant: &TenantId, id: &str, n: i64) -> Result<Option<ExportFile>> {
        let (t, id) = (tenant.as_str().to_owned(), id.to_owned());
        self.readers
            .with(move |c| {
                c.prepare_cached("SELECT n, type, count, key_id, content FROM export_files WHERE tenant_id = ?1 AND export_id = ?2 AND n = ?3")
                    .and_then(|mut s| {
                        s.query_row(params![t, id, n], |r| {
                            Ok(ExportFile {
                                n: r.get(0)?,
                                rtype: r.get(1)?,
                                count: r.get(2)?,
                                key_id: r.get(3)?,
                                content: r.get(4)?,
                            })
                        })
                        .optional()
                    })
                    .map_err(map_err)
            })
            .await
    }

    async fn delete_export(&self, tenant: &TenantId, id: &str) -> Result<bool> {
        let (t, id) = (tenant.as_str().to_owned(), id.to_owned());
        self.writer
            .call(move |c, _| {
                c.execute(
                    "DELETE FROM export_files WHERE tenant_id = ?1 AND export_id = ?2",
                    params![t, id],
                )
                .map_err(map_err)?;
                let n = c
                    .execute(
                        "DELETE FROM exports WHERE tenant_id = ?1 AND id = ?2",
                        params![t, id],
                    )
                    .map_err(map_err)?;
                Ok(n == 1)
            })
            .await
    }

    async fn purge_exports(&self, now: i64) -> Result<u64> {
        self.writer
            .call(move |c, _| {
                c.execute(
                    "DELETE FROM export_files WHERE (tenant_id, export_id) IN (SELECT tenant_id, id FROM exports WHERE expires_at < ?1)",
                    params![now],
                )
                .map_err(map_err)?;
                let n = c
                    .execute("DELETE FROM exports WHERE expires_at < ?1", params![now])
                    .map_err(map_err)?;
                Ok(n as u64)
            })
            .await
    }
}
