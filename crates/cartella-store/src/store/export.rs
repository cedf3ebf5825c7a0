//! Bulk Data `$export` (system, Patient, Group): kick-off records the request and queues a job
//! on the bulk lane; the job reads as the requester (every read authorised and audited like any
//! search) and writes one NDJSON file per type and chunk, sealed with the tenant key. Only the
//! requester, in the same practice, may poll, download or delete; everything expires.

use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::export::{ExportFile, ExportRecord, ExportState};
use crate::model::Lane;
use cartella_core::access::{Action, Decision, Principal, RoleSet, ScopeSet, Subject};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use cartella_core::{ResourceType, TenantId, Timestamp};
use serde_json::{Value, json};

/// The job kind the bulk worker runs.
pub const JOB_EXPORT: &str = "fhir.export";
/// How long an export and its files are kept.
pub const EXPORT_LIFETIME_US: i64 = 24 * 3600 * 1_000_000;
/// Resources per output file.
const FILE_CHUNK: usize = 5_000;
const PAGE: usize = 500;

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

fn aad(tenant: &TenantId, id: &str, n: i64, key_id: &str) -> Vec<u8> {
    format!("export|{tenant}|{id}|{n}|{key_id}").into_bytes()
}

/// The requester as the job payload carries it (ids and role names only, never patient data).
fn principal_json(p: &Principal) -> Value {
    let (kind, id) = match &p.subject {
        Subject::System => ("system", String::new()),
        Subject::User(u) => ("user", u.clone()),
        Subject::Client(c) => ("client", c.clone()),
    };
    json!({"kind": kind, "id": id, "roles": p.roles.to_string(),
        "scopes": p.scopes.as_ref().map(|s| s.to_string()), "patient": p.patient, "shared": p.shared})
}

fn principal_from(v: &Value) -> Option<Principal> {
    let id = v["id"].as_str()?.to_owned();
    let roles = match v["roles"].as_str()? {
        "" => RoleSet::default(),
        r => RoleSet::parse(r).ok()?,
    };
    Some(Principal {
        subject: match v["kind"].as_str()? {
            "system" => Subject::System,
            "user" => Subject::User(id),
            _ => Subject::Client(id),
        },
        roles,
        scopes: match v["scopes"].as_str() {
            Some(s) => Some(ScopeSet::parse(s).ok()?),
            None => None,
        },
        patient: v["patient"].as_str().map(str::to_owned),
        shared: serde_json::from_value(v["shared"].clone()).ok()?,
    })
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
            .audit_draft(ctx, "export-start", None, None, "success", Some(json!({"export": id, "level": level}).to_string()))
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
    pub async fn export_file(&self, ctx: &AccessContext, id: &str, n: i64) -> Result<(String, Vec<u8>)> {
        self.own_export(ctx, id).await?;
        let file = self
            .backend
            .export_file(&ctx.tenant, id, n)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("export file {n}")))?;
        let key = self.keys.key(self.backend.as_ref(), &ctx.tenant, &file.key_id).await?;
        let plain = self
            .options
            .cipher
            .open(key.secret(), &aad(&ctx.tenant, id, n, &file.key_id), &file.content)
            .map_err(|_| StoreError::Corrupted(format!("export file {n}")))?;
        let draft = self
            .audit_draft(ctx, "export-download", None, None, "success", Some(json!({"export": id, "file": n, "type": file.rtype}).to_string()))
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

    /// The job: read as the requester and write the files. A failure is recorded on the export
    /// (the status URL reports it) and the job ends; a deleted export stops the job.
    pub async fn run_export(&self, payload: &str) -> Result<()> {
        let bad = || StoreError::Internal("export job payload is malformed".into());
        let p: Value = serde_json::from_str(payload).map_err(|_| bad())?;
        let tenant = TenantId::parse(p["tenant"].as_str().ok_or_else(bad)?).map_err(|_| bad())?;
        let id = p["export"].as_str().ok_or_else(bad)?.to_owned();
        let Some(mut record) = self.backend.export(&tenant, &id).await? else {
            return Ok(());
        };
        // A rerun (its worker died) starts over: drop what the last attempt wrote.
        self.backend.delete_export(&tenant, &id).await?;
        record.state = ExportState::Running;
        record.message = Some("starting".into());
        self.backend.put_export(&record).await?;
        let ctx = AccessContext {
            tenant: tenant.clone(),
            actor: p["actor"].as_str().ok_or_else(bad)?.to_owned(),
            role: p["role"].as_str().unwrap_or("").to_owned(),
            principal: principal_from(&p["principal"]).ok_or_else(bad)?,
            purpose: Some("bulk export".into()),
            client_ip: None,
            user_agent: None,
        };
        let result = self.write_export(&ctx, &id, &p, &mut record).await;
        if self.backend.export(&tenant, &id).await?.is_none() {
            return Ok(()); // cancelled meanwhile
        }
        match result {
            Ok(()) => {
                record.state = ExportState::Done;
                record.message = None;
            }
            Err(e) => {
                tracing::warn!(export = %id, error = %e, "export failed");
                record.state = ExportState::Failed;
                record.message = Some(e.to_string());
            }
        }
        self.backend.put_export(&record).await
    }

    async fn write_export(&self, ctx: &AccessContext, id: &str, p: &Value, record: &mut ExportRecord) -> Result<()> {
        let wanted: Vec<String> = serde_json::from_value(p["types"].clone()).unwrap_or_default();
        let types: Vec<&str> = if wanted.is_empty() {
            R4_RESOURCE_TYPES
                .iter()
                .copied()
                .filter(|t| ctx.principal.decide(t, Action::Export) != Decision::Deny)
                .collect()
        } else {
            wanted.iter().map(String::as_str).collect()
        };
        let since = p["since"].as_i64();
        let mut out = Output { n: 0, id: id.to_owned() };
        match p["level"].as_str() {
            Some("group") => {
                let group = p["group"].as_str().unwrap_or_default();
                let g = self.read(ctx, "Group", group).await?;
                let g: Value = serde_json::from_slice(&g.json).map_err(|_| StoreError::Corrupted(format!("Group/{group}")))?;
                let members: Vec<String> = g["member"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| crate::extract::values::reference(&m["entity"]))
                    .filter(|(t, _)| t == "Patient")
                    .map(|(_, id)| id)
                    .collect();
                let mut by_type: std::collections::BTreeMap<String, Vec<Vec<u8>>> = Default::default();
                for (i, patient) in members.iter().enumerate() {
                    record.message = Some(format!("patient {} of {}", i + 1, members.len()));
                    self.backend.put_export(record).await?;
                    let mut after = None;
                    loop {
                        let page = match self.everything(ctx, patient, PAGE, after).await {
                            Ok(p) => p,
                            Err(StoreError::NotFound(_) | StoreError::Forbidden(_)) => break,
                            Err(e) => return Err(e),
                        };
                        for r in page.resources {
                            if types.contains(&r.rtype.as_str()) && since.is_none_or(|s| r.last_updated.micros() >= s) {
                                by_type.entry(r.rtype.clone()).or_default().push(r.json);
                            }
                        }
                        match page.next.and_then(|n| n.parse().ok()) {
                            Some(n) => after = Some(n),
                            None => break,
                        }
                    }
                }
                for (t, lines) in by_type {
                    for chunk in lines.chunks(FILE_CHUNK) {
                        out.write(self, ctx, &t, chunk).await?;
                    }
                }
            }
            level => {
                let patient_only = level == Some("patient");
                for (i, t) in types.iter().enumerate() {
                    record.message = Some(format!("type {} of {} ({t})", i + 1, types.len()));
                    self.backend.put_export(record).await?;
                    self.export_type(ctx, t, since, patient_only, &mut out).await?;
                }
            }
        }
        Ok(())
    }

    /// Every resource of one type the requester may read, in files of [`FILE_CHUNK`].
    async fn export_type(&self, ctx: &AccessContext, rtype: &str, since: Option<i64>, patient_only: bool, out: &mut Output) -> Result<()> {
        let mut lines = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = vec![("_count".to_owned(), PAGE.to_string())];
            if let Some(s) = since {
                q.push(("_lastUpdated".into(), format!("ge{}", Timestamp::from_micros(s))));
            }
            if let Some(c) = &cursor {
                q.push(("_cursor".into(), c.clone()));
            }
            let page = match self.search_matches(ctx, rtype, &q).await {
                Ok(p) => p,
                Err(StoreError::Forbidden(_)) => return Ok(()),
                Err(e) => return Err(e),
            };
            for r in page.resources {
                if patient_only && rtype != "Patient" {
                    let v: Value = serde_json::from_slice(&r.json).unwrap_or(Value::Null);
                    if crate::extract::patient_of(rtype, &r.id, &v).is_none() {
                        continue;
                    }
                }
                lines.push(r.json);
                if lines.len() == FILE_CHUNK {
                    out.write(self, ctx, rtype, &lines).await?;
                    lines.clear();
                }
            }
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        if !lines.is_empty() {
            out.write(self, ctx, rtype, &lines).await?;
        }
        Ok(())
    }
}

/// Numbered output files of one export.
struct Output {
    n: i64,
    id: String,
}

impl Output {
    async fn write(&mut self, store: &Store, ctx: &AccessContext, rtype: &str, lines: &[Vec<u8>]) -> Result<()> {
        let mut body = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            body.extend_from_slice(l);
            body.push(b'\n');
        }
        self.n += 1;
        let key = store.keys.tenant_key(store.backend.as_ref(), &ctx.tenant).await?;
        let content = store.options.cipher.seal(key.secret(), &aad(&ctx.tenant, &self.id, self.n, &key.id), &body);
        let file = ExportFile { n: self.n, rtype: rtype.to_owned(), count: lines.len() as i64, key_id: key.id.clone(), content };
        if !store.backend.add_export_file(&ctx.tenant, &self.id, file).await? {
            return Err(StoreError::NotFound(format!("export {}", self.id)));
        }
        Ok(())
    }
}
