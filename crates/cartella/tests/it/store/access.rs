//! The store enforces access below every surface: the matrix, patient compartments (also for
//! what a write would overwrite), and audited denials.

use crate::support::*;
use cartella_core::access::{Principal, RoleSet, ScopeSet};
use cartella_store::StoreError;
use cartella_store::store::WriteOptions;
use serde_json::json;

fn obs(patient: &str) -> serde_json::Value {
    json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{patient}")}})
}

#[tokio::test]
async fn a_patient_scoped_token_cannot_overwrite_another_patients_data() {
    for w in worlds().await {
        let (store, system) = store_with_tenant(&w, "scoped").await;
        let theirs = store
            .create(&system, "Observation", obs("p2"), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        // A doctor's app launched for patient p1 with patient/*.* scopes.
        let mut ctx = system.clone();
        ctx.actor = "doctor-1".into();
        ctx.role = "doctor".into();
        ctx.principal = Principal {
            scopes: Some(ScopeSet::parse("patient/*.*").unwrap()),
            patient: Some("p1".into()),
            ..Principal::user("doctor-1", RoleSet::parse("doctor").unwrap())
        };
        let mine = store
            .create(&ctx, "Observation", obs("p1"), WriteOptions::default())
            .await;
        assert!(
            mine.is_ok(),
            "{}: writing in the patient's own compartment: {mine:?}",
            w.name
        );
        let mut hijack = obs("p1");
        hijack["id"] = json!(theirs);
        let err = store
            .update(
                &ctx,
                "Observation",
                &theirs,
                hijack,
                WriteOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Forbidden(_)),
            "{}: {err:?}",
            w.name
        );
        let elsewhere = store
            .create(&ctx, "Observation", obs("p2"), WriteOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(elsewhere, StoreError::Forbidden(_)),
            "{}: {elsewhere:?}",
            w.name
        );
        let read = store.read(&ctx, "Observation", &theirs).await.unwrap_err();
        assert!(matches!(read, StoreError::Forbidden(_)), "{}", w.name);
        let still = store.read(&system, "Observation", &theirs).await.unwrap();
        assert_eq!(still.version, 1, "{}: untouched", w.name);
    }
}

#[tokio::test]
async fn everything_leaves_out_what_the_role_may_not_read() {
    for w in worlds().await {
        let (store, system) = store_with_tenant(&w, "everything").await;
        let p = store
            .create(
                &system,
                "Patient",
                json!({"resourceType": "Patient"}),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        store
            .create(&system, "Observation", obs(&p), WriteOptions::default())
            .await
            .unwrap();
        let mut desk = system.clone();
        desk.role = "secretary".into();
        desk.principal = Principal::user("desk", RoleSet::parse("secretary").unwrap());
        let page = store.everything(&desk, &p, 100, None).await.unwrap();
        let types: Vec<&str> = page.resources.iter().map(|r| r.rtype.as_str()).collect();
        assert_eq!(
            types,
            ["Patient"],
            "{}: no clinical data for a secretary",
            w.name
        );
        let all = store.everything(&system, &p, 100, None).await.unwrap();
        assert_eq!(all.resources.len(), 2, "{}", w.name);
    }
}
