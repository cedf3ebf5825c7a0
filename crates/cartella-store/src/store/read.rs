//! Reads: read, vread, history and search. Each opens content under its compartment key and
//! queues a read audit event (one per patient touched, batched off the request path).

use super::authorize::Scope;
use super::{AccessContext, Store, StoredResource};
use crate::crypto::normalize::{normalize, words};
use crate::error::{Result, StoreError};
use crate::extract::values;
use crate::model::{HistoryQuery, RawResource};
use crate::search::SearchPlan;
use crate::search::parse::{PostFilter, parse};
use cartella_core::access::{Action, Decision};
use cartella_core::{ResourceId, ResourceType, Timestamp};
use std::collections::BTreeSet;

/// One page of search results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub resources: Vec<StoredResource>,
    /// Cursor for the next page (`_cursor` value), if there is one.
    pub next: Option<String>,
    pub total: Option<u64>,
    pub warnings: Vec<String>,
    /// Resources added by `_include` / `_revinclude` (search mode "include").
    pub included: Vec<StoredResource>,
}

/// One entry of a history listing; `json` is `None` when the patient was erased.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub rtype: String,
    pub id: String,
    pub version: i64,
    pub last_updated: Timestamp,
    pub deleted: bool,
    pub erased: bool,
    pub json: Option<Vec<u8>>,
    pub row_id: i64,
}

pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 1_000;

impl Store {
    pub async fn read(&self, ctx: &AccessContext, rtype: &str, id: &str) -> Result<StoredResource> {
        let (rtype, id) = parse_ids(rtype, id)?;
        let scope = self
            .authorize(ctx, Action::Read, rtype, Some(id.as_str()))
            .await?;
        let raw = self
            .backend
            .current(&ctx.tenant, rtype, id.as_str())
            .await?;
        let raw = raw.ok_or_else(|| StoreError::NotFound(format!("{rtype}/{id}")))?;
        if raw.deleted {
            return Err(StoreError::Deleted(format!("{rtype}/{id}")));
        }
        self.open_and_audit(ctx, "read", raw, &scope).await
    }

    pub async fn vread(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        id: &str,
        version: i64,
    ) -> Result<StoredResource> {
        let (rtype, id) = parse_ids(rtype, id)?;
        let scope = self
            .authorize(ctx, Action::Read, rtype, Some(id.as_str()))
            .await?;
        let raw = self
            .backend
            .version(&ctx.tenant, rtype, id.as_str(), version)
            .await?;
        let raw =
            raw.ok_or_else(|| StoreError::NotFound(format!("{rtype}/{id}/_history/{version}")))?;
        self.open_and_audit(ctx, "vread", raw, &scope).await
    }

    async fn open_and_audit(
        &self,
        ctx: &AccessContext,
        action: &str,
        raw: RawResource,
        scope: &Scope,
    ) -> Result<StoredResource> {
        let json = self.open_content(&ctx.tenant, &raw).await?;
        let stored = to_stored(raw, json);
        let patient = patient_of_json(&stored);
        if !scope.admits(patient.as_deref()) {
            return Err(self
                .deny(ctx, Action::Read, &stored.rtype, Some(&stored.id))
                .await);
        }
        let draft = self
            .audit_draft(
                ctx,
                action,
                Some((&stored.rtype, &stored.id, Some(stored.version))),
                patient.as_deref(),
                "success",
                None,
            )
            .await?;
        self.audit_read(draft);
        Ok(stored)
    }

    /// History, newest first. Erased versions are listed without content.
    pub async fn history(
        &self,
        ctx: &AccessContext,
        query: HistoryQuery,
    ) -> Result<Vec<HistoryEntry>> {
        if let Some(t) = &query.rtype {
            let t = ResourceType::parse(t)?.as_str();
            self.authorize(ctx, Action::Read, t, query.id.as_deref())
                .await?;
        }
        if let Some(i) = &query.id {
            ResourceId::parse(i)?;
        }
        let rows = self
            .backend
            .history(&HistoryQuery {
                tenant: ctx.tenant.clone(),
                ..query
            })
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut patients = BTreeSet::new();
        for raw in rows {
            let (json, erased) = match self.open_content(&ctx.tenant, &raw).await {
                Ok(j) => (Some(j), false),
                Err(StoreError::Erased(_)) => (None, true),
                Err(e) => return Err(e),
            };
            let entry = HistoryEntry {
                rtype: raw.rtype,
                id: raw.id,
                version: raw.version,
                last_updated: Timestamp::from_micros(raw.last_updated),
                deleted: raw.deleted,
                erased,
                json,
                row_id: raw.row_id,
            };
            let patient = entry
                .json
                .as_ref()
                .and_then(|j| serde_json::from_slice(j).ok())
                .and_then(|v| crate::extract::patient_of(&entry.rtype, &entry.id, &v));
            // History across types returns only what the caller may read.
            let visible = match ctx.principal.decide(&entry.rtype, Action::Read) {
                Decision::Allow => true,
                Decision::Compartment(ids) => patient.as_ref().is_some_and(|p| ids.contains(p)),
                Decision::Deny => false,
            };
            if !visible {
                continue;
            }
            patients.extend(patient);
            out.push(entry);
        }
        self.audit_patients(ctx, "history", patients).await?;
        Ok(out)
    }

    /// Search current resources of a type. `count` defaults to 50, at most 1,000.
    pub(super) async fn search_matches(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        params: &[(String, String)],
    ) -> Result<SearchPage> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let tenant_key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        let scope = self.authorize(ctx, Action::Read, rtype, None).await?;
        let mut parsed = parse(rtype, params, tenant_key.blind_key())?;
        if let Scope::Patients(ids) = scope {
            parsed.clauses.push(crate::search::Clause::Compartment(ids));
        }
        let count = parsed.count.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
        let plan = SearchPlan {
            tenant: ctx.tenant.clone(),
            rtype: rtype.to_owned(),
            clauses: parsed.clauses,
            after: parsed.after,
            limit: count + 1,
        };
        let total = if parsed.total {
            Some(self.backend.count(&plan).await?)
        } else {
            None
        };
        if count == 0 {
            return Ok(SearchPage {
                resources: Vec::new(),
                next: None,
                total,
                warnings: parsed.warnings,
                included: Vec::new(),
            });
        }
        let mut rows = self.backend.search(&plan).await?;
        let next = if rows.len() > count {
            rows.truncate(count);
            rows.last()
                .map(|r| format!("{}.{}", r.last_updated, r.row_id))
        } else {
            None
        };
        let mut resources = Vec::with_capacity(rows.len());
        let mut patients = BTreeSet::new();
        let mut warnings = parsed.warnings;
        for raw in rows {
            let json = match self.open_content(&ctx.tenant, &raw).await {
                Ok(j) => j,
                Err(StoreError::Erased(_)) => continue,
                // One damaged row must not hide every other result; it is logged and reported.
                Err(StoreError::Corrupted(what)) => {
                    warnings.push(format!("{what} could not be decrypted and was left out"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(&json) else {
                return Err(StoreError::Corrupted(format!("{}/{}", raw.rtype, raw.id)));
            };
            if !passes(&parsed.post_filters, &value) {
                continue;
            }
            patients.extend(crate::extract::patient_of(&raw.rtype, &raw.id, &value));
            resources.push(to_stored(raw, json));
        }
        self.audit_patients(ctx, "search", patients).await?;
        Ok(SearchPage {
            resources,
            next,
            total,
            warnings,
            included: Vec::new(),
        })
    }

    /// One read event per patient whose data was returned.
    async fn audit_patients(
        &self,
        ctx: &AccessContext,
        action: &str,
        patients: BTreeSet<String>,
    ) -> Result<()> {
        for p in patients {
            let draft = self
                .audit_draft(ctx, action, None, Some(&p), "success", None)
                .await?;
            self.audit_read(draft);
        }
        Ok(())
    }
}

fn parse_ids(rtype: &str, id: &str) -> Result<(&'static str, ResourceId)> {
    Ok((ResourceType::parse(rtype)?.as_str(), ResourceId::parse(id)?))
}

fn to_stored(raw: RawResource, json: Vec<u8>) -> StoredResource {
    StoredResource {
        rtype: raw.rtype,
        id: raw.id,
        version: raw.version,
        last_updated: Timestamp::from_micros(raw.last_updated),
        deleted: raw.deleted,
        json,
    }
}

fn patient_of_json(stored: &StoredResource) -> Option<String> {
    if stored.rtype == "Patient" {
        return Some(stored.id.clone());
    }
    let value: serde_json::Value = serde_json::from_slice(&stored.json).ok()?;
    crate::extract::patient_of(&stored.rtype, &stored.id, &value)
}

/// Post-filters for blind prefixes longer than the index holds: some word must start with it.
fn passes(filters: &[PostFilter], resource: &serde_json::Value) -> bool {
    filters.iter().all(|f| {
        values::select(resource, f.rule.paths)
            .into_iter()
            .any(|node| {
                values::strings(node)
                    .iter()
                    .any(|s| words(&normalize(s)).any(|w| w.starts_with(&f.prefix)))
            })
    })
}
