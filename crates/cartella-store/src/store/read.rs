//! Reads: read, vread, history and search. Each opens content under its compartment key and
//! queues a read audit event (one per patient touched, batched off the request path).

use super::authorize::Scope;
use super::{AccessContext, Store, StoredResource};
use crate::error::{Result, StoreError};
use crate::model::{HistoryQuery, RawResource};
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
            // A compartment-limited caller learns of a deletion only in its own compartment.
            if !scope.admits(known_patient(&raw).as_deref()) {
                return Err(self.deny(ctx, Action::Read, rtype, Some(id.as_str())).await);
            }
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
        let known = known_patient(&raw);
        let stored = to_stored(raw, json);
        let patient = known.or_else(|| patient_of_json(&stored));
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

    /// One read event per patient whose data was returned.
    pub(super) async fn audit_patients(
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

pub(super) fn to_stored(raw: RawResource, json: Vec<u8>) -> StoredResource {
    StoredResource {
        rtype: raw.rtype,
        id: raw.id,
        version: raw.version,
        last_updated: Timestamp::from_micros(raw.last_updated),
        deleted: raw.deleted,
        json,
    }
}

/// The row's patient when it is known without opening the content: a Patient is its own, and a
/// current row records its compartment. `None` means the content must say (history rows, and
/// resources outside any compartment).
pub(super) fn known_patient(raw: &RawResource) -> Option<String> {
    if raw.rtype == "Patient" {
        return Some(raw.id.clone());
    }
    raw.patient.clone()
}

fn patient_of_json(stored: &StoredResource) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(&stored.json).ok()?;
    crate::extract::patient_of(&stored.rtype, &stored.id, &value)
}
