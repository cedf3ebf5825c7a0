//! Bulk Data `$export` (system, Patient, Group): kick-off records the request and queues a job
//! on the bulk lane; the job reads as the requester (every read authorised and audited like any
//! search) and writes one NDJSON file per type and chunk, sealed with the tenant key. Only the
//! requester, in the same practice, may poll, download or delete; everything expires.

use super::export_job::principal_json;
use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::export::{ExportFile, ExportRecord, ExportState};
use crate::model::Lane;
use cartella_core::access::Action;
use cartella_core::{ResourceType, TenantId, Timestamp};
use serde_json::json;

/// The job kind the bulk worker runs.
pub const JOB_EXPORT: &str = "fhir.export";
/// How long an export and its files are kept.
pub const EXPORT_LIFETIME_US: i64 = 24 * 3600 * 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportLevel {
    System,
    Patient,
    Group(String),
}

#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub level: ExportLevel,
    /// `_type`: empty means every type the requester may export.
    pub types: Vec<String>,
    /// `_since` (microseconds).
    pub since: Option<i64>,
    /// The kick-off URL, echoed in the manifest.
    pub url: String,
}

pub(super) fn aad(tenant: &TenantId, id: &str, n: i64, key_id: &str) -> Vec<u8> {
    format!("export|{tenant}|{id}|{n}|{key_id}").into_bytes()
}

impl Store {
    /// Kick-off: check the request, record it and queue the job; returns the export id.
    pub async fn start_export(&self, ctx: &AccessContext, req: ExportRequest) -> Result<String> {
        for t in &req.types {
            let t = ResourceType::parse(t)?.as_str();
            self.authorize(ctx, Action::Export, t, None).await?;
        }
        if let ExportLevel::Group(g) = &req.level {
            // The group must exist and be readable now, not only when the job runs.
            self.read(ctx, "Group", g).await?;
        }
        let now = Timestamp::now().micros();
        self.backend.purge_exports(now).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let record = ExportRecord {
            tenant: ctx.tenant.clone(),
            id: id.clone(),
            actor: ctx.actor.clone(),
            request: req.url.clone(),
            state: ExportState::Queued,
            message: None,
            transaction_time: now,
            expires_at: now + EXPORT_LIFETIME_US,
        };
        self.backend.put_export(&record).await?;
        let group = match &req.level {
            ExportLevel::Group(g) => Some(g.clone()),
            _ => None,
        };
        let level = match req.level {
            ExportLevel::System => "system",
            ExportLevel::Patient => "patient",
            ExportLevel::Group(_) => "group",
        };
        let payload = json!({"tenant": ctx.tenant.as_str(), "export": id, "actor": ctx.actor,
            "role": ctx.role, "principal": principal_json(&ctx.principal), "level": level,
            "group": group, "types": req.types, "since": req.since});
        let mut job = crate::jobs::job(Lane::Bulk, JOB_EXPORT, payload.to_string());
        job.tenant = Some(ctx.tenant.clone());
        job.max_attempts = 3;
        self.backend.enqueue(vec![job]).await?;
        let draft = self
            .audit_draft(
                ctx,
                "export-start",
                None,
                None,
                "success",
                Some(json!({"export": id, "level": level}).to_string()),
            )
            .await?;
        self.audit_read(draft);
        Ok(id)
    }

    /// An export of the caller's (another requester's or practice's export is not found).
    pub async fn export_status(
        &self,
        ctx: &AccessContext,
        id: &str,
    ) -> Result<(ExportRecord, Vec<ExportFile>)> {
        let record = self.own_export(ctx, id).await?;
        let files = if record.state == ExportState::Done {
            self.backend.export_files(&ctx.tenant, id).await?
        } else {
            Vec::new()
        };
        Ok((record, files))
    }

    /// One output file, opened: `(type, NDJSON)`. The download is audited.
    pub async fn export_file(
        &self,
        ctx: &AccessContext,
        id: &str,
        n: i64,
    ) -> Result<(String, Vec<u8>)> {
        self.own_export(ctx, id).await?;
        let file = self
            .backend
            .export_file(&ctx.tenant, id, n)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("export file {n}")))?;
        let key = self
            .keys
            .key(self.backend.as_ref(), &ctx.tenant, &file.key_id)
            .await?;
        let plain = self
            .options
            .cipher
            .open(
                key.secret(),
                &aad(&ctx.tenant, id, n, &file.key_id),
                &file.content,
            )
            .map_err(|_| StoreError::Corrupted(format!("export file {n}")))?;
        let draft = self
            .audit_draft(
                ctx,
                "export-download",
                None,
                None,
                "success",
                Some(json!({"export": id, "file": n, "type": file.rtype}).to_string()),
            )
            .await?;
        self.audit_read(draft);
        Ok((file.rtype, plain))
    }

    /// Cancel a running export or delete a finished one with its files.
    pub async fn delete_export(&self, ctx: &AccessContext, id: &str) -> Result<()> {
        self.own_export(ctx, id).await?;
        self.backend.delete_export(&ctx.tenant, id).await?;
        Ok(())
    }

    async fn own_export(&self, ctx: &AccessContext, id: &str) -> Result<ExportRecord> {
        let now = Timestamp::now().micros();
        match self.backend.export(&ctx.tenant, id).await? {
            Some(r) if r.actor == ctx.actor && r.expires_at >= now => Ok(r),
            _ => Err(StoreError::NotFound(format!("export {id}"))),
        }
    }
}
