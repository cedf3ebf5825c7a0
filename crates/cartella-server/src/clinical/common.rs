//! What every clinical service shares: the access pre-check, reading the patient a record
//! belongs to, the author as a FHIR reference, JSON of stored resources, and a search that
//! follows every page.

use super::ClinicalError;
use cartella_core::ResourceId;
use cartella_core::access::{Action, Decision, Principal};
use cartella_core::clinical::codes::{EXT_AUTHOR_ROLE, ROLE_SYSTEM, USER_SYSTEM};
use cartella_store::{AccessContext, Store, StoreError, StoredResource};
use jiff::civil::Date;
use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, ClinicalError>;

/// Refuse a caller whose roles never allow `action` on `rtype` before any other work, audited
/// like the store's own refusals (so a forbidden caller gets 403 whatever it sent).
pub async fn ensure_may(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    action: Action,
) -> Result<()> {
    if ctx.principal.decide(rtype, action) != Decision::Deny {
        return Ok(());
    }
    store
        .audit_access(ctx, action.as_str(), Some((rtype, "")), "denied")
        .await?;
    Err(ClinicalError::Forbidden(format!(
        "not allowed: {} may not {action} {rtype}",
        ctx.role
    )))
}

/// The caller's context acting as the system, for resources the service itself generates
/// (Provenance belongs to the security group, which clinicians may not write directly). The
/// actor and role stay the caller's, so the audit rows still name them; callers check the
/// caller's own rights first.
pub fn as_system(ctx: &AccessContext) -> AccessContext {
    AccessContext {
        principal: Principal::system(),
        ..ctx.clone()
    }
}

pub fn json_of(stored: &StoredResource) -> Result<Value> {
    serde_json::from_slice(&stored.json).map_err(|_| {
        ClinicalError::Store(StoreError::Corrupted(format!(
            "{}/{}",
            stored.rtype, stored.id
        )))
    })
}

/// Read `rtype/id`; a malformed id, a missing or deleted record is `NotFound(what)`.
pub async fn read(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    id: &str,
    what: &'static str,
) -> Result<(StoredResource, Value)> {
    ResourceId::parse(id).map_err(|_| ClinicalError::NotFound(what))?;
    match store.read(ctx, rtype, id).await {
        Ok(s) => {
            let v = json_of(&s)?;
            Ok((s, v))
        }
        Err(StoreError::NotFound(_) | StoreError::Deleted(_) | StoreError::Erased(_)) => {
            Err(ClinicalError::NotFound(what))
        }
        Err(e) => Err(e.into()),
    }
}

/// The patient a request is about: must exist in this practice. Returns the birth date.
pub async fn patient(store: &Store, ctx: &AccessContext, id: &str) -> Result<Option<Date>> {
    let (_, p) = read(store, ctx, "Patient", id, "patient").await?;
    Ok(p["birthDate"].as_str().and_then(|d| d.parse().ok()))
}

/// The id of the Patient a clinical resource references (`subject` or `patient`).
pub fn patient_of(resource: &Value) -> Option<&str> {
    ["subject", "patient"].iter().find_map(|f| {
        resource[f]["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Patient/"))
    })
}

/// An encounter given with a record must exist and be this patient's.
pub async fn encounter_of_patient(
    store: &Store,
    ctx: &AccessContext,
    encounter: &str,
    patient: &str,
) -> Result<Value> {
    let not_theirs = || {
        ClinicalError::field(
            "encounter",
            "unknown_encounter",
            "No visit of this patient has this id.",
        )
    };
    match read(store, ctx, "Encounter", encounter, "encounter").await {
        Ok((_, e)) if patient_of(&e) == Some(patient) => Ok(e),
        Ok(_) | Err(ClinicalError::NotFound(_)) => Err(not_theirs()),
        Err(e) => Err(e),
    }
}

/// The acting user as a FHIR reference (users are referenced by identifier: they are not
/// Practitioner resources).
pub fn author(ctx: &AccessContext) -> Value {
    json!({
        "extension": [{"url": EXT_AUTHOR_ROLE, "valueCodeableConcept": role(ctx)}],
        "identifier": {"system": USER_SYSTEM, "value": ctx.actor},
    })
}

/// `(user, role)` of an author reference written by [`author`].
pub fn author_of(reference: &Value) -> (Option<&str>, Option<&str>) {
    let role = reference["extension"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["url"] == EXT_AUTHOR_ROLE))
        .and_then(|e| e["valueCodeableConcept"]["text"].as_str());
    (reference["identifier"]["value"].as_str(), role)
}

/// The role the author acted in, as a CodeableConcept.
pub fn role(ctx: &AccessContext) -> Value {
    json!({"coding": [{"system": ROLE_SYSTEM, "code": ctx.role}], "text": ctx.role})
}

pub fn patient_ref(id: &str) -> Value {
    json!({"reference": format!("Patient/{id}")})
}

/// Every match of a search, following the pages (`max` caps the total, as a guard).
pub async fn search_all(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    params: &[(&str, String)],
    max: usize,
) -> Result<Vec<Value>> {
    let mut base: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    base.push(("_count".into(), "1000".into()));
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = base.clone();
        if let Some(c) = &cursor {
            q.push(("_cursor".into(), c.clone()));
        }
        let page = store.search(ctx, rtype, &q).await?;
        for r in &page.resources {
            out.push(json_of(r)?);
        }
        match page.next {
            Some(n) if out.len() < max => cursor = Some(n),
            _ => break,
        }
    }
    Ok(out)
}

/// A new server-assigned id (UUIDv7, so ids sort by creation time).
pub fn new_id() -> String {
    ResourceId::new_v7().to_string()
}
