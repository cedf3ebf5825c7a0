//! `$validate` (structure, every problem listed) and XML requests (406).

use super::*;
use crate::support::worlds;
use serde_json::json;

fn issues(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let body = r.json();
    assert_eq!(body["resourceType"], "OperationOutcome");
    body["issue"].as_array().unwrap().clone()
}

#[tokio::test]
async fn validate_lists_every_structural_problem() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let ok = issues(
            &send(app.post(
                "Patient/$validate",
                &patient("Valida", "Ok", "1980-01-01", "v"),
            ))
            .await,
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0]["severity"], "information", "{b}");

        let bad = json!({"resourceType": "Observation", "id": "no spaces allowed", "meta": {"profile": "x"},
            "status": "", "effectiveDateTime": "2024-02-30", "code": {}});
        let list = issues(&send(app.post("Patient/$validate", &bad)).await);
        let paths: Vec<String> = list
            .iter()
            .map(|i| i["expression"][0].as_str().unwrap_or("").to_owned())
            .collect();
        for p in [
            "Patient.resourceType",
            "Patient.id",
            "Patient.meta.profile",
            "Patient.status",
            "Patient.effectiveDateTime",
            "Patient.code",
        ] {
            assert!(
                paths.iter().any(|x| x == p),
                "{b}: {p} missing from {paths:?}"
            );
        }
        assert!(list.iter().all(|i| i["severity"] == "error"));

        let r = send(
            app.request(Method::POST, "Patient/$validate")
                .header("Content-Type", "application/fhir+json")
                .body("{not json"),
        )
        .await;
        assert!(
            issues(&r)[0]["diagnostics"]
                .as_str()
                .unwrap()
                .contains("JSON"),
            "{b}"
        );

        let r = send(app.post(
            "Patient/abc/$validate",
            &json!({"resourceType": "Patient", "id": "xyz"}),
        ))
        .await;
        assert!(
            issues(&r)[0]["diagnostics"]
                .as_str()
                .unwrap()
                .contains("abc"),
            "{b}"
        );
        let wrapped = json!({"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": {"resourceType": "Patient", "birthDate": "1980"}}]});
        assert_eq!(
            issues(&send(app.post("Patient/$validate", &wrapped)).await)[0]["severity"],
            "information"
        );
        let r = send(app.post("Nonsense/$validate", &json!({}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        // Validation stores nothing.
        let r = app.get("Patient?_summary=count").await;
        assert_eq!(r.json()["total"], 0, "{b}");
    }
}

#[tokio::test]
async fn xml_requests_get_406_with_an_outcome() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let id = app
            .create_id("Patient", &patient("Xml", "No", "1980-01-01", "x"))
            .await;
        for req in [
            app.request(Method::GET, &format!("Patient/{id}"))
                .header("Accept", "application/fhir+xml"),
            app.request(Method::GET, "Patient?_format=xml"),
            app.request(Method::GET, "metadata?_format=application/fhir%2Bxml"),
        ] {
            let r = send(req).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_ACCEPTABLE,
                "{}: {r:?}",
                app.backend
            );
            assert!(r.outcome_diagnostics().contains("XML"));
        }
        // XML among other acceptable types still gets JSON.
        let r = send(
            app.request(Method::GET, &format!("Patient/{id}"))
                .header("Accept", "application/fhir+xml, application/fhir+json"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", app.backend);
        let r = app.get(&format!("Patient/{id}?_format=json")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", app.backend);
    }
}
