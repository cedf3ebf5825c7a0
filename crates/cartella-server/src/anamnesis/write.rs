//! Adding to the anamnesis, one section entry at a time: each checks every field (the core
//! rules, then ICD-10-CM codes and the visit), writes one resource through the store (one
//! audit row) or nothing, and answers with the entry's row (see [`super::read`]).

use super::read::{complaint_row, condition_row, family_row, hospitalisation_row, surgery_row};
use super::support::*;
use super::{EXT_COURSE, RECENT, REMOTE, SNOMED};
use cartella_core::access::Action;
use cartella_core::anamnesis::{
    ComplaintInput, FamilyInput, HospitalisationInput, PastConditionInput, SurgeryInput,
    relationships::ROLE_CODE,
};
use cartella_core::clinical::codes::*;
use cartella_core::clinical::time;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use serde_json::{Value, json};

fn trimmed(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|c| !c.is_empty())
}

fn status(system: &str, code: &str) -> Value {
    json!({"coding": [{"system": system, "code": code}]})
}

fn category(code: &str) -> Value {
    json!({"coding": [{"system": CONDITION_CATEGORY, "code": code}]})
}

async fn create(store: &Store, ctx: &AccessContext, rtype: &str, body: Value) -> Result<Value> {
    let out = store
        .create(ctx, rtype, body, WriteOptions::default())
        .await?;
    json_of(&out.resource)
}

/// The access and patient checks every section starts with.
async fn start(store: &Store, ctx: &AccessContext, rtype: &str, patient_id: &str) -> Result<()> {
    ensure_may(store, ctx, rtype, Action::Write).await?;
    patient(store, ctx, patient_id).await
}

pub async fn add_past_condition(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &PastConditionInput,
) -> Result<Value> {
    start(store, ctx, "Condition", patient_id).await?;
    let now = jiff::Timestamp::now();
    let (v, mut p) = input.check(now);
    let code = if p.has("code") {
        None
    } else {
        icd10(&mut p, "code", v.coded.code.as_deref())
    };
    p.into_result(())?;
    let mut c = json!({
        "resourceType": "Condition",
        "clinicalStatus": status(CONDITION_CLINICAL, v.clinical_status),
        "verificationStatus": status(CONDITION_VERIFICATION, "confirmed"),
        "category": [category("problem-list-item"), section(REMOTE)],
        "code": concept(&v.coded, code.as_ref()),
        "subject": patient_ref(patient_id),
        "recordedDate": time::fhir(now),
        "recorder": author(ctx),
    });
    if let Some(o) = v.onset {
        c["onsetDateTime"] = json!(o.0);
    }
    if let Some(a) = v.abatement {
        c["abatementDateTime"] = json!(a.0);
    }
    if let Some(n) = v.note {
        c["note"] = json!([{"text": n}]);
    }
    Ok(condition_row(&create(store, ctx, "Condition", c).await?))
}

pub async fn add_surgery(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &SurgeryInput,
) -> Result<Value> {
    start(store, ctx, "Procedure", patient_id).await?;
    let now = jiff::Timestamp::now();
    let (v, p) = input.check(now);
    let v = p.into_result(v)?.ok_or(ClinicalErrorShim)?;
    let mut code = json!({"text": v.text});
    if let Some(c) = &v.code {
        code["coding"] = json!([{"system": SNOMED, "code": c}]);
    }
    let mut pr = json!({
        "resourceType": "Procedure",
        "status": "completed",
        "category": section(REMOTE),
        "code": code,
        "subject": patient_ref(patient_id),
        "recorder": author(ctx),
    });
    if let Some(d) = v.performed {
        pr["performedDateTime"] = json!(d.0);
    }
    if let Some(n) = v.note {
        pr["note"] = json!([{"text": n}]);
    }
    Ok(surgery_row(&create(store, ctx, "Procedure", pr).await?))
}

pub async fn add_hospitalisation(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &HospitalisationInput,
) -> Result<Value> {
    start(store, ctx, "Encounter", patient_id).await?;
    let now = jiff::Timestamp::now();
    let (v, mut p) = input.check(now);
    let code = if p.has("code") {
        None
    } else {
        icd10(&mut p, "code", trimmed(input.code.as_deref()))
    };
    let v = p.into_result(v)?.ok_or(ClinicalErrorShim)?;
    let mut period = json!({"start": v.start.0});
    if let Some(e) = &v.end {
        period["end"] = json!(e.0);
    }
    let mut e = json!({
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"},
        "type": [section(REMOTE)],
        "subject": patient_ref(patient_id),
        "period": period,
        "reasonCode": [concept(&v.reason, code.as_ref())],
    });
    if let Some(l) = v.location {
        e["location"] = json!([{"location": {"display": l}}]);
    }
    if let Some(n) = v.note {
        // Encounter has no note: the narrative goes in the text of the history entry.
        e["text"] = json!({"status": "additional", "div": narrative(&n)});
    }
    Ok(hospitalisation_row(
        &create(store, ctx, "Encounter", e).await?,
    ))
}

/// An XHTML narrative of plain text (escaped).
fn narrative(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">{escaped}</div>")
}

pub async fn add_complaint(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &ComplaintInput,
) -> Result<Value> {
    start(store, ctx, "Condition", patient_id).await?;
    let now = jiff::Timestamp::now();
    let (v, mut p) = input.check(now);
    let code = if p.has("code") {
        None
    } else {
        icd10(&mut p, "code", trimmed(input.code.as_deref()))
    };
    let encounter = input
        .encounter
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = encounter {
        encounter_problem(store, ctx, &mut p, e, patient_id).await?;
    }
    let v = p.into_result(v)?.ok_or(ClinicalErrorShim)?;
    let coded = cartella_core::anamnesis::Coded {
        code: v.code.clone(),
        text: Some(v.text.clone()),
    };
    let mut c = json!({
        "resourceType": "Condition",
        "clinicalStatus": status(CONDITION_CLINICAL, "active"),
        "verificationStatus": status(CONDITION_VERIFICATION, "unconfirmed"),
        "category": [category("encounter-diagnosis"), section(RECENT)],
        "code": concept(&coded, code.as_ref()),
        "subject": patient_ref(patient_id),
        "recordedDate": time::fhir(now),
        "recorder": author(ctx),
    });
    if let Some(course) = v.course {
        c["extension"] = json!([{"url": EXT_COURSE, "valueCode": course}]);
    }
    if let Some(o) = v.onset {
        c["onsetDateTime"] = json!(o.0);
    }
    if let Some(e) = encounter {
        c["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    if let Some(n) = v.note {
        c["note"] = json!([{"text": n}]);
    }
    Ok(complaint_row(&create(store, ctx, "Condition", c).await?))
}

pub async fn add_family(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &FamilyInput,
) -> Result<Value> {
    start(store, ctx, "FamilyMemberHistory", patient_id).await?;
    let now = jiff::Timestamp::now();
    let (v, mut p) = input.check();
    let code = if p.has("code") {
        None
    } else {
        icd10(&mut p, "code", trimmed(input.code.as_deref()))
    };
    let v = p.into_result(v)?.ok_or(ClinicalErrorShim)?;
    let (rel, display) = v.relationship;
    let mut condition = json!({"code": concept(&v.condition, code.as_ref())});
    if let Some(age) = v.onset_age {
        condition["onsetAge"] = json!({"value": age, "unit": "a", "system": UCUM, "code": "a"});
    }
    let mut f = json!({
        "resourceType": "FamilyMemberHistory",
        "status": "completed",
        "patient": patient_ref(patient_id),
        "date": time::fhir(now),
        "relationship": {"coding": [{"system": ROLE_CODE, "code": rel, "display": display}]},
        "condition": [condition],
    });
    if let Some(d) = v.deceased {
        f["deceasedBoolean"] = json!(d);
    }
    if let Some(n) = v.note {
        f["note"] = json!([{"text": n}]);
    }
    Ok(family_row(
        &create(store, ctx, "FamilyMemberHistory", f).await?,
    ))
}

/// A form whose core check found nothing to report yet returned no value cannot happen; this
/// turns that impossible case into a plain validation error instead of a panic.
struct ClinicalErrorShim;

impl From<ClinicalErrorShim> for crate::clinical::ClinicalError {
    fn from(_: ClinicalErrorShim) -> Self {
        crate::clinical::ClinicalError::Invalid("incomplete form".into())
    }
}
