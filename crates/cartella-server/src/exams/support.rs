//! What the examination, lab and anamnesis services share: the access pre-check, reads that
//! answer `NotFound`, searches that follow every page, the author reference. Small copies of
//! the clinical module's private helpers, kept here so the two features evolve separately.

use crate::clinical::ClinicalError;
use cartella_core::ResourceId;
use cartella_core::access::{Action, Decision, Principal};
use cartella_core::clinical::codes::{EXT_AUTHOR_ROLE, ROLE_SYSTEM, USER_SYSTEM};
use cartella_store::{AccessContext, Store, StoreError, StoredResource};
use jiff::civil::Date;
use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, ClinicalError>;

/// Refuse a caller whose roles never allow `action` on `rtype` before any other work (audited).
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

/// The caller's context acting as the system, for records the service itself generates
/// (seeded templates, devices); the audit rows still name the caller.
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

/// The patient must exist in this practice; returns the birth date.
pub async fn patient(store: &Store, ctx: &AccessContext, id: &str) -> Result<Option<Date>> {
    let (_, p) = read(store, ctx, "Patient", id, "patient").await?;
    Ok(p["birthDate"].as_str().and_then(|d| d.parse().ok()))
}

/// The Patient id a clinical resource references (`subject` or `patient`).
pub fn patient_of(resource: &Value) -> Option<&str> {
    ["subject", "patient"].iter().find_map(|f| {
        resource[f]["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Patient/"))
    })
}

/// A visit given with a record must exist and be this patient's (else a field error).
pub async fn check_encounter(
    store: &Store,
    ctx: &AccessContext,
    encounter: &str,
    patient: &str,
) -> Result<()> {
    match read(store, ctx, "Encounter", encounter, "encounter").await {
        Ok((_, e)) if patient_of(&e) == Some(patient) => Ok(()),
        Ok(_) | Err(ClinicalError::NotFound(_)) => Err(ClinicalError::field(
            "encounter",
            "unknown_encounter",
            "No visit of this patient has this id.",
        )),
        Err(e) => Err(e),
    }
}

/// The acting user as a FHIR reference by identifier, with the role acted in.
pub fn author(ctx: &AccessContext) -> Value {
    json!({
        "extension": [{"url": EXT_AUTHOR_ROLE, "valueCodeableConcept":
            {"coding": [{"system": ROLE_SYSTEM, "code": ctx.role}], "text": ctx.role}}],
        "identifier": {"system": USER_SYSTEM, "value": ctx.actor},
    })
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

pub fn new_id() -> String {
    ResourceId::new_v7().to_string()
}

pub fn now_fhir() -> String {
    cartella_core::clinical::time::fhir(jiff::Timestamp::now())
}
