//! Diagnoses with ICD-10-CM codes found by words, the problem list, allergies, and
//! prescriptions that an allergy or an interaction blocks unless the prescriber overrides.

use super::*;
use std::time::Instant;

#[tokio::test]
async fn diagnoses_are_coded_found_by_words_and_resolved() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1975-03-03").await;
        let b = app.backend;
        let started = Instant::now();
        let hits = expect(
            &app,
            Method::GET,
            "/terminology/icd10?q=low%20back%20pain&limit=5",
            None,
            StatusCode::OK,
        )
        .await;
        let elapsed = started.elapsed();
        let codes: Vec<&str> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.iter().any(|c| c.starts_with("M54.5")),
            "{b}: {codes:?} in {elapsed:?}"
        );
        let r = call(&app, Method::GET, "/terminology/icd10?q=", None).await;
        assert_eq!(
            field_errors(&r),
            vec![("q".into(), "required".into())],
            "{b}"
        );

        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/conditions"),
            Some(&json!({"code": "Q99.99"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("code".into(), "unknown_code".into())],
            "{b}"
        );
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/conditions"),
            Some(&json!({"code": "not a code", "onset": "2999-01-01"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("code".into(), "invalid_code".into()),
                ("onset".into(), "future_date".into())
            ],
            "{b}"
        );
        assert_eq!(count(&app, "Condition", &pid).await, 0, "{b}");

        let row = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/conditions"),
            Some(&json!({"code": "m5450", "onset": "2026-01-02"})),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(row["code"], "M54.50", "{b}: canonical spelling");
        assert_eq!(row["system"], "http://hl7.org/fhir/sid/icd-10-cm", "{b}");
        expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/conditions"),
            Some(&json!({"code": "E11.9", "category": "encounter-diagnosis"})),
            StatusCode::CREATED,
        )
        .await;
        let active = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/conditions"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(active.as_array().unwrap().len(), 2, "{b}");

        let id = row["id"].as_str().unwrap();
        let resolved = expect(
            &app,
            Method::POST,
            &format!("/conditions/{id}/status"),
            Some(&json!({"clinical_status": "resolved"})),
            StatusCode::OK,
        )
        .await;
        assert_eq!(resolved["clinical_status"], "resolved", "{b}");
        assert!(resolved["abatement"].is_string(), "{b}");
        let active = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/conditions?status=active"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(active.as_array().unwrap().len(), 1, "{b}");
        let all = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/conditions?status=all"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(all.as_array().unwrap().len(), 2, "{b}");
        let h = app.get(&format!("Condition/{id}/_history")).await;
        assert_eq!(
            entries(&h.json()).len(),
            2,
            "{b}: the resolution is a new version"
        );
    }
}

#[tokio::test]
async fn an_allergy_or_interaction_blocks_a_prescription_until_overridden() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1975-03-03").await;
        let b = app.backend;
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/allergies"),
            Some(&json!({"criticality": "severe", "severity": "bad"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("criticality".into(), "invalid_choice".into()),
                ("reaction".into(), "required".into()),
                ("severity".into(), "invalid_choice".into()),
                ("substance".into(), "required".into()),
            ],
            "{b}"
        );
        let a = expect(&app, Method::POST, &format!("/patients/{pid}/allergies"),
            Some(&json!({"substance": "Penicillin G", "criticality": "high", "reaction": "anaphylaxis", "severity": "severe"})),
            StatusCode::CREATED).await;
        assert_eq!(a["coded_as"], "drug", "{b}: {a}");
        expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/allergies"),
            Some(&json!({"substance": "peanuts", "category": "food"})),
            StatusCode::CREATED,
        )
        .await;
        let listed = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/allergies"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(listed.as_array().unwrap().len(), 2, "{b}");

        let rx = json!({"drug": "amoxicillin", "dose": 500, "dose_unit": "mg", "frequency": "every 8 hours", "duration_days": 7});
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/prescriptions"),
            Some(&rx),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {r:?}");
        assert_eq!(
            r.json()["error"]["details"]["alerts"][0]["kind"],
            "allergy",
            "{b}: {r:?}"
        );
        assert_eq!(
            count(&app, "MedicationRequest", &pid).await,
            0,
            "{b}: nothing saved"
        );

        let mut overridden = rx.clone();
        overridden["override_reason"] = json!("desensitised in hospital, 2024");
        let out = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/prescriptions"),
            Some(&overridden),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(out["overridden"].as_array().unwrap().len(), 1, "{b}");
        let issue = app
            .get(&format!(
                "DetectedIssue/{}",
                out["detected_issue"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(
            issue["implicated"][0]["reference"],
            format!(
                "MedicationRequest/{}",
                out["prescription"]["id"].as_str().unwrap()
            ),
            "{b}"
        );
        assert!(
            issue["mitigation"][0]["action"]["text"]
                .as_str()
                .unwrap()
                .contains("desensitised"),
            "{b}"
        );
        let rows = app
            .store
            .audit_events(
                &app.tenant_a,
                &cartella_store::model::AuditFilter {
                    resource_type: Some("DetectedIssue".into()),
                    action: Some("create".into()),
                    ..Default::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{b}: the override is audited");

        // Interactions with the active prescriptions.
        expect(&app, Method::POST, &format!("/patients/{pid}/prescriptions"),
            Some(&json!({"drug": "warfarin", "dose": 5, "dose_unit": "mg", "frequency": "once daily"})), StatusCode::CREATED).await;
        let r = call(&app, Method::POST, &format!("/patients/{pid}/prescriptions"),
            Some(&json!({"drug": "ibuprofen", "dose": 400, "dose_unit": "mg", "frequency": "as needed"}))).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {r:?}");
        assert_eq!(
            r.json()["error"]["details"]["alerts"][0]["kind"],
            "interaction",
            "{b}: {r:?}"
        );
        let r = call(&app, Method::POST, &format!("/patients/{pid}/prescriptions"),
            Some(&json!({"drug": "paracetamol", "dose": 1, "dose_unit": "tablets", "frequency": "as needed", "route": "mouth"}))).await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("dose_unit".into(), "unknown_unit".into()),
                ("route".into(), "invalid_choice".into())
            ],
            "{b}"
        );
        let active = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/prescriptions"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(active.as_array().unwrap().len(), 2, "{b}");
        let warfarin = active
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["drug"] == "warfarin")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(
            &app,
            Method::POST,
            &format!("/prescriptions/{warfarin}/stop"),
            None,
            StatusCode::OK,
        )
        .await;
        expect(&app, Method::POST, &format!("/patients/{pid}/prescriptions"),
            Some(&json!({"drug": "ibuprofen", "dose": 400, "dose_unit": "mg", "frequency": "as needed"})), StatusCode::CREATED).await;
    }
}
