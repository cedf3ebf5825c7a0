//! What the anamnesis services need beyond the clinical record's shared helpers (re-exported
//! from `clinical::common`): the patient and visit checks and ICD-10-CM coding.

use crate::clinical::ClinicalError;
use cartella_core::ResourceId;
use cartella_core::anamnesis::Coded;
use cartella_core::clinical::Problems;
use cartella_core::clinical::codes::{ANAMNESIS_SYSTEM, ICD10CM};
use cartella_store::{AccessContext, Store, StoreError};
use cartella_terminology::{Icd10Code, TermError};
use serde_json::{Value, json};

pub use crate::clinical::common::{Result, author, ensure_may, json_of, patient_ref, search_all};

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
