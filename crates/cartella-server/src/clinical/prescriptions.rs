//! Prescriptions (MedicationRequest) with checks at prescribing time: the drug against the
//! patient's active allergies (same drug, class, cross-reactivity) and active prescriptions
//! (interactions), by the shipped rule table. Any alert refuses the prescription (409) unless
//! the request gives `override_reason`; then the MedicationRequest and a DetectedIssue (the
//! alerts, with the override as mitigation and its reason) are written in one transaction, so
//! the override has its own audit row and can never exist without its prescription.

use super::ClinicalError;
use super::common::{
    Result, author, encounter_of_patient, ensure_may, json_of, new_id, patient, patient_ref, read,
    search_all,
};
use super::records::active_allergies;
use cartella_core::access::Action;
use cartella_core::clinical::codes::{ATC, EXT_OVERRIDE_REASON, UCUM};
use cartella_core::clinical::inputs::PrescriptionInput;
use cartella_core::clinical::time;
use cartella_store::store::{Write, WriteOptions, Written};
use cartella_store::{AccessContext, Store};
use cartella_terminology::{Alert, Rules, Severity, ucum};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Serialize)]
pub struct Prescribed {
    pub prescription: Value,
    /// The alerts that were overridden (empty when there were none).
    pub overridden: Vec<Alert>,
    pub detected_issue: Option<String>,
}

fn medication(text: &str) -> Value {
    let rules = Rules::builtin();
    match (rules.canonical_drug(text), rules.atc(text)) {
        (Some(inn), Some(atc)) => {
            json!({"coding": [{"system": ATC, "code": atc, "display": inn}], "text": text})
        }
        _ => json!({"text": text}),
    }
}

/// The patient's active prescriptions.
pub async fn active(store: &Store, ctx: &AccessContext, patient_id: &str) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [
        ("patient", patient_id.to_owned()),
        ("status", "active".to_owned()),
    ];
    let all = search_all(store, ctx, "MedicationRequest", &params, 5_000).await?;
    Ok(all.iter().map(view).collect())
}

pub fn view(m: &Value) -> Value {
    let d = &m["dosageInstruction"][0];
    json!({
        "id": m["id"],
        "drug": m["medicationCodeableConcept"]["text"],
        "atc": m["medicationCodeableConcept"]["coding"][0]["code"],
        "status": m["status"],
        "dose": d["doseAndRate"][0]["doseQuantity"]["value"],
        "dose_unit": d["doseAndRate"][0]["doseQuantity"]["code"],
        "route": d["route"]["text"],
        "frequency": d["timing"]["code"]["text"],
        "duration_days": d["timing"]["repeat"]["boundsDuration"]["value"],
        "instructions": d["patientInstruction"],
        "authored_on": m["authoredOn"],
    })
}

pub async fn prescribe(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &PrescriptionInput,
) -> Result<Prescribed> {
    ensure_may(store, ctx, "MedicationRequest", Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let (valid, mut p) = input.check();
    if let Some((_, unit)) = &valid.dose
        && ucum::validate(unit).is_err()
    {
        p.push(
            "dose_unit",
            "unknown_unit",
            format!("`{unit}` is not a UCUM unit (e.g. mg, mL, {{tbl}})."),
        );
    }
    let encounter = input
        .encounter
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = encounter {
        match encounter_of_patient(store, ctx, e, patient_id).await {
            Err(ClinicalError::Validation(v)) => p.0.extend(v),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    p.into_result(())?;

    let allergies = active_allergies(store, ctx, patient_id).await?;
    let allergy_names: Vec<&str> = allergies
        .iter()
        .filter_map(|a| a["substance"].as_str())
        .collect();
    let meds = active(store, ctx, patient_id).await?;
    let med_names: Vec<&str> = meds.iter().filter_map(|m| m["drug"].as_str()).collect();
    let alerts = Rules::builtin().check_prescription(&valid.drug, &allergy_names, &med_names);
    if !alerts.is_empty() && valid.override_reason.is_none() {
        return Err(ClinicalError::Alerts(alerts));
    }

    let now = time::fhir(jiff::Timestamp::now());
    let id = new_id();
    let mut dosage = json!({
        "text": valid.frequency,
        "route": {"text": valid.route},
        "timing": {"code": {"text": valid.frequency}},
    });
    if let Some((v, u)) = &valid.dose {
        dosage["doseAndRate"] =
            json!([{"doseQuantity": {"value": v, "unit": u, "system": UCUM, "code": u}}]);
    }
    if let Some(d) = valid.duration_days {
        dosage["timing"]["repeat"] =
            json!({"boundsDuration": {"value": d, "unit": "d", "system": UCUM, "code": "d"}});
    }
    if let Some(i) = &valid.instructions {
        dosage["patientInstruction"] = json!(i);
    }
    let mut rx = json!({
        "resourceType": "MedicationRequest",
        "id": id,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": medication(&valid.drug),
        "subject": patient_ref(patient_id),
        "authoredOn": now,
        "requester": author(ctx),
        "dosageInstruction": [dosage],
    });
    if let Some(e) = encounter {
        rx["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    let mut writes = vec![Write::Put {
        rtype: "MedicationRequest".into(),
        id: id.clone(),
        body: rx,
        if_match: None,
    }];
    let issue_id = (!alerts.is_empty()).then(new_id);
    if let (Some(issue), Some(reason)) = (&issue_id, &valid.override_reason) {
        writes.push(Write::Put {
            rtype: "DetectedIssue".into(),
            id: issue.clone(),
            body: detected_issue(ctx, patient_id, &id, &alerts, reason, &now),
            if_match: None,
        });
    }
    let written = store.write_all(ctx, writes).await?;
    let prescription = match written.into_iter().next() {
        Some(Written::Put { resource, .. }) => view(&json_of(&resource)?),
        _ => Value::Null,
    };
    Ok(Prescribed {
        prescription,
        overridden: alerts,
        detected_issue: issue_id,
    })
}

fn detected_issue(
    ctx: &AccessContext,
    patient_id: &str,
    rx: &str,
    alerts: &[Alert],
    reason: &str,
    now: &str,
) -> Value {
    let top = alerts
        .iter()
        .map(|a| a.severity)
        .max()
        .unwrap_or(Severity::Minor);
    let severity = match top {
        Severity::Contraindicated | Severity::Major => "high",
        Severity::Moderate => "moderate",
        Severity::Minor => "low",
    };
    // DRG (drug interaction) or ALLERGY, from v3-ActCode's detected-issue codes.
    let code = if alerts
        .iter()
        .any(|a| a.kind != cartella_terminology::AlertKind::Interaction)
    {
        ("ALGY", "Allergy Alert")
    } else {
        ("DRG", "Drug Interaction Alert")
    };
    let detail: Vec<String> = alerts.iter().map(|a| a.message.en.clone()).collect();
    json!({
        "resourceType": "DetectedIssue",
        "extension": [{"url": EXT_OVERRIDE_REASON, "valueString": reason}],
        "status": "final",
        "code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code.0, "display": code.1}]},
        "severity": severity,
        "patient": patient_ref(patient_id),
        "identifiedDateTime": now,
        "author": author(ctx),
        "implicated": [{"reference": format!("MedicationRequest/{rx}")}],
        "detail": detail.join(" "),
        "reference": alerts.first().map(|a| a.source.clone()),
        "mitigation": [{
            "action": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "_ActDetectedIssueManagementCode"}],
                "text": format!("alert overridden by the prescriber: {reason}")},
            "date": now,
            "author": author(ctx),
        }],
    })
}

/// Stop a prescription (`stopped`), a new version.
pub async fn stop(store: &Store, ctx: &AccessContext, id: &str) -> Result<Value> {
    ensure_may(store, ctx, "MedicationRequest", Action::Write).await?;
    let (s, mut m) = read(store, ctx, "MedicationRequest", id, "prescription").await?;
    if m["status"] != "active" {
        return Err(ClinicalError::State(
            "only an active prescription can be stopped".into(),
        ));
    }
    m["status"] = json!("stopped");
    let opts = WriteOptions {
        if_match: Some(s.version),
        ..Default::default()
    };
    let out = store.update(ctx, "MedicationRequest", id, m, opts).await?;
    Ok(view(&json_of(&out.resource)?))
}
