//! Several writes committed as one: the store side of FHIR transaction bundles. Every write is
//! checked and sealed like a single one; the batch goes to the backend in one transaction, so
//! either all land or none does.

use super::authorize::Scope;
use super::write::{PendingKeys, RETRIES, backoff, is_transient, validate_body};
use super::{AccessContext, Store, StoredResource};
use crate::error::{Result, StoreError};
use crate::model::*;
use cartella_core::access::Action;
use cartella_core::{ResourceId, ResourceType};
use serde_json::Value;
use std::collections::HashSet;

/// One write of a transaction. Ids are final (the caller assigned new ones for creates).
#[derive(Debug, Clone)]
pub enum Write {
    /// Create or update `rtype/id`; with `if_match`, only if that is the current version.
    Put {
        rtype: String,
        id: String,
        body: Value,
        if_match: Option<i64>,
    },
    /// Create `rtype/id` under an id the caller has just assigned (a UUIDv7): no lookup of a
    /// current version first (a bundle of 500 creates made 500 of them); should the id exist
    /// after all, the commit refuses the write as a version conflict.
    Create {
        rtype: String,
        id: String,
        body: Value,
    },
    /// Delete `rtype/id` (nothing happens when it does not exist or is already deleted).
    Delete { rtype: String, id: String },
}

/// What one write did.
#[derive(Debug, Clone)]
pub enum Written {
    Put {
        resource: StoredResource,
        created: bool,
    },
    Deleted {
        rtype: String,
        id: String,
        version: Option<i64>,
    },
}

/// A failed [`Store::write_all_indexed`]: the error, and which write caused it when one did (a
/// commit that collides with a concurrent writer names none).
#[derive(Debug)]
pub struct WriteAllError {
    pub index: Option<usize>,
    pub error: StoreError,
}

impl Store {
    /// Commit all writes atomically, in order; duplicates of one resource are refused.
    pub async fn write_all(&self, ctx: &AccessContext, writes: Vec<Write>) -> Result<Vec<Written>> {
        self.write_all_indexed(ctx, writes, Vec::new())
            .await
            .map_err(|e| e.error)
    }

    /// [`Store::write_all`], telling which write failed (a FHIR transaction names the entry),
    /// and committed only if each of `absent` still matches nothing (conditional creates).
    pub async fn write_all_indexed(
        &self,
        ctx: &AccessContext,
        mut writes: Vec<Write>,
        absent: Vec<Absent>,
    ) -> std::result::Result<Vec<Written>, WriteAllError> {
        let whole = |error| WriteAllError { index: None, error };
        for attempt in 1..=RETRIES {
            let mut pending = PendingKeys::new();
            let mut batch = WriteBatch::default();
            let mut out = Vec::with_capacity(writes.len());
            let mut seen = HashSet::new();
            // Staged in place: a body is stamped where it lies and kept for another attempt.
            for (index, w) in writes.iter_mut().enumerate() {
                let written = self
                    .stage(ctx, w, &mut seen, &mut pending, &mut batch)
                    .await
                    .map_err(|error| WriteAllError {
                        index: Some(index),
                        error,
                    })?;
                out.push(written);
            }
            batch.new_keys = pending.values().map(|(_, r)| r.clone()).collect();
            batch.absent = absent.clone();
            match self.backend.write(batch).await {
                Ok(()) => {
                    self.remember_keys(ctx, pending);
                    for w in &out {
                        match w {
                            Written::Put { resource: r, .. } => {
                                self.announce(ctx, &r.rtype, &r.id, r.version, false)
                            }
                            Written::Deleted {
                                rtype,
                                id,
                                version: Some(v),
                            } => self.announce(ctx, rtype, id, *v, true),
                            Written::Deleted { .. } => {}
                        }
                    }
                    return Ok(out);
                }
                Err(e) if attempt < RETRIES && is_transient(&e) => {
                    for p in pending.keys() {
                        self.keys.forget_patient(&ctx.tenant, p);
                    }
                    backoff(attempt).await;
                }
                Err(e) => return Err(whole(e)),
            }
        }
        Err(whole(StoreError::Conflict(
            "the transaction kept colliding with concurrent writes; try again".into(),
        )))
    }

    /// Check and seal one write into `batch`.
    async fn stage(
        &self,
        ctx: &AccessContext,
        w: &mut Write,
        seen: &mut HashSet<(&'static str, ResourceId)>,
        pending: &mut PendingKeys,
        batch: &mut WriteBatch,
    ) -> Result<Written> {
        match w {
            Write::Put {
                rtype,
                id,
                body,
                if_match,
            } => {
                self.stage_put(
                    ctx,
                    (rtype, id, body),
                    *if_match,
                    false,
                    seen,
                    pending,
                    batch,
                )
                .await
            }
            Write::Create { rtype, id, body } => {
                self.stage_put(ctx, (rtype, id, body), None, true, seen, pending, batch)
                    .await
            }
            Write::Delete { rtype, id } => {
                let rtype = ResourceType::parse(rtype)?.as_str();
                let id = ResourceId::parse(id)?;
                if !seen.insert((rtype, id.clone())) {
                    return Err(StoreError::InvalidResource(format!(
                        "{rtype}/{id} is written twice in one transaction"
                    )));
                }
                self.authorize(ctx, Action::Delete, rtype, Some(id.as_str()))
                    .await?;
                let current = self
                    .backend
                    .current(&ctx.tenant, rtype, id.as_str())
                    .await?;
                let version = match current {
                    Some(c) if !c.deleted => {
                        let (op, draft) = self.tombstone(ctx, rtype, id.as_str(), &c).await?;
                        let v = op.version;
                        batch.ops.push(op);
                        batch.audit.push(draft);
                        Some(v)
                    }
                    _ => None,
                };
                Ok(Written::Deleted {
                    rtype: rtype.to_owned(),
                    id: id.to_string(),
                    version,
                })
            }
        }
    }

    /// Check and seal one create or update; `fresh` ids (just assigned) have no version to look up.
    #[allow(clippy::too_many_arguments)]
    async fn stage_put(
        &self,
        ctx: &AccessContext,
        (rtype, id, body): (&str, &str, &mut Value),
        if_match: Option<i64>,
        fresh: bool,
        seen: &mut HashSet<(&'static str, ResourceId)>,
        pending: &mut PendingKeys,
        batch: &mut WriteBatch,
    ) -> Result<Written> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let id = ResourceId::parse(id)?;
        if !seen.insert((rtype, id.clone())) {
            return Err(StoreError::InvalidResource(format!(
                "{rtype}/{id} is written twice in one transaction"
            )));
        }
        let scope = self
            .authorize(ctx, Action::Write, rtype, Some(id.as_str()))
            .await?;
        let body = validate_body(rtype, body)?;
        if scope != Scope::All {
            self.check_compartment(ctx, &scope, Action::Write, rtype, id.as_str(), body)
                .await?;
        }
        // A compartment-limited caller is never taken at its word that an id is new: the lookup
        // is what lets `check_existing` refuse another patient's resource.
        let prev = if fresh && scope == Scope::All {
            None
        } else {
            self.backend
                .current_version(&ctx.tenant, rtype, id.as_str())
                .await?
        };
        if scope != Scope::All && prev.is_some() {
            self.check_existing(ctx, &scope, rtype, id.as_str()).await?;
        }
        if let Some(expected) = if_match
            && prev != Some(expected)
        {
            return Err(StoreError::VersionConflict {
                resource: format!("{rtype}/{id}"),
                expected: expected.to_string(),
                current: prev.map_or_else(|| "none".into(), |v| v.to_string()),
            });
        }
        let (op, stored, draft) = self
            .prepare_audited(ctx, rtype, id.as_str(), body, prev, pending)
            .await?;
        batch.ops.push(op);
        batch.audit.push(draft);
        Ok(Written::Put {
            resource: stored,
            created: prev.is_none(),
        })
    }
}
