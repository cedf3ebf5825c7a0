//! Ordering lab tests: one `ServiceRequest` per test or panel, all of one order in one
//! transaction with a shared requisition; the patient's orders; one order.

use super::{REQUISITION_SYSTEM, catalog, order_category};
use crate::clinical::ClinicalError;
use crate::exams::support::{
    Result, author, check_encounter, ensure_may, new_id, now_fhir, patient, patient_ref, read,
    search_all,
};
use cartella_core::access::Action;
use cartella_core::clinical::codes::LOINC;
use cartella_core::labs::OrderInput;
use cartella_store::store::Write;
use cartella_store::{AccessContext, Store};
use serde_json::{Value, json};

/// Places an order; returns the created orders' views.
pub async fn order(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    input: &OrderInput,
) -> Result<Vec<Value>> {
    ensure_may(store, ctx, "ServiceRequest", Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let (valid, mut p) = input.check();
    let unknown: Vec<&str> = valid
        .tests
        .iter()
        .filter(|c| catalog::orderable(c).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        p.push(
            "tests",
            "unknown_test",
            format!("Not an orderable test or panel: {}.", unknown.join(", ")),
        );
    }
    let encounter = input
        .encounter
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = encounter {
        match check_encounter(store, ctx, e, patient_id).await {
            Err(ClinicalError::Validation(v)) => p.0.extend(v),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
    }
    p.into_result(())?;
    let requisition = new_id();
    let authored = now_fhir();
    let mut writes = Vec::new();
    for code in &valid.tests {
        let Some(term) = catalog::orderable(code) else {
            return Err(ClinicalError::field(
                "tests",
                "unknown_test",
                "Not an orderable test.",
            ));
        };
        let id = new_id();
        let mut sr = json!({
            "resourceType": "ServiceRequest",
            "id": id,
            "status": "active",
            "intent": "order",
            "category": order_category(),
            "priority": valid.priority,
            "code": {"coding": [{"system": LOINC, "code": term.code, "display": term.display}], "text": term.display},
            "subject": patient_ref(patient_id),
            "requisition": {"system": REQUISITION_SYSTEM, "value": requisition},
            "authoredOn": authored,
            "requester": author(ctx),
        });
        if let Some(e) = encounter {
            sr["encounter"] = json!({"reference": format!("Encounter/{e}")});
        }
        if let Some(n) = &valid.note {
            sr["note"] = json!([{"text": n}]);
        }
        writes.push(Write::Put {
            rtype: "ServiceRequest".into(),
            id,
            body: sr,
            if_match: None,
        });
    }
    let written = store.write_all(ctx, writes).await?;
    written
        .iter()
        .filter_map(|w| match w {
            cartella_store::store::Written::Put { resource, .. } => Some(resource),
            _ => None,
        })
        .map(|r| crate::exams::support::json_of(r).map(|v| view(&v)))
        .collect()
}

/// One order as the API and pages show it.
pub fn view(sr: &Value) -> Value {
    let code = sr["code"]["coding"][0]["code"].as_str().unwrap_or("");
    json!({
        "id": sr["id"],
        "version": sr["meta"]["versionId"],
        "status": sr["status"],
        "priority": sr["priority"],
        "code": code,
        "display": sr["code"]["text"],
        "panel": catalog::reported_tests(code).len() > 1,
        "requisition": sr["requisition"]["value"],
        "authored": sr["authoredOn"],
        "requester": sr["requester"]["identifier"]["value"],
        "encounter": sr["encounter"]["reference"],
        "note": sr["note"][0]["text"],
        "patient": crate::exams::support::patient_of(sr),
    })
}

/// The patient's lab orders, newest first.
pub async fn list(store: &Store, ctx: &AccessContext, patient_id: &str) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [("patient", patient_id.to_owned())];
    let mut all = search_all(store, ctx, "ServiceRequest", &params, 10_000).await?;
    all.retain(|s| s["category"] == order_category());
    all.sort_by(|a, b| b["authoredOn"].as_str().cmp(&a["authoredOn"].as_str()));
    Ok(all.iter().map(view).collect())
}

/// One lab order (the stored version and the resource).
pub async fn get(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
) -> Result<(cartella_store::StoredResource, Value)> {
    let (s, v) = read(store, ctx, "ServiceRequest", id, "lab order").await?;
    if v["category"] != order_category() {
        return Err(ClinicalError::NotFound("lab order"));
    }
    Ok((s, v))
}
