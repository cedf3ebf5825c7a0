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
