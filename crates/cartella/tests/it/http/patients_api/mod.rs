//! The patient registry's JSON API (`/api/v1/patients`) on every backend: validation that
//! reports every field at once, check digits, the duplicate warning, search by name prefix,
//! birth date and identifier, stale edits with who and when, roles, tenants and merge.

mod access;
mod search;
mod writes;

use super::*;
use crate::support::worlds;
use serde_json::json;

pub(super) const CF: &str = "RSSMRA85T10A562S";
pub(super) const NIR: &str = "185057800608491";
pub(super) const KVNR: &str = "X110411675";

pub(super) fn api(
    app: &TestApp,
    tenant: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> RequestBuilder {
    let mut req = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(TOKEN)
        .header("X-Cartella-Tenant", tenant);
    if let Some(b) = body {
        req = req.json(b);
    }
    req
}

pub(super) async fn call_a(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    send(api(app, TENANT_A, method, path, body)).await
}

pub(super) fn form(family: &str, given: &str, birth: &str, cf: Option<&str>) -> Value {
    let ids: Vec<Value> = cf
        .map(|v| json!({"system": "http://hl7.it/sid/codiceFiscale", "value": v}))
        .into_iter()
        .collect();
    json!({
        "family": family, "given": given, "sex": "female", "birth_date": birth,
        "identifiers": ids, "phone": "+39 02 1234 5678", "language": "it",
    })
}

/// Create through the API, expecting 201; returns the record (`data`).
pub(super) async fn create(app: &TestApp, body: &Value) -> Value {
    let r = call_a(app, Method::POST, "/patients", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {r:?}", app.backend);
    r.json()["data"].clone()
}

pub(super) fn fields(r: &Reply) -> Vec<(String, String)> {
    r.json()["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no field list: {r:?}"))
        .iter()
        .map(|f| {
            assert!(f["message"].is_string(), "{f}");
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub(super) async fn search_ids(app: &TestApp, tenant: &str, query: &str) -> (Vec<String>, Value) {
    let r = send(api(
        app,
        tenant,
        Method::GET,
        &format!("/patients?{query}"),
        None,
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {query}: {r:?}", app.backend);
    let data = r.json()["data"].clone();
    let ids = data["patients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, data)
}

#[tokio::test]
async fn every_validation_problem_is_reported_at_once_and_nothing_is_saved() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let bad = json!({
            "family": "", "given": "Maria", "sex": "robot", "birth_date": "31/02/1985",
            "identifiers": [
                {"system": "http://hl7.it/sid/codiceFiscale", "value": "RSSMRA85T10A562T"},
                {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "185057800608492"},
                {"system": "http://fhir.de/sid/gkv/kvid-10", "value": "X110411676"}
            ],
            "phone": "call me", "email": "maria@", "language": "xx",
            "emergency_contact": {"phone": "333 1234567"},
        });
        let r = call_a(&app, Method::POST, "/patients", Some(&bad)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {r:?}",
            app.backend
        );
        assert_eq!(r.json()["error"]["code"], "VALIDATION_ERROR");
        let expected: Vec<(String, String)> = [
            ("family", "required"),
            ("sex", "invalid_choice"),
            ("birth_date", "invalid_date"),
            ("identifiers[0].value", "invalid_codice_fiscale"),
            ("identifiers[1].value", "invalid_nir"),
            ("identifiers[2].value", "invalid_kvnr"),
            ("phone", "invalid_phone"),
            ("email", "invalid_email"),
            ("emergency_contact.name", "required"),
            ("language", "invalid_choice"),
        ]
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
        assert_eq!(fields(&r), expected, "{}", app.backend);
        let fhir = app.get("Patient?_total=accurate").await.json();
        assert_eq!(fhir["total"], 0, "{}: nothing saved", app.backend);
    }
}

#[tokio::test]
async fn check_digits_are_enforced_and_both_surfaces_see_the_patient() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let mut body = form("Rossi", "Maria", "1985-12-10", Some("rss mra 85t10 a562s"));
        body["identifiers"].as_array_mut().unwrap().extend([
            json!({"system": "nir", "value": "1 85 05 78 006 084 91"}),
            json!({"system": "http://fhir.de/sid/gkv/kvid-10", "value": KVNR}),
            json!({"system": "http://clinic.example/mrn", "value": "MRN-7"}),
        ]);
        let rec = create(&app, &body).await;
        let id = rec["id"].as_str().unwrap();
        let values: Vec<&str> = rec["input"]["identifiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["value"].as_str().unwrap())
            .collect();
        assert_eq!(
            values,
            [CF, NIR, KVNR, "MRN-7"],
            "{}: canonical forms",
            app.backend
        );
        assert_eq!(rec["summary"]["main_identifier"]["value"], CF);
        let fhir = app.get(&format!("Patient/{id}")).await;
        assert_eq!(fhir.status, StatusCode::OK, "{}: {fhir:?}", app.backend);
        let p = fhir.json();
        assert_eq!(p["identifier"][1]["system"], "urn:oid:1.2.250.1.213.1.4.8");
        assert_eq!(p["name"][0]["family"], "Rossi");
        assert_eq!(p["active"], true);

        let bad = form("Bianchi", "Anna", "1990-01-01", Some("RSSMRA85T10A562T"));
        let r = call_a(&app, Method::POST, "/patients", Some(&bad)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {r:?}",
            app.backend
        );
        assert_eq!(
            fields(&r),
            [(
                "identifiers[0].value".to_owned(),
                "invalid_codice_fiscale".to_owned()
            )]
        );
    }
}
