//! Conditional update and delete (`PUT`/`DELETE /Type?search`), conditions that cannot be fully
//! evaluated, and the same rules inside batch and transaction bundles.

use super::*;
use crate::support::worlds;
use reqwest::Method;
use serde_json::json;

fn mrn_patient(mrn: &str, family: &str) -> Value {
    json!({"resourceType": "Patient", "name": [{"family": family}],
           "identifier": [{"system": "urn:mrn", "value": mrn}]})
}

#[tokio::test]
async fn conditional_update_creates_updates_and_refuses_ambiguity() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        // No match: created (201) with a server id.
        let r = send(app.put(
            "Patient?identifier=urn:mrn|CU-1",
            &mrn_patient("CU-1", "Primo"),
        ))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {r:?}");
        let id = r.json()["id"].as_str().unwrap().to_owned();
        assert!(r.header("location").unwrap_or("").contains(&id), "{name}");

        // One match: that resource is updated (200, version 2).
        let r = send(app.put(
            "Patient?identifier=urn:mrn|CU-1",
            &mrn_patient("CU-1", "Secondo"),
        ))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        assert_eq!(r.json()["id"], id.as_str(), "{name}");
        assert_eq!(r.json()["meta"]["versionId"], "2", "{name}");
        assert_eq!(
            app.get(&format!("Patient/{id}")).await.json()["name"][0]["family"],
            "Secondo"
        );

        // One match, but the body names another id: 400, nothing changes.
        let mut other = mrn_patient("CU-1", "Terzo");
        other["id"] = json!("someone-else");
        let r = send(app.put("Patient?identifier=urn:mrn|CU-1", &other)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(r.outcome_diagnostics().contains("id"), "{name}: {r:?}");

        // A stale If-Match on the match: 412.
        let r = send(
            app.put(
                "Patient?identifier=urn:mrn|CU-1",
                &mrn_patient("CU-1", "Stale"),
            )
            .header("If-Match", "W/\"1\""),
        )
        .await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{name}: {r:?}");

        // Two matches: 412, and neither is touched.
        app.create("Patient", &mrn_patient("CU-2", "Alfa")).await;
        app.create("Patient", &mrn_patient("CU-2", "Beta")).await;
        let r = send(app.put(
            "Patient?identifier=urn:mrn|CU-2",
            &mrn_patient("CU-2", "Gamma"),
        ))
        .await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{name}: {r:?}");
        let (found, _) = app.search_all(TENANT_A, "Patient?family=Gamma").await;
        assert!(
            found.is_empty(),
            "{name}: an ambiguous update wrote nothing"
        );

        // A condition with an unknown parameter is refused, not treated as "match all".
        let r = send(app.put("Patient?no-such-param=1", &mrn_patient("CU-3", "X"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().contains("no-such-param"),
            "{name}: {r:?}"
        );
        // No condition at all is refused too.
        let r = send(app.put("Patient", &mrn_patient("CU-3", "X"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
    }
}

#[tokio::test]
async fn conditional_delete_deletes_the_single_match() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let id = app.create_id("Patient", &mrn_patient("CD-1", "Uno")).await;
        let r = send(app.request(Method::DELETE, "Patient?identifier=urn:mrn|CD-1")).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{name}: {r:?}");
        assert_eq!(
            app.get(&format!("Patient/{id}")).await.status,
            StatusCode::GONE,
            "{name}"
        );
        // Nothing matches any more: still 204, nothing else happens.
        let r = send(app.request(Method::DELETE, "Patient?identifier=urn:mrn|CD-1")).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{name}: {r:?}");
        // Two matches: 412 and both stay.
        let a = app.create_id("Patient", &mrn_patient("CD-2", "A")).await;
        let b = app.create_id("Patient", &mrn_patient("CD-2", "B")).await;
        let r = send(app.request(Method::DELETE, "Patient?identifier=urn:mrn|CD-2")).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{name}: {r:?}");
        for id in [a, b] {
            assert_eq!(
                app.get(&format!("Patient/{id}")).await.status,
                StatusCode::OK,
                "{name}"
            );
        }
        // An unknown parameter never deletes.
        let r = send(app.request(Method::DELETE, "Patient?bogus=CD-2")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");

        let cs = app.get("metadata").await.json();
        let patient = &cs["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "Patient")
            .unwrap()
            .clone();
        assert_eq!(patient["conditionalUpdate"], true, "{name}");
        assert_eq!(patient["conditionalDelete"], "single", "{name}");
    }
}

#[tokio::test]
async fn if_none_exist_with_an_unknown_parameter_is_refused() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        app.create("Patient", &mrn_patient("INE-1", "Esistente"))
            .await;
        // Before, an unknown parameter was ignored, so the condition matched every Patient.
        let r = send(
            app.post("Patient", &mrn_patient("INE-2", "Nuovo"))
                .header("If-None-Exist", "identifer=urn:mrn|INE-2"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().contains("identifer"),
            "{name}: {r:?}"
        );
        let (found, _) = app
            .search_all(TENANT_A, "Patient?identifier=urn:mrn|INE-2")
            .await;
        assert!(found.is_empty(), "{name}: nothing created");
    }
}

#[tokio::test]
async fn batch_entries_follow_the_conditional_rules() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let existing = app.create_id("Patient", &mrn_patient("B-1", "Batch")).await;
        let bundle = json!({"resourceType": "Bundle", "type": "batch", "entry": [
            {"resource": mrn_patient("B-1", "Copia"), "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:mrn|B-1"}},
            {"resource": mrn_patient("B-2", "Nuova"), "request": {"method": "PUT", "url": "Patient?identifier=urn:mrn|B-2"}},
            {"request": {"method": "DELETE", "url": "Patient?identifier=urn:mrn|B-1"}},
            {"resource": mrn_patient("B-3", "Bad"), "request": {"method": "POST", "url": "Patient", "ifNoneExist": "nonsense=1"}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        let out = r.json();
        let statuses = entry_statuses(&out);
        assert_eq!(
            statuses,
            ["200 OK", "201 Created", "204 No Content", "400 Bad Request"],
            "{name}: {out}"
        );
        assert_eq!(
            out["entry"][0]["resource"]["id"],
            existing.as_str(),
            "{name}: the existing patient"
        );
        let diag = out["entry"][3]["response"]["outcome"]["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or("");
        assert!(
            diag.starts_with("entry 3:") && diag.contains("nonsense"),
            "{name}: {diag}"
        );
        assert_eq!(
            app.get(&format!("Patient/{existing}")).await.status,
            StatusCode::GONE,
            "{name}"
        );
    }
}

#[tokio::test]
async fn transaction_refuses_what_it_cannot_do_faithfully_and_names_the_entry() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let id = app
            .create_id("Patient", &mrn_patient("TX-1", "Prima"))
            .await;
        let before = app.all_versions().await;

        // An update whose body names another resource.
        let mut wrong = mrn_patient("TX-1", "Altra");
        wrong["id"] = json!("not-the-url-id");
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": mrn_patient("TX-2", "Nuova"), "request": {"method": "POST", "url": "Patient"}},
            {"resource": wrong, "request": {"method": "PUT", "url": format!("Patient/{id}")}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().starts_with("entry 1:"),
            "{name}: {r:?}"
        );

        // A stale ifMatch: 412, naming the entry.
        let mut stale = mrn_patient("TX-1", "Stale");
        stale["id"] = json!(id);
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": mrn_patient("TX-3", "Nuova"), "request": {"method": "POST", "url": "Patient"}},
            {"resource": stale, "request": {"method": "PUT", "url": format!("Patient/{id}"), "ifMatch": "W/\"7\""}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().starts_with("entry 1:"),
            "{name}: {r:?}"
        );

        // A urn:uuid reference to no entry of the bundle is not stored as it is.
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                          "subject": {"reference": "urn:uuid:0b0b0b0b-0000-4000-8000-000000000000"}},
             "request": {"method": "POST", "url": "Observation"}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().contains("urn:uuid:0b0b0b0b"),
            "{name}: {r:?}"
        );

        // An unknown parameter in a conditional entry.
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"resource": mrn_patient("TX-4", "Nuova"), "request": {"method": "PUT", "url": "Patient?idnetifier=TX-4"}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {r:?}");
        assert!(
            r.outcome_diagnostics().starts_with("entry 0:"),
            "{name}: {r:?}"
        );

        assert_eq!(
            app.all_versions().await,
            before,
            "{name}: failed transactions leave no trace"
        );
    }
}

#[tokio::test]
async fn the_transaction_endpoint_has_the_fhir_rules_for_format_and_size() {
    for w in worlds().await {
        let app = spawn_app_with_limit(&w, 4096).await;
        let name = app.backend;
        let big = json!({"resourceType": "Bundle", "type": "batch", "entry": [
            {"resource": mrn_patient(&"9".repeat(8000), "Grande"), "request": {"method": "POST", "url": "Patient"}}]});
        let r = send(app.post("", &big)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{name}: {r:?}");
        assert!(
            r.header("content-type")
                .unwrap_or("")
                .starts_with("application/fhir+json"),
            "{name}: {r:?}"
        );
        let small = json!({"resourceType": "Bundle", "type": "batch", "entry": []});
        let r = send(
            app.post("", &small)
                .header("Accept", "application/fhir+xml"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE, "{name}: {r:?}");
        let r = send(
            app.request(Method::POST, "")
                .header("Content-Type", "text/plain")
                .body(small.to_string()),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{name}: {r:?}"
        );
        // _search and $validate answer an oversized body with an OperationOutcome too.
        let form = format!("name={}", "x".repeat(8000));
        let r = send(
            app.request(Method::POST, "Patient/_search")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{name}: {r:?}");
        assert!(
            r.json()["resourceType"] == "OperationOutcome",
            "{name}: {r:?}"
        );
        let r = send(app.post("Patient/$validate", &big)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{name}: {r:?}");
        assert!(
            r.json()["resourceType"] == "OperationOutcome",
            "{name}: {r:?}"
        );
        // A missing token: 401 with the challenge.
        let r = send(app.client.get(app.fhir_url("Patient"))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {r:?}");
        assert!(
            r.header("www-authenticate")
                .unwrap_or("")
                .starts_with("Bearer"),
            "{name}: {r:?}"
        );
    }
}

#[tokio::test]
async fn a_condition_repeated_in_one_transaction_creates_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:6f0c1d5e-0000-4000-8000-000000000001",
             "resource": mrn_patient("TWICE-1", "Prima"),
             "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:mrn|TWICE-1"}},
            {"fullUrl": "urn:uuid:6f0c1d5e-0000-4000-8000-000000000002",
             "resource": mrn_patient("TWICE-1", "Seconda"),
             "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:mrn|TWICE-1"}},
            {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                          "subject": {"reference": "urn:uuid:6f0c1d5e-0000-4000-8000-000000000002"}},
             "request": {"method": "POST", "url": "Observation"}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        let entries = r.json()["entry"].as_array().cloned().unwrap_or_default();
        let status = |i: usize| entries[i]["response"]["status"].as_str().unwrap_or("");
        assert!(status(0).starts_with("201"), "{name}: {r:?}");
        assert!(status(1).starts_with("200"), "{name}: {r:?}");
        let (found, _) = app
            .search_all(TENANT_A, "Patient?identifier=urn:mrn|TWICE-1")
            .await;
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        let (observations, _) = app
            .search_all(
                TENANT_A,
                &format!("Observation?subject=Patient/{}", found[0]),
            )
            .await;
        assert_eq!(
            observations.len(),
            1,
            "{name}: the second entry's fullUrl stands for the one patient"
        );
    }
}
