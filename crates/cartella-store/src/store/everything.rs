//! `Patient/$everything`: a patient's whole compartment, as far as the caller may read it.

use super::authorize::Scope;
use super::read::SearchPage;
use super::{AccessContext, Store, StoredResource};
use crate::error::{Result, StoreError};
use cartella_core::access::{Action, Decision};
use cartella_core::{ResourceId, Timestamp};

impl Store {
    /// Every current resource in the patient's compartment (the Patient included), a page of
    /// `count` at a time by row id (`after`: the previous page's cursor). Types the caller may
    /// not read are left out, not refused: a secretary's `$everything` is the demographics.
    pub async fn everything(
        &self,
        ctx: &AccessContext,
        patient_id: &str,
        count: usize,
        after: Option<i64>,
    ) -> Result<SearchPage> {
        let id = ResourceId::parse(patient_id)?;
        let scope = self
            .authorize(ctx, Action::Read, "Patient", Some(id.as_str()))
            .await?;
        if !scope.admits(Some(id.as_str())) && scope != Scope::All {
            return Err(self
                .deny(ctx, Action::Read, "Patient", Some(id.as_str()))
                .await);
        }
        let count = count.clamp(1, super::read::MAX_PAGE);
        let mut rows = self
            .backend
            .compartment(&ctx.tenant, id.as_str(), after, count + 1)
            .await?;
        if after.is_none() && rows.is_empty() {
            return Err(StoreError::NotFound(format!("Patient/{id}")));
        }
        let next = if rows.len() > count {
            rows.truncate(count);
            rows.last().map(|r| r.row_id.to_string())
        } else {
            None
        };
        let mut resources = Vec::with_capacity(rows.len());
        for raw in rows {
            let visible = match ctx.principal.decide(&raw.rtype, Action::Read) {
                Decision::Allow => true,
                Decision::Compartment(ids) => ids.iter().any(|p| p == id.as_str()),
                Decision::Deny => false,
            };
            if !visible {
                continue;
            }
            let json = self.open_content(&ctx.tenant, &raw).await?;
            resources.push(StoredResource {
                rtype: raw.rtype,
                id: raw.id,
                version: raw.version,
                last_updated: Timestamp::from_micros(raw.last_updated),
                deleted: false,
                json,
            });
        }
        let draft = self
            .audit_draft(
                ctx,
                "everything",
                Some(("Patient", id.as_str(), None)),
                Some(id.as_str()),
                "success",
                Some(format!("{{\"count\":{}}}", resources.len())),
            )
            .await?;
        self.audit_read(draft);
        Ok(SearchPage {
            resources,
            next,
            total: None,
            warnings: Vec::new(),
            included: Vec::new(),
        })
    }
}
