//! Deletion (tombstones), batched import and erasure (crypto-shredding): the write paths that
//! are not a single create or update.

use super::authorize::Scope;
use super::content::aad;
use super::write::{PendingKeys, RETRIES, backoff, is_transient, stamp_meta, validate_body};
use super::{AccessContext, Store, StoredResource};
use crate::error::{Result, StoreError};
use crate::model::*;
use cartella_core::access::Action;
use cartella_core::{ResourceId, ResourceType, Timestamp};
use serde_json::{Map, Value};

impl Store {
    /// Delete: a tombstone version (content keeps only type, id and meta). Deleting a deleted
    /// resource changes nothing and returns `None`.
    pub async fn delete(&self, ctx: &AccessContext, rtype: &str, id: &str) -> Result<Option<i64>> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let id = ResourceId::parse(id)?;
        let id = id.as_str();
        let scope = self.authorize(ctx, Action::Delete, rtype, Some(id)).await?;
        for _ in 0..RETRIES {
            let current = self.backend.current(&ctx.tenant, rtype, id).await?;
            let Some(current) = current else {
                return Err(StoreError::NotFound(format!("{rtype}/{id}")));
            };
            if current.deleted {
                return Ok(None);
            }
            if scope != Scope::All {
                let body: Map<String, Value> =
                    serde_json::from_slice(&self.open_content(&ctx.tenant, &current).await?)
                        .map_err(|_| StoreError::Corrupted(format!("{rtype}/{id}")))?;
                self.check_compartment(ctx, &scope, Action::Delete, rtype, id, &body)
                    .await?;
            }
            let (op, draft) = self.tombstone(ctx, rtype, id, &current).await?;
            let batch = WriteBatch {
                ops: vec![op],
                audit: vec![draft],
                ..Default::default()
            };
            match self.backend.write(batch).await {
                Ok(()) => {
                    self.announce(ctx, rtype, id, current.version + 1, true);
                    return Ok(Some(current.version + 1));
                }
                Err(StoreError::VersionConflict { .. } | StoreError::Contention(_)) => {
                    backoff(RETRIES / 2).await
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict(format!(
            "{rtype}/{id} is being changed concurrently; try again"
        )))
    }

    /// The tombstone version that deletes `current`, with its audit event.
    pub(super) async fn tombstone(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        id: &str,
        current: &RawResource,
    ) -> Result<(WriteOp, AuditDraft)> {
        let version = current.version + 1;
        let now = Timestamp::now();
        let mut body = Map::new();
        body.insert("resourceType".into(), Value::String(rtype.to_owned()));
        body.insert("id".into(), Value::String(id.to_owned()));
        stamp_meta(&mut body, version, now);
        let key = self
            .keys
            .key(self.backend.as_ref(), &ctx.tenant, &current.key_id)
            .await?;
        let json = serde_json::to_vec(&Value::Object(body))
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let content = self.options.cipher.seal(
            key.secret(),
            &aad(&ctx.tenant, rtype, id, version, &key.id),
            &json,
        );
        // The tombstone stays in its compartment: a compartment-limited reader is told of the
        // deletion only when it is its own, and erasure finds it.
        let patient = super::read::known_patient(current);
        let draft = self
            .audit_draft(
                ctx,
                "delete",
                Some((rtype, id, Some(version))),
                patient.as_deref(),
                "success",
                None,
            )
            .await?;
        let op = WriteOp {
            tenant: ctx.tenant.clone(),
            rtype: rtype.to_owned(),
            id: id.to_owned(),
            prev_version: Some(current.version),
            version,
            last_updated: now.micros(),
            deleted: true,
            key_id: key.id.clone(),
            patient_id: patient,
            content,
            index: IndexRows::default(),
            bookings: (rtype == "Appointment").then(Vec::new),
        };
        Ok((op, draft))
    }

    /// Import many resources in one transaction (all or nothing). A valid `id` in a body is kept
    /// (create or update); otherwise the server assigns one.
    pub async fn import(
        &self,
        ctx: &AccessContext,
        mut items: Vec<(String, Value)>,
    ) -> Result<Vec<StoredResource>> {
        for attempt in 1..=RETRIES {
            let mut pending = PendingKeys::new();
            let mut batch = WriteBatch::default();
            let mut stored = Vec::with_capacity(items.len());
            let mut seen = std::collections::HashSet::new();
            // Sealed in place: a body is stamped where it lies and kept for another attempt.
            for (rtype, body) in items.iter_mut() {
                let rtype = ResourceType::parse(rtype)?.as_str();
                let scope = self.authorize(ctx, Action::Write, rtype, None).await?;
                let body = validate_body(rtype, body)?;
                let claimed = body
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                self.check_compartment(ctx, &scope, Action::Write, rtype, &claimed, body)
                    .await?;
                let given = body
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|s| ResourceId::parse(s).ok());
                let (id, prev) = match given {
                    Some(id) => {
                        let prev = self
                            .backend
                            .current_version(&ctx.tenant, rtype, id.as_str())
                            .await?;
                        (id, prev)
                    }
                    None => (ResourceId::new_v7(), None),
                };
                if !seen.insert((rtype, id.clone())) {
                    return Err(StoreError::InvalidResource(format!(
                        "{rtype}/{id} appears twice in one import"
                    )));
                }
                let (op, s, draft) = self
                    .prepare_audited(ctx, rtype, id.as_str(), body, prev, &mut pending)
                    .await?;
                batch.ops.push(op);
                batch.audit.push(draft);
                stored.push(s);
            }
            batch.new_keys = pending.values().map(|(_, r)| r.clone()).collect();
            match self.backend.write(batch).await {
                Ok(()) => {
                    self.remember_keys(ctx, pending);
                    return Ok(stored);
                }
                Err(e)
                    if attempt < RETRIES
                        && (is_transient(&e)
                            || matches!(e, StoreError::VersionConflict { .. })) =>
                {
                    for p in pending.keys() {
                        self.keys.forget_patient(&ctx.tenant, p);
                    }
                    backoff(attempt).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict(
            "import kept colliding with concurrent writes; try again".into(),
        ))
    }

    /// Crypto-shredding (GDPR Art. 17): destroy the patient's key and every index row of their
    /// compartment. The ciphertext stays but can never be opened again.
    pub async fn erase_patient(
        &self,
        ctx: &AccessContext,
        patient_id: &str,
    ) -> Result<ErasureReport> {
        let id = ResourceId::parse(patient_id)?;
        self.authorize_admin(ctx).await?;
        let draft = self
            .audit_draft(
                ctx,
                "erase",
                Some(("Patient", id.as_str(), None)),
                Some(id.as_str()),
                "success",
                None,
            )
            .await?;
        let report = self
            .backend
            .erase_patient(&ctx.tenant, id.as_str(), Timestamp::now().micros(), draft)
            .await?;
        self.keys.forget_patient(&ctx.tenant, id.as_str());
        Ok(report)
    }
}
