//! The `$export` job: reads as the requester (each page an authorised, audited search, or a
//! patient's compartment for Group exports) and writes NDJSON files of at most [`FILE_CHUNK`]
//! resources, each sealed with the tenant key.

use super::export::aad;
use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::export::{ExportFile, ExportRecord, ExportState};
use cartella_core::access::{Action, Decision, Principal, RoleSet, ScopeSet, Subject};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use cartella_core::{TenantId, Timestamp};
use serde_json::{Value, json};

/// Resources per output file.
const FILE_CHUNK: usize = 5_000;
const PAGE: usize = 500;

/// The requester as the job payload carries it (ids and role names only, never patient data).
pub(super) fn principal_json(p: &Principal) -> Value {
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
                record.message = Some(e.public_message());
            }
        }
        self.backend.put_export(&record).await
    }

    async fn write_export(
        &self,
        ctx: &AccessContext,
        id: &str,
        p: &Value,
        record: &mut ExportRecord,
    ) -> Result<()> {
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
        let mut out = Output {
            n: 0,
            id: id.to_owned(),
        };
        match p["level"].as_str() {
            Some("group") => {
                let group = p["group"].as_str().unwrap_or_default();
                let g = self.read(ctx, "Group", group).await?;
                let g: Value = serde_json::from_slice(&g.json)
                    .map_err(|_| StoreError::Corrupted(format!("Group/{group}")))?;
                let members: Vec<String> = g["member"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| crate::extract::values::reference(&m["entity"]))
                    .filter(|(t, _)| t == "Patient")
                    .map(|(_, id)| id)
                    .collect();
                let mut by_type: std::collections::BTreeMap<String, Vec<Vec<u8>>> =
                    Default::default();
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
                            if types.contains(&r.rtype.as_str())
                                && since.is_none_or(|s| r.last_updated.micros() >= s)
                            {
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
                    self.export_type(ctx, t, since, patient_only, &mut out)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Every resource of one type the requester may read, in files of [`FILE_CHUNK`].
    async fn export_type(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        since: Option<i64>,
        patient_only: bool,
        out: &mut Output,
    ) -> Result<()> {
        let mut lines = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = vec![("_count".to_owned(), PAGE.to_string())];
            if let Some(s) = since {
                q.push((
                    "_lastUpdated".into(),
                    format!("ge{}", Timestamp::from_micros(s)),
                ));
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
    async fn write(
        &mut self,
        store: &Store,
        ctx: &AccessContext,
        rtype: &str,
        lines: &[Vec<u8>],
    ) -> Result<()> {
        let mut body = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            body.extend_from_slice(l);
            body.push(b'\n');
        }
        self.n += 1;
        let key = store
            .keys
            .tenant_key(store.backend.as_ref(), &ctx.tenant)
            .await?;
        let content = store.options.cipher.seal(
            key.secret(),
            &aad(&ctx.tenant, &self.id, self.n, &key.id),
            &body,
        );
        let file = ExportFile {
            n: self.n,
            rtype: rtype.to_owned(),
            count: lines.len() as i64,
            key_id: key.id.clone(),
            content,
        };
        if !store
            .backend
            .add_export_file(&ctx.tenant, &self.id, file)
            .await?
        {
            return Err(StoreError::NotFound(format!("export {}", self.id)));
        }
        Ok(())
    }
}
