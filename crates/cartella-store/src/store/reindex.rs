//! Rebuild the search index from the content: after an upgrade whose extraction rules index
//! something new or differently, or to repair index rows. No new versions are written.

use super::{AccessContext, Store};
use crate::error::{Result, StoreError};
use crate::extract::extract;
use crate::model::WriteOp;
use crate::search::{Cursor, SearchPlan, SortValue};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use serde_json::Value;

/// Resources read and re-indexed per backend call.
const PAGE: usize = 500;

/// What [`Store::reindex`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReindexReport {
    /// Current resources whose index rows were rebuilt.
    pub resources: u64,
    /// Resources of erased patients, which can no longer be read (nor found: erasure removed
    /// their index rows).
    pub erased: u64,
}

impl Store {
    /// Rebuild the index rows of every current resource of the caller's practice with this
    /// binary's rules. A resource written meanwhile keeps the rows its write gave it. Needs the
    /// administrator's right; audited as one event with the counts.
    pub async fn reindex(&self, ctx: &AccessContext) -> Result<ReindexReport> {
        self.authorize_admin(ctx).await?;
        let tenant_key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        let mut report = ReindexReport::default();
        for rtype in R4_RESOURCE_TYPES {
            let mut plan = SearchPlan {
                tenant: ctx.tenant.clone(),
                rtype: rtype.to_owned(),
                clauses: Vec::new(),
                sort: Default::default(),
                after: None,
                limit: PAGE,
            };
            loop {
                let rows = self.backend.search(&plan).await?;
                let Some(last) = rows.last() else { break };
                plan.after = Some(Cursor {
                    value: SortValue::Int(last.last_updated),
                    row: last.row_id,
                });
                let full = rows.len() == PAGE;
                let mut batch = Vec::with_capacity(rows.len());
                for raw in rows {
                    let json = match self.open_content(&ctx.tenant, &raw).await {
                        Ok(json) => json,
                        Err(StoreError::Erased(_)) => {
                            report.erased += 1;
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let resource: Value = serde_json::from_slice(&json)
                        .map_err(|_| StoreError::Corrupted(format!("{rtype}/{}", raw.id)))?;
                    let index = extract(rtype, &resource, tenant_key.blind_key());
                    batch.push((
                        raw.row_id,
                        WriteOp {
                            tenant: ctx.tenant.clone(),
                            rtype: raw.rtype,
                            id: raw.id,
                            prev_version: Some(raw.version),
                            version: raw.version,
                            last_updated: raw.last_updated,
                            deleted: false,
                            key_id: raw.key_id,
                            patient_id: raw.patient,
                            content: raw.content,
                            index,
                            bookings: None,
                        },
                    ));
                }
                let writing = std::time::Instant::now();
                report.resources += self.backend.reindex(batch).await?;
                // As long again for everyone else's writes: run beside a serving process, an
                // unpaced reindex held the write lock most of the time.
                tokio::time::sleep(writing.elapsed()).await;
                if !full {
                    break;
                }
            }
        }
        let details = format!(
            "{{\"resources\":{},\"erased\":{}}}",
            report.resources, report.erased
        );
        let draft = self
            .audit_draft(ctx, "reindex", None, None, "success", Some(details))
            .await?;
        self.backend.append_audit(vec![draft]).await?;
        Ok(report)
    }
}

/// Where the fingerprint of the rules the index was built with is kept.
const INDEX_RULES_KEY: &str = "index_rules";

/// Whether the stored index was built with this binary's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexRules {
    Current,
    /// Built with other rules (an upgrade changed them): searches may miss older resources
    /// until `cartella reindex` has run.
    Changed {
        stored: String,
        current: String,
    },
}

impl Store {
    /// Compare the fingerprint recorded with the database with this binary's. A database
    /// without one (new, or from before fingerprints) is taken to be current and recorded so.
    pub async fn index_rules(&self) -> Result<IndexRules> {
        let current = crate::extract::rules::fingerprint();
        match self.backend.get_meta(INDEX_RULES_KEY).await? {
            Some(stored) if stored == current.as_bytes() => Ok(IndexRules::Current),
            Some(stored) => Ok(IndexRules::Changed {
                stored: String::from_utf8_lossy(&stored).into_owned(),
                current,
            }),
            None => {
                self.mark_index_current().await?;
                Ok(IndexRules::Current)
            }
        }
    }

    /// Record that every practice's index was built with this binary's rules (after a reindex
    /// of all of them).
    pub async fn mark_index_current(&self) -> Result<()> {
        let current = crate::extract::rules::fingerprint();
        self.backend
            .put_meta(INDEX_RULES_KEY, current.as_bytes())
            .await
    }
}
