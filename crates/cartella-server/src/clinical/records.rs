//! Diagnoses (Condition with ICD-10-CM codes; the problem list is the active ones) and
//! allergies (AllergyIntolerance, the substance coded through the drug table when it is a
//! known drug). Both feed the chart header and the prescribing checks.

use super::ClinicalError;
use super::common::{
    Result, author, encounter_of_patient, ensure_may, json_of, patient, patient_ref, read,
    search_all,
};
use cartella_core::access::Action;
use cartella_core::clinical::codes::*;
use cartella_core::clinical::inputs::{AllergyInput, CLINICAL_STATUSES, ConditionInput};
use cartella_core::clinical::{Problems, time};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use cartella_terminology::{Icd10Code, Rules, TermError};
use serde_json::{Value, json};

pub const DIAGNOSIS_CATEGORIES: [&str; 2] = ["problem-list-item", "encounter-diagnosis"];

fn status(system: &str, code: &str) -> Value {
    json!({"coding": [{"system": system, "code": code}]})
}

/// The ICD-10-CM code of a form, checked against the shipped release.
fn icd10(p: &mut Problems, raw: Option<&str>) -> Option<Icd10Code> {
    match Icd10Code::parse(raw?) {
        Ok(c) => Some(c),
        Err(e @ TermError::Icd10Format(_)) => {
            p.push("code", "invalid_code", e.to_string());
            None
        }
        Err(e) => {
            p.push("code", "unknown_code", e.to_string());
            None
        }
    }
}

/// Record a condition. `categories[0]` is the default category; `extra` adds elements (e.g.
/// the anamnesis category).
pub async fn add_condition(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &ConditionInput,
    categories: &[&'static str],
) -> Result<Value> {
    ensure_may(store, ctx, "Condition", Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let now = jiff::Timestamp::now();
    let (valid, mut p) = input.check(now, categories);
    let code = if p.has("code") {
        None
    } else {
        icd10(&mut p, valid.code.as_deref())
    };
    if let Some(e) = input.encounter.as_deref().filter(|e| !e.trim().is_empty()) {
        match encounter_of_patient(store, ctx, e.trim(), patient_id).await {
            Err(ClinicalError::Validation(v)) => p.0.extend(v),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    p.into_result(())?;
    let mut c = json!({
        "resourceType": "Condition",
        "clinicalStatus": status(CONDITION_CLINICAL, valid.clinical_status),
        "verificationStatus": status(CONDITION_VERIFICATION, valid.verification_status),
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": valid.category}]}],
        "subject": patient_ref(patient_id),
        "recordedDate": time::fhir(now),
        "recorder": author(ctx),
    });
    c["code"] = match &code {
        Some(code) => json!({
            "coding": [{"system": ICD10CM, "code": code.as_str(), "display": code.description()}],
            "text": valid.text.as_deref().unwrap_or(code.description()),
        }),
        None => json!({"text": valid.text}),
    };
    if let Some(e) = input.encounter.as_deref().filter(|e| !e.trim().is_empty()) {
        c["encounter"] = json!({"reference": format!("Encounter/{}", e.trim())});
    }
    if let Some(o) = valid.onset {
        c["onsetDateTime"] = json!(o.to_string());
    }
    let resolved = matches!(valid.clinical_status, "resolved" | "inactive" | "remission");
    match (valid.abatement, resolved) {
        (Some(a), _) => c["abatementDateTime"] = json!(a.to_string()),
        (None, true) => c["abatementDateTime"] = json!(time::fhir(now)),
        _ => {}
    }
    if let Some(n) = valid.note {
        c["note"] = json!([{"text": n}]);
    }
    let out = store
        .create(ctx, "Condition", c, WriteOptions::default())
        .await?;
    Ok(condition_view(&json_of(&out.resource)?))
}

/// One problem-list row.
pub fn condition_view(c: &Value) -> Value {
    let coding = &c["code"]["coding"][0];
    json!({
        "id": c["id"],
        "version": c["meta"]["versionId"],
        "code": coding["code"],
        "system": coding["system"],
        "display": c["code"]["text"],
        "clinical_status": c["clinicalStatus"]["coding"][0]["code"],
        "verification_status": c["verificationStatus"]["coding"][0]["code"],
        "category": c["category"][0]["coding"][0]["code"],
        "onset": c["onsetDateTime"],
        "abatement": c["abatementDateTime"],
        "encounter": c["encounter"]["reference"],
    })
}

/// The patient's conditions with `clinical_status` (all when `None`), newest first;
/// `category` narrows to one category.
pub async fn conditions(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    clinical_status: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let mut params = vec![("patient", patient_id.to_owned())];
    if let Some(s) = clinical_status {
        params.push(("clinical-status", s.to_owned()));
    }
    if let Some(c) = category {
        params.push(("category", c.to_owned()));
    }
    let mut all = search_all(store, ctx, "Condition", &params, 10_000).await?;
    all.sort_by(|a, b| b["recordedDate"].as_str().cmp(&a["recordedDate"].as_str()));
    Ok(all.iter().map(condition_view).collect())
}

/// Change a condition's clinical status (resolve it, or reactivate it): a new version.
pub async fn set_condition_status(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    clinical_status: &str,
    abatement: Option<&str>,
) -> Result<Value> {
    ensure_may(store, ctx, "Condition", Action::Write).await?;
    let (s, mut c) = read(store, ctx, "Condition", id, "condition").await?;
    let mut p = Problems::default();
    let new = p.choice(
        "clinical_status",
        Some(clinical_status),
        &CLINICAL_STATUSES,
        "active",
    );
    let now = jiff::Timestamp::now();
    let end = time::past_date(&mut p, "abatement", abatement, now);
    p.into_result(())?;
    c["clinicalStatus"] = status(CONDITION_CLINICAL, new);
    if let Value::Object(m) = &mut c {
        m.remove("abatementDateTime");
    }
    if matches!(new, "resolved" | "inactive" | "remission") {
        c["abatementDateTime"] = json!(end.map_or_else(|| time::fhir(now), |d| d.to_string()));
    }
    let opts = WriteOptions {
        if_match: Some(s.version),
        ..Default::default()
    };
    let out = store.update(ctx, "Condition", id, c, opts).await?;
    Ok(condition_view(&json_of(&out.resource)?))
}

/// The coded substance: a known drug gets its ATC code, a known class is recognised (text),
/// anything else stays free text.
fn substance(text: &str) -> (Value, &'static str) {
    let rules = Rules::builtin();
    match (rules.canonical_drug(text), rules.atc(text)) {
        (Some(inn), Some(atc)) => (
            json!({"coding": [{"system": ATC, "code": atc, "display": inn}], "text": text}),
            "drug",
        ),
        (Some(_), None) => (json!({"text": text}), "drug"),
        _ if rules.recognises(text) => (json!({"text": text}), "class"),
        _ => (json!({"text": text}), "free-text"),
    }
}

pub async fn add_allergy(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &AllergyInput,
) -> Result<Value> {
    ensure_may(store, ctx, "AllergyIntolerance", Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let now = jiff::Timestamp::now();
    let valid = input.validate(now)?;
    let (code, _) = substance(&valid.substance);
    let mut a = json!({
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": status(ALLERGY_CLINICAL, "active"),
        "verificationStatus": status(ALLERGY_VERIFICATION, valid.verification_status),
        "category": [valid.category],
        "criticality": valid.criticality,
        "code": code,
        "patient": patient_ref(patient_id),
        "recordedDate": time::fhir(now),
        "recorder": author(ctx),
    });
    if let Some(r) = &valid.reaction {
        let mut reaction = json!({"manifestation": [{"text": r}]});
        if let Some(s) = valid.severity {
            reaction["severity"] = json!(s);
        }
        a["reaction"] = json!([reaction]);
    }
    if let Some(o) = valid.onset {
        a["onsetDateTime"] = json!(o.to_string());
    }
    if let Some(n) = valid.note {
        a["note"] = json!([{"text": n}]);
    }
    let out = store
        .create(ctx, "AllergyIntolerance", a, WriteOptions::default())
        .await?;
    Ok(allergy_view(&json_of(&out.resource)?))
}

pub fn allergy_view(a: &Value) -> Value {
    let text = a["code"]["text"].as_str().unwrap_or("");
    json!({
        "id": a["id"],
        "substance": text,
        "coded_as": substance(text).1,
        "atc": a["code"]["coding"][0]["code"],
        "criticality": a["criticality"],
        "category": a["category"][0],
        "clinical_status": a["clinicalStatus"]["coding"][0]["code"],
        "verification_status": a["verificationStatus"]["coding"][0]["code"],
        "reaction": a["reaction"][0]["manifestation"][0]["text"],
        "severity": a["reaction"][0]["severity"],
    })
}

/// Allergies that count: active and not refuted or entered in error (the header, the checks).
pub async fn active_allergies(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [
        ("patient", patient_id.to_owned()),
        ("clinical-status", "active".to_owned()),
    ];
    let all = search_all(store, ctx, "AllergyIntolerance", &params, 1_000).await?;
    Ok(all
        .iter()
        .filter(|a| {
            !matches!(
                a["verificationStatus"]["coding"][0]["code"].as_str(),
                Some("refuted" | "entered-in-error")
            )
        })
        .map(allergy_view)
        .collect())
}
