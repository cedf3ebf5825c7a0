//! Reverse chaining (`_has`): resources found by what refers to them.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn has_finds_what_the_referring_resources_point_to() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let b = app.backend;
        let verdi = app
            .create_id("Patient", &patient("Verdi", "Luca", "1990-02-03", "h1"))
            .await;
        let neri = app
            .create_id("Patient", &patient("Neri", "Anna", "1985-06-07", "h2"))
            .await;
        let bianchi = app
            .create_id("Patient", &patient("Bianchi", "Ugo", "1970-01-01", "h3"))
            .await;
        for (p, code, date) in [
            (&verdi, HEART_RATE, "2024-01-01"),
            (&verdi, HEART_RATE, "2024-02-01"),
            (&neri, HEART_RATE, "2020-03-01"),
            (&bianchi, "8480-6", "2024-01-05"),
        ] {
            app.create("Observation", &observation(p, LOINC, code, date))
                .await;
        }
        let of = |list: &[&String]| list.iter().map(|s| (*s).clone()).collect::<HashSet<_>>();
        let query = format!("Patient?_has:Observation:patient:code={HEART_RATE}");
        assert_eq!(ids(&app, &query).await, of(&[&verdi, &neri]), "{b}");
        // Through `subject`, with the inner parameter's own prefixes, and with another parameter.
        let query = format!(
            "Patient?_has:Observation:subject:code={HEART_RATE}&_has:Observation:subject:date=ge2023-01-01"
        );
        assert_eq!(ids(&app, &query).await, of(&[&verdi]), "{b}");
        let query = format!("Patient?_has:Observation:patient:code={HEART_RATE}&family=neri");
        assert_eq!(ids(&app, &query).await, of(&[&neri]), "{b}");
        assert!(
            ids(&app, "Patient?_has:Observation:patient:code=no-such-code")
                .await
                .is_empty(),
            "{b}"
        );
        // A reference parameter that cannot point to a Patient: ignored with a warning
        // (lenient, so every Patient), refused when strict.
        let query = "Patient?_has:Observation:encounter:code=x";
        assert_eq!(ids(&app, query).await.len(), 3, "{b}");
        let r = send(
            app.request(Method::GET, query)
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {r:?}");
        assert!(r.outcome_diagnostics().contains("encounter"), "{b}: {r:?}");
        // Malformed: not a type, or too few parts.
        for bad in [
            "Patient?_has:Nonsense:patient:code=x",
            "Patient?_has:Observation:patient=x",
        ] {
            let r = app.get(bad).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {bad}: {r:?}");
            assert!(r.outcome_diagnostics().contains("_has"), "{b}: {r:?}");
        }
        // The CapabilityStatement declares it where something can refer to the type.
        let cap = app.get("metadata").await.json();
        let patient_params = cap["rest"][0]["resource"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["type"] == "Patient"))
            .map(|r| r["searchParam"].clone())
            .unwrap_or_default();
        assert!(
            patient_params
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "_has")),
            "{b}"
        );
    }
}
