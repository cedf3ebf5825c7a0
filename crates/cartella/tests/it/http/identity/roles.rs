//! Roles and patient compartments enforced on the FHIR API for signed-in users.

use super::*;
use crate::support::worlds;
use serde_json::json;

#[tokio::test]
async fn roles_and_compartments_on_the_fhir_api() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let mine = app
            .store
            .create(
                &app.tenant_a,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Mine"}]}),
                Default::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let other = app
            .store
            .create(
                &app.tenant_a,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Other"}]}),
                Default::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        for p in [&mine, &other] {
            let obs = json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{p}")}});
            app.store
                .create(&app.tenant_a, "Observation", obs, Default::default())
                .await
                .unwrap();
        }
        user(&app, "doc@clinic.test", "doctor", None).await;
        user(&app, "desk@clinic.test", "secretary", None).await;
        user(&app, "pat@clinic.test", "patient", Some(&mine)).await;
        let doc = login(&app, "doc@clinic.test", PASSWORD).await.2.unwrap();
        let desk = login(&app, "desk@clinic.test", PASSWORD).await.2.unwrap();
        let pat = login(&app, "pat@clinic.test", PASSWORD).await.2.unwrap();
        let get = reqwest::Method::GET;
        assert_eq!(
            send(&app, &doc, get.clone(), "/fhir/R4/Observation", None)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            send(&app, &desk, get.clone(), "/fhir/R4/Observation", None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{}: secretaries see no clinical data",
            app.backend
        );
        let new_patient = json!({"resourceType": "Patient", "name": [{"family": "New"}]});
        assert_eq!(
            send(
                &app,
                &desk,
                reqwest::Method::POST,
                "/fhir/R4/Patient",
                Some(new_patient.clone())
            )
            .await
            .0,
            StatusCode::CREATED
        );
        assert_eq!(
            send(
                &app,
                &pat,
                reqwest::Method::POST,
                "/fhir/R4/Patient",
                Some(new_patient)
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &app,
                &pat,
                get.clone(),
                &format!("/fhir/R4/Patient/{mine}"),
                None
            )
            .await
            .0,
            StatusCode::OK
        );
        assert_eq!(
            send(
                &app,
                &pat,
                get.clone(),
                &format!("/fhir/R4/Patient/{other}"),
                None
            )
            .await
            .0,
            StatusCode::FORBIDDEN,
            "{}: only their own record",
            app.backend
        );
        let (st, bundle) = send(&app, &pat, get.clone(), "/fhir/R4/Observation", None).await;
        assert_eq!(st, StatusCode::OK);
        let subjects: Vec<&str> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["subject"]["reference"].as_str().unwrap())
            .collect();
        assert_eq!(
            subjects,
            vec![format!("Patient/{mine}").as_str()],
            "{}: search limited to their compartment",
            app.backend
        );
        assert_eq!(
            send(&app, &doc, get.clone(), "/api/v1/admin/users", None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{}: only administrators administer",
            app.backend
        );
        app.store.flush_audit().await;
        let denied = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.outcome == "denied")
            .count();
        assert!(
            denied >= 4,
            "{}: denials are audited ({denied})",
            app.backend
        );
    }
}
