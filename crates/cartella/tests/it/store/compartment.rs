//! A patient's compartment (what `$everything`, a patient-scoped search and erasure see) holds
//! exactly the resources whose patient it is, however they point at the patient, and follows a
//! resource that moves to another patient.

use crate::support::*;
use cartella_core::access::{Principal, RoleSet, ScopeSet};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use serde_json::{Value, json};

fn observation(patient: &str) -> Value {
    json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
        "subject": {"reference": format!("Patient/{patient}")}})
}

async fn everything(store: &Store, ctx: &AccessContext, patient: &str) -> Vec<String> {
    let page = store.everything(ctx, patient, 100, None).await.unwrap();
    let mut found: Vec<String> = page
        .resources
        .iter()
        .map(|r| format!("{}/{}", r.rtype, r.id))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn a_compartment_holds_what_points_at_its_patient_by_subject_patient_or_beneficiary() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "compartment").await;
        let patient = json!({"resourceType": "Patient"});
        let (a, b) = (
            create_resource(&store, &ctx, patient.clone()).await,
            create_resource(&store, &ctx, patient).await,
        );
        let obs = create_resource(&store, &ctx, observation(&a)).await;
        let allergy = create_resource(
            &store,
            &ctx,
            json!({"resourceType": "AllergyIntolerance",
            "patient": {"reference": format!("Patient/{a}")}}),
        )
        .await;
        let coverage = create_resource(
            &store,
            &ctx,
            json!({"resourceType": "Coverage", "status": "active",
            "beneficiary": {"reference": format!("Patient/{a}")},
            "payor": [{"reference": format!("Patient/{a}")}]}),
        )
        .await;
        let moving = create_resource(&store, &ctx, observation(&a)).await;
        let deleted = create_resource(&store, &ctx, observation(&a)).await;
        let theirs = create_resource(&store, &ctx, observation(&b)).await;
        // Names a as a performer, but its patient is b: not in a's compartment.
        let mut performed = observation(&b);
        performed["performer"] = json!([{"reference": format!("Patient/{a}")}]);
        let performed = create_resource(&store, &ctx, performed).await;

        let mut moved = observation(&b);
        moved["id"] = json!(moving);
        store
            .update(&ctx, "Observation", &moving, moved, WriteOptions::default())
            .await
            .unwrap();
        store.delete(&ctx, "Observation", &deleted).await.unwrap();

        let mut expected_a = vec![
            format!("AllergyIntolerance/{allergy}"),
            format!("Coverage/{coverage}"),
            format!("Observation/{obs}"),
            format!("Patient/{a}"),
        ];
        expected_a.sort();
        assert_eq!(everything(&store, &ctx, &a).await, expected_a, "{}", w.name);
        let mut expected_b = vec![
            format!("Observation/{moving}"),
            format!("Observation/{performed}"),
            format!("Observation/{theirs}"),
            format!("Patient/{b}"),
        ];
        expected_b.sort();
        assert_eq!(everything(&store, &ctx, &b).await, expected_b, "{}", w.name);

        // A doctor's app launched for a, searching without any parameter and with one.
        let mut app = ctx.clone();
        app.actor = "doctor-1".into();
        app.role = "doctor".into();
        app.principal = Principal {
            scopes: Some(ScopeSet::parse("patient/*.read").unwrap()),
            patient: Some(a.clone()),
            ..Principal::user("doctor-1", RoleSet::parse("doctor").unwrap())
        };
        for params in [vec![], vec![("status".to_owned(), "final".to_owned())]] {
            let found = store.search(&app, "Observation", &params).await.unwrap();
            let ids: Vec<&str> = found.resources.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(ids, [obs.as_str()], "{}: {params:?}", w.name);
        }
        let patients = store.search(&app, "Patient", &[]).await.unwrap();
        let ids: Vec<&str> = patients.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [a.as_str()], "{}", w.name);

        // Erasure reaches the tombstone too: it was sealed with a's key.
        let report = store.erase_patient(&ctx, &a).await.unwrap();
        assert_eq!(report.resources, 5, "{}: {report:?}", w.name);
        assert_eq!(everything(&store, &ctx, &b).await, expected_b, "{}", w.name);
    }
}
