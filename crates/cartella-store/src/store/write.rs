//! Writes: create, update (also as create), delete, batched import and erasure. Each call
//! becomes one [`WriteBatch`]: resource + history + index rows + audit event (+ outbox jobs),
//! committed atomically by the backend.

use super::authorize::Scope;
use super::content::aad;
use super::{AccessContext, Store, StoredResource};
use crate::crypto::DataKey;
use crate::error::{Result, StoreError};
use crate::extract::{extract, patient_of};
use crate::model::*;
use cartella_core::access::Action;
use cartella_core::{ResourceId, ResourceType, Timestamp};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Optional conditions and side effects of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Optimistic concurrency: the version the client last saw (`If-Match`).
    pub if_match: Option<i64>,
    /// Jobs committed with the write (the outbox).
    pub outbox: Vec<NewJob>,
    /// A conditional create's condition, which must still match nothing at commit.
    pub absent: Option<Absent>,
}

#[derive(Debug, Clone)]
pub struct WriteOutcome {
    pub resource: StoredResource,
    /// True when the write created the resource (201), false when it updated it (200).
    pub created: bool,
}

impl Store {
    /// A compartment-limited caller may only touch resources of the patients it may see.
    pub(super) async fn check_compartment(
        &self,
        ctx: &AccessContext,
        scope: &Scope,
        action: Action,
        rtype: &str,
        id: &str,
        body: &Map<String, Value>,
    ) -> Result<()> {
        if *scope == Scope::All {
            return Ok(());
        }
        let patient = patient_of(rtype, id, &Value::Object(body.clone()));
        if scope.admits(patient.as_deref()) {
            Ok(())
        } else {
            Err(self.deny(ctx, action, rtype, Some(id)).await)
        }
    }
}

impl Store {
    /// The current version of `rtype/id` must lie in the caller's compartment (deleted or erased
    /// versions have none to check).
    pub(super) async fn check_existing(
        &self,
        ctx: &AccessContext,
        scope: &Scope,
        rtype: &str,
        id: &str,
    ) -> Result<()> {
        let Some(current) = self.backend.current(&ctx.tenant, rtype, id).await? else {
            return Ok(());
        };
        if current.deleted {
            return Ok(());
        }
        let json = self.open_content(&ctx.tenant, &current).await?;
        let body: Map<String, Value> = serde_json::from_slice(&json)
            .map_err(|_| StoreError::Corrupted(format!("{rtype}/{id}")))?;
        self.check_compartment(ctx, scope, Action::Write, rtype, id, &body)
            .await
    }
}

/// Patient keys created during one batch, committed with it.
pub(super) type PendingKeys = HashMap<String, (Arc<DataKey>, DataKeyRecord)>;

/// Attempts before a write that keeps losing races gives up with a conflict.
pub(super) const RETRIES: usize = 20;

/// A short random pause before retrying, so racing writers spread out.
pub(super) async fn backoff(attempt: usize) {
    let max_us = 200 * attempt.min(10) as u64;
    tokio::time::sleep(std::time::Duration::from_micros(
        rand::random::<u64>() % max_us.max(1),
    ))
    .await;
}

/// Errors that a fresh attempt of the same write can overcome.
pub(super) fn is_transient(e: &StoreError) -> bool {
    matches!(e, StoreError::KeyRace | StoreError::Contention(_))
}

impl Store {
    /// Create with a server-assigned id (UUIDv7); an `id` in the body is ignored, as FHIR says.
    pub async fn create(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        body: Value,
        opts: WriteOptions,
    ) -> Result<WriteOutcome> {
        let id = ResourceId::new_v7();
        self.put(ctx, rtype, id.as_str(), body, opts, false).await
    }

    /// Update, or create with the client's id when absent. The body's `id` must match.
    pub async fn update(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        id: &str,
        body: Value,
        opts: WriteOptions,
    ) -> Result<WriteOutcome> {
        let id = ResourceId::parse(id)?;
        match body.get("id") {
            Some(Value::String(b)) if b == id.as_str() => {}
            Some(_) => {
                return Err(StoreError::InvalidResource(format!(
                    "the id in the body does not match the id in the URL ('{id}')"
                )));
            }
            None => {
                return Err(StoreError::InvalidResource(
                    "the body of an update must contain the resource id".into(),
                ));
            }
        }
        self.put(ctx, rtype, id.as_str(), body, opts, true).await
    }

    async fn put(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        id: &str,
        mut body: Value,
        opts: WriteOptions,
        may_exist: bool,
    ) -> Result<WriteOutcome> {
        let rtype = ResourceType::parse(rtype)?.as_str();
        let scope = self.authorize(ctx, Action::Write, rtype, Some(id)).await?;
        let body = validate_body(rtype, &mut body)?;
        self.check_compartment(ctx, &scope, Action::Write, rtype, id, body)
            .await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let prev = if may_exist {
                self.backend.current_version(&ctx.tenant, rtype, id).await?
            } else {
                None
            };
            if let Some(expected) = opts.if_match
                && prev != Some(expected)
            {
                return Err(conflict(rtype, id, Some(expected), prev));
            }
            // A compartment-limited caller may not overwrite what belongs to another patient,
            // whatever the new body says.
            if scope != Scope::All && prev.is_some() {
                self.check_existing(ctx, &scope, rtype, id).await?;
            }
            let mut pending = PendingKeys::new();
            let (op, stored, draft) = self
                .prepare_audited(ctx, rtype, id, body, prev, &mut pending)
                .await?;
            let patient = draft.patient_id.clone();
            let batch = WriteBatch {
                ops: vec![op],
                new_keys: pending.values().map(|(_, r)| r.clone()).collect(),
                audit: vec![draft],
                jobs: opts.outbox.clone(),
                absent: opts.absent.iter().cloned().collect(),
            };
            match self.backend.write(batch).await {
                Ok(()) => {
                    self.remember_keys(ctx, pending);
                    self.announce(ctx, rtype, id, stored.version, false);
                    return Ok(WriteOutcome {
                        resource: stored,
                        created: prev.is_none(),
                    });
                }
                Err(e)
                    if attempt < RETRIES
                        && (is_transient(&e)
                            || (opts.if_match.is_none()
                                && matches!(e, StoreError::VersionConflict { .. }))) =>
                {
                    if let Some(p) = &patient {
                        self.keys.forget_patient(&ctx.tenant, p);
                    }
                    backoff(attempt).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub(super) fn remember_keys(&self, ctx: &AccessContext, pending: PendingKeys) {
        for (_, (key, record)) in pending {
            self.keys.remember(&ctx.tenant, key, &record);
        }
    }

    /// [`Self::prepare`] plus the audit event of that create or update (same transaction).
    pub(super) async fn prepare_audited(
        &self,
        ctx: &AccessContext,
        rtype: &'static str,
        id: &str,
        body: &mut Map<String, Value>,
        prev: Option<i64>,
        pending: &mut PendingKeys,
    ) -> Result<(WriteOp, StoredResource, AuditDraft)> {
        let (op, stored, patient) = self.prepare(ctx, rtype, id, body, prev, pending).await?;
        let action = if prev.is_some() { "update" } else { "create" };
        let draft = self
            .audit_draft(
                ctx,
                action,
                Some((rtype, id, Some(op.version))),
                patient.as_deref(),
                "success",
                None,
            )
            .await?;
        Ok((op, stored, draft))
    }

    /// Seal one version: stamp meta, pick the compartment key, extract index rows. The body is
    /// stamped in place and kept, so a write that is tried again re-seals it without a copy.
    pub(super) async fn prepare(
        &self,
        ctx: &AccessContext,
        rtype: &'static str,
        id: &str,
        body: &mut Map<String, Value>,
        prev: Option<i64>,
        pending: &mut PendingKeys,
    ) -> Result<(WriteOp, StoredResource, Option<String>)> {
        let version = prev.unwrap_or(0) + 1;
        let now = Timestamp::now();
        body.insert("id".into(), Value::String(id.to_owned()));
        stamp_meta(body, version, now);
        // Moved, not copied: the sealing reads a `Value`, and the map goes back afterwards.
        let resource = Value::Object(std::mem::take(body));
        let sealed = self
            .seal(ctx, (rtype, id), &resource, (version, now), prev, pending)
            .await;
        if let Value::Object(map) = resource {
            *body = map;
        }
        sealed
    }

    /// [`Self::prepare`] once the body is stamped: the key, the index rows and the ciphertext.
    async fn seal(
        &self,
        ctx: &AccessContext,
        (rtype, id): (&'static str, &str),
        resource: &Value,
        (version, now): (i64, Timestamp),
        prev: Option<i64>,
        pending: &mut PendingKeys,
    ) -> Result<(WriteOp, StoredResource, Option<String>)> {
        let patient = patient_of(rtype, id, resource);
        let key = self
            .compartment_key(ctx, patient.as_deref(), pending)
            .await?;
        let tenant_key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        let index = extract(rtype, resource, tenant_key.blind_key());
        let bookings = (rtype == "Appointment")
            .then(|| crate::bookings::rows_for(resource))
            .transpose()?;
        let json = serde_json::to_vec(resource).map_err(|e| StoreError::Internal(e.to_string()))?;
        let content = self.options.cipher.seal(
            key.secret(),
            &aad(&ctx.tenant, rtype, id, version, &key.id),
            &json,
        );
        let op = WriteOp {
            tenant: ctx.tenant.clone(),
            rtype: rtype.to_owned(),
            id: id.to_owned(),
            prev_version: prev,
            version,
            last_updated: now.micros(),
            deleted: false,
            key_id: key.id.clone(),
            patient_id: patient.clone(),
            content,
            index,
            bookings,
        };
        let stored = StoredResource {
            rtype: rtype.to_owned(),
            id: id.to_owned(),
            version,
            last_updated: now,
            deleted: false,
            json,
        };
        Ok((op, stored, patient))
    }

    async fn compartment_key(
        &self,
        ctx: &AccessContext,
        patient: Option<&str>,
        pending: &mut PendingKeys,
    ) -> Result<Arc<DataKey>> {
        let backend = self.backend.as_ref();
        let Some(patient) = patient else {
            return self.keys.tenant_key(backend, &ctx.tenant).await;
        };
        if let Some((k, _)) = pending.get(patient) {
            return Ok(k.clone());
        }
        if let Some(k) = self.keys.patient_key(backend, &ctx.tenant, patient).await? {
            return Ok(k);
        }
        let (key, record) = self
            .keys
            .new_patient_key(backend, &ctx.tenant, patient)
            .await?;
        pending.insert(patient.to_owned(), (key.clone(), record));
        Ok(key)
    }
}

fn conflict(rtype: &str, id: &str, expected: Option<i64>, current: Option<i64>) -> StoreError {
    let show = |v: Option<i64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
    StoreError::VersionConflict {
        resource: format!("{rtype}/{id}"),
        expected: show(expected),
        current: show(current),
    }
}

/// A resource body must be a JSON object whose `resourceType` is the type written to.
pub(super) fn validate_body<'a>(
    rtype: &str,
    body: &'a mut Value,
) -> Result<&'a mut Map<String, Value>> {
    let Value::Object(map) = body else {
        return Err(StoreError::InvalidResource(
            "the body must be a JSON object".into(),
        ));
    };
    match map.get("resourceType").and_then(Value::as_str) {
        Some(t) if t == rtype => {}
        Some(t) => {
            return Err(StoreError::InvalidResource(format!(
                "resourceType '{}' does not match '{rtype}'",
                t.chars().take(64).collect::<String>()
            )));
        }
        None => {
            return Err(StoreError::InvalidResource(
                "resourceType is missing".into(),
            ));
        }
    }
    if let Some(id) = map.get("id")
        && !id.is_string()
    {
        return Err(StoreError::InvalidResource("id must be a string".into()));
    }
    if let Some(meta) = map.get("meta")
        && !meta.is_object()
    {
        return Err(StoreError::InvalidResource("meta must be an object".into()));
    }
    Ok(map)
}

pub(super) fn stamp_meta(body: &mut Map<String, Value>, version: i64, at: Timestamp) {
    let meta = body
        .entry("meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        meta.insert("versionId".into(), Value::String(version.to_string()));
        meta.insert("lastUpdated".into(), Value::String(at.to_string()));
    }
}
