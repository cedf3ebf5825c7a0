//! Tampered ciphertext: the read fails closed with a generic 500 OperationOutcome that carries
//! neither ciphertext nor patient data, and the server keeps serving everyone else.

use super::*;
use crate::support::{raw_sql, worlds};

#[tokio::test]
async fn corrupted_ciphertext_is_a_generic_500_and_the_server_keeps_serving() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let victim = app
            .create_id(
                "Patient",
                &patient("Guastato", "Ottavia", "1944-04-04", "MRN-CORRUPT"),
            )
            .await;
        let bystander = app
            .create_id("Patient", &patient("Sano", "Bruno", "1955-05-05", "MRN-OK"))
            .await;

        // Overwrite four bytes in the middle of the sealed content, keeping its length.
        let sql = if w.sqlite_path.is_some() {
            format!(
                "UPDATE resources SET content = CAST(substr(content, 1, 19) || x'deadbeef' || substr(content, 24) AS BLOB) \
                 WHERE type = 'Patient' AND id = '{victim}'"
            )
        } else {
            format!(
                "UPDATE resources SET content = overlay(content placing '\\xdeadbeef'::bytea from 20) \
                 WHERE type = 'Patient' AND id = '{victim}'"
            )
        };
        raw_sql(&w, &sql).await;

        let r = app.get(&format!("Patient/{victim}")).await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{name}: read of tampered content: {r:?}"
        );
        let diagnostics = r.outcome_diagnostics();
        assert!(!diagnostics.is_empty(), "{name}: {r:?}");
        let lower = r.text.to_lowercase();
        for secret in [
            "guastato",
            "ottavia",
            "1944",
            "mrn-corrupt",
            "deadbeef",
            "ciphertext",
            "tamper",
        ] {
            assert!(
                !lower.contains(secret),
                "{name}: the 500 body reveals '{secret}': {}",
                r.text
            );
        }

        // The server keeps serving: the other patient, health, and new writes.
        let r = app.get(&format!("Patient/{bystander}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: bystander read: {r:?}");
        assert_eq!(r.json()["name"][0]["family"], "Sano", "{name}");
        app.assert_healthy("corrupted read").await;
        app.create_id(
            "Patient",
            &patient("Nuovo", "Nino", "2000-01-01", "MRN-NEW"),
        )
        .await;
    }
}
