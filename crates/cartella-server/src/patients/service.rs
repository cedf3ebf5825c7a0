//! Registry writes and reads: create (with the duplicate warning), get, update (optimistic
//! concurrency, merged onto the stored resource) and deactivate. Validation happens here once,
//! so the HTML form and the JSON API refuse exactly the same input.

use super::error::PatientError;
use super::search::duplicates;
use super::stale::stale;
use cartella_core::ResourceId;
use cartella_core::access::{Action, Decision};
use cartella_core::patient::{PatientInput, PatientSummary, fhir};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store, StoreError, StoredResource};
use serde::Serialize;
use serde_json::Value;

type Result<T> = std::result::Result<T, PatientError>;

pub(super) const PATIENT: &str = "Patient";

/// A stored patient as every surface needs it.
#[derive(Debug, Clone, Serialize)]
pub struct PatientRecord {
    pub id: String,
    /// The version to send back with an update (`If-Match` or `version`).
    pub version: i64,
    pub last_updated: String,
    /// The list row (display name, main identifier, …).
    pub summary: PatientSummary,
    /// The edit form, prefilled.
    pub input: PatientInput,
    /// The FHIR Patient as stored.
    pub resource: Value,
}

impl PatientRecord {
    pub(super) fn from_stored(stored: &StoredResource) -> Result<Self> {
        let resource = parse(stored)?;
        Ok(PatientRecord {
            id: stored.id.clone(),
            version: stored.version,
            last_updated: stored.last_updated.to_string(),
            summary: fhir::to_summary(&resource),
            input: fhir::to_input(&resource),
            resource,
        })
    }
}

pub(super) fn parse(stored: &StoredResource) -> Result<Value> {
    serde_json::from_slice(&stored.json)
        .map_err(|_| PatientError::Store(StoreError::Corrupted(format!("Patient/{}", stored.id))))
}

/// A malformed id names no patient.
pub(super) fn patient_id(id: &str) -> Result<ResourceId> {
    ResourceId::parse(id).map_err(|_| PatientError::NotFound)
}

/// Refuse a caller whose roles never allow `action` on Patients before any other work (so a
/// forbidden caller gets 403 whatever it sent), audited like the store's own refusals.
pub(super) async fn ensure_may(
    store: &Store,
    ctx: &AccessContext,
    action: Action,
    id: Option<&str>,
) -> Result<()> {
    if ctx.principal.decide(PATIENT, action) != Decision::Deny {
        return Ok(());
    }
    store
        .audit_access(
            ctx,
            action.as_str(),
            Some((PATIENT, id.unwrap_or(""))),
            "denied",
        )
        .await?;
    Err(PatientError::Forbidden(format!(
        "not allowed: {} may not {action} Patient",
        ctx.role
    )))
}

/// Register a patient. Unless `confirm_duplicate`, patients with the same family name, first
/// given name and birth date are returned as [`PatientError::Duplicate`] instead.
pub async fn create(
    store: &Store,
    ctx: &AccessContext,
    input: &PatientInput,
    confirm_duplicate: bool,
) -> Result<PatientRecord> {
    ensure_may(store, ctx, Action::Write, None).await?;
    let valid = input.validate().map_err(PatientError::Validation)?;
    if !confirm_duplicate {
        let found = duplicates(store, ctx, &valid, None).await?;
        if !found.is_empty() {
            return Err(PatientError::Duplicate(found));
        }
    }
    let body = fhir::to_fhir(&valid, None);
    let out = store
        .create(ctx, PATIENT, body, WriteOptions::default())
        .await?;
    PatientRecord::from_stored(&out.resource)
}

pub async fn get(store: &Store, ctx: &AccessContext, id: &str) -> Result<PatientRecord> {
    let id = patient_id(id)?;
    let stored = store.read(ctx, PATIENT, id.as_str()).await?;
    PatientRecord::from_stored(&stored)
}

/// Save the edit form over version `expected_version`. Elements the form does not show are
/// kept; a newer stored version is [`PatientError::Stale`] with who changed it and when.
pub async fn update(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    expected_version: i64,
    input: &PatientInput,
) -> Result<PatientRecord> {
    let id = patient_id(id)?;
    ensure_may(store, ctx, Action::Write, Some(id.as_str())).await?;
    let valid = input.validate().map_err(PatientError::Validation)?;
    let current = store.read(ctx, PATIENT, id.as_str()).await?;
    if current.version != expected_version {
        return Err(stale(store, ctx, &current).await);
    }
    let body = fhir::to_fhir(&valid, Some(&parse(&current)?));
    write_over(store, ctx, id.as_str(), expected_version, body).await
}

/// Mark the patient inactive (records stay; FHIR `active: false`). Without
/// `expected_version` the current version is deactivated.
pub async fn deactivate(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    expected_version: Option<i64>,
) -> Result<PatientRecord> {
    let id = patient_id(id)?;
    ensure_may(store, ctx, Action::Write, Some(id.as_str())).await?;
    let current = store.read(ctx, PATIENT, id.as_str()).await?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(stale(store, ctx, &current).await);
    }
    let mut body = parse(&current)?;
    body["active"] = Value::Bool(false);
    write_over(store, ctx, id.as_str(), current.version, body).await
}

/// Write `body` if `version` is still current; a lost race is reported like any stale edit.
async fn write_over(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    version: i64,
    body: Value,
) -> Result<PatientRecord> {
    let opts = WriteOptions {
        if_match: Some(version),
        ..Default::default()
    };
    match store.update(ctx, PATIENT, id, body, opts).await {
        Ok(out) => PatientRecord::from_stored(&out.resource),
        Err(StoreError::VersionConflict { .. }) => {
            let current = store.read(ctx, PATIENT, id).await?;
            Err(stale(store, ctx, &current).await)
        }
        Err(e) => Err(e.into()),
    }
}
