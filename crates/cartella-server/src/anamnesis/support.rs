//! What the anamnesis services share: the access pre-check, the patient check, ICD-10-CM
//! coding, the author reference and paged search. (The clinical module keeps its own helpers
//! private; these are the same rules.)

use crate::clinical::ClinicalError;
use cartella_core::ResourceId;
use cartella_core::access::{Action, Decision};
use cartella_core::anamnesis::Coded;
use cartella_core::clinical::Problems;
use cartella_core::clinical::codes::{
    ANAMNESIS_SYSTEM, EXT_AUTHOR_ROLE, ICD10CM, ROLE_SYSTEM, USER_SYSTEM,
};
use cartella_store::{AccessContext, Store, StoreError, StoredResource};
use cartella_terminology::{Icd10Code, TermError};
use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, ClinicalError>;

/// 403 before any other work for a caller whose roles never allow `action` (audited).
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

pub fn json_of(stored: &StoredResource) -> Result<Value> {
    serde_json::from_slice(&stored.json).map_err(|_| {
        ClinicalError::Store(StoreError::Corrupted(format!(
            "{}/{}",
            stored.rtype, stored.id
        )))
    })
}

async fn read(
    store: &Store,
    ctx: &AccessContext,
    rtype: &str,
    id: &str,
    what: &'static str,
) -> Result<Value> {
    ResourceId::parse(id).map_err(|_| ClinicalError::NotFound(what))?;
    match store.read(ctx, rtype, id).await {
        Ok(s) => json_of(&s),
        Err(StoreError::NotFound(_) | StoreError::Deleted(_) | StoreError::Erased(_)) => {
            Err(ClinicalError::NotFound(what))
        }
        Err(e) => Err(e.into()),
    }
}

/// The patient must exist in this practice.
pub async fn patient(store: &Store, ctx: &AccessContext, id: &str) -> Result<()> {
    read(store, ctx, "Patient", id, "patient").await.map(|_| ())
}

/// A visit given with a record must be this patient's; otherwise a field problem.
pub async fn encounter_problem(
    store: &Store,
    ctx: &AccessContext,
    p: &mut Problems,
    encounter: &str,
    patient_id: &str,
) -> Result<()> {
    let want = format!("Patient/{patient_id}");
    match read(store, ctx, "Encounter", encounter, "encounter").await {
        Ok(e) if e["subject"]["reference"] == want.as_str() => Ok(()),
        Ok(_) | Err(ClinicalError::NotFound(_)) => {
            p.push(
                "encounter",
                "unknown_encounter",
                "No visit of this patient has this id.",
            );
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The ICD-10-CM code of a form (under `field`), checked against the shipped release.
pub fn icd10(p: &mut Problems, field: &str, raw: Option<&str>) -> Option<Icd10Code> {
    match Icd10Code::parse(raw?) {
        Ok(c) => Some(c),
        Err(e @ TermError::Icd10Format(_)) => {
            p.push(field, "invalid_code", e.to_string());
            None
        }
        Err(e) => {
            p.push(field, "unknown_code", e.to_string());
            None
        }
    }
}

/// A CodeableConcept of a checked code-or-text: the ICD-10-CM coding with the given text (or
/// the code's description), or the text alone.
pub fn concept(coded: &Coded, code: Option<&Icd10Code>) -> Value {
    match code {
        Some(c) => json!({
            "coding": [{"system": ICD10CM, "code": c.as_str(), "display": c.description()}],
            "text": coded.text.as_deref().unwrap_or(c.description()),
        }),
        None => json!({"text": coded.text}),
    }
}

/// The anamnesis section tag.
pub fn section(code: &str) -> Value {
    json!({"coding": [{"system": ANAMNESIS_SYSTEM, "code": code}]})
}

pub fn author(ctx: &AccessContext) -> Value {
    let role = json!({"coding": [{"system": ROLE_SYSTEM, "code": ctx.role}], "text": ctx.role});
    json!({
        "extension": [{"url": EXT_AUTHOR_ROLE, "valueCodeableConcept": role}],
        "identifier": {"system": USER_SYSTEM, "value": ctx.actor},
    })
}

pub fn patient_ref(id: &str) -> Value {
    json!({"reference": format!("Patient/{id}")})
}

/// Every match of a search, following the pages (at most `max`).
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
