//! The clinical record's JSON API on every backend: visits with notes, closing and amendments
//! (history and Provenance), vitals with per-field errors, alerts and series, diagnoses with
//! ICD-10 codes, allergies, and prescriptions blocked by alerts unless overridden.

mod device_import;
mod encounters;
mod records;
mod vitals;

use super::*;
use crate::support::worlds;
use serde_json::json;

/// A call to `/api/v1{path}` with the service token in clinic-a.
pub(super) async fn call(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Reply {
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(TOKEN)
        .header("X-Cartella-Tenant", TENANT_A);
    if let Some(b) = body {
        req = req.json(b);
    }
    send(req).await
}

/// `call`, expecting `status`; returns `data`.
pub(super) async fn expect(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    status: StatusCode,
) -> Value {
    let r = call(app, method.clone(), path, body).await;
    assert_eq!(r.status, status, "{}: {method} {path}: {r:?}", app.backend);
    r.json()["data"].clone()
}

/// A patient born on `birth`, created through FHIR; returns its id.
pub(super) async fn new_patient(app: &TestApp, birth: &str) -> String {
    app.create_id("Patient", &patient("Bianchi", "Lucia", birth, "MRN-1"))
        .await
}

/// `(field, code)` of a 422 answer.
pub(super) fn field_errors(r: &Reply) -> Vec<(String, String)> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let mut v: Vec<_> = r.json()["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field list: {r:?}"))
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// How many resources of `rtype` the patient has, through FHIR search.
pub(super) async fn count(app: &TestApp, rtype: &str, patient: &str) -> usize {
    let (ids, _) = app
        .search_all(TENANT_A, &format!("{rtype}?patient={patient}"))
        .await;
    ids.len()
}
