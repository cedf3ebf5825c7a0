//! Search modifiers (`:missing`, `:not`, `:text`, `:exact`, `:contains`, `:[type]`), number
//! parameters, and chained search through the blind index.

use super::*;
use crate::support::worlds;
use serde_json::json;

#[tokio::test]
async fn modifiers_and_numbers() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let p = app
            .create_id("Patient", &patient("Verdi", "Luca", "1990-02-03", "v1"))
            .await;
        let enc = app
            .create_id("Encounter", &json!({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}))
            .await;
        let mut hr = observation(&p, LOINC, HEART_RATE, "2024-01-01");
        hr["code"]["coding"][0]["display"] = json!("Heart rate");
        hr["encounter"] = json!({"reference": format!("Encounter/{enc}")});
        let hr = app.create_id("Observation", &hr).await;
        let mut bp = observation(&p, LOINC, "85354-9", "2024-01-02");
        bp["code"]["text"] = json!("Blood pressure panel");
        let bp = app.create_id("Observation", &bp).await;
        let b = app.backend;
        let one = |id: &String| set(std::slice::from_ref(id));
        assert_eq!(
            ids(&app, "Observation?encounter:missing=true").await,
            one(&bp),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?encounter:missing=false").await,
            one(&hr),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?code:not=85354-9").await,
            one(&hr),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?code:text=heart").await,
            one(&hr),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?code:text=BLOOD%20press").await,
            one(&bp),
            "{b}"
        );
        assert_eq!(
            ids(&app, &format!("Observation?subject:Patient={p}")).await,
            set(&[hr.clone(), bp.clone()]),
            "{b}"
        );
        assert!(
            ids(&app, &format!("Observation?subject:Group={p}"))
                .await
                .is_empty(),
            "{b}"
        );
        // Encrypted Patient fields can be tested for presence, not for substrings.
        assert_eq!(
            ids(&app, "Patient?birthdate:missing=false").await,
            one(&p),
            "{b}"
        );
        assert!(
            ids(&app, "Patient?birthdate:missing=true").await.is_empty(),
            "{b}"
        );
        let r = app.get("Observation?encounter:missing=perhaps").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");

        let dr = app
            .create_id(
                "Practitioner",
                &json!({"resourceType": "Practitioner", "name": [{"family": "Delacroix"}]}),
            )
            .await;
        assert_eq!(
            ids(&app, "Practitioner?family:contains=lacro").await,
            one(&dr),
            "{b}"
        );
        assert!(
            ids(&app, "Practitioner?family:exact=delac")
                .await
                .is_empty(),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Practitioner?family:exact=Delacroix").await,
            one(&dr),
            "{b}"
        );

        let mut studies = Vec::new();
        for n in [1, 3, 5] {
            studies.push(
                app.create_id(
                    "ImagingStudy",
                    &json!({"resourceType": "ImagingStudy", "status": "available",
                "subject": {"reference": format!("Patient/{p}")}, "numberOfSeries": n}),
                )
                .await,
            );
        }
        assert_eq!(
            ids(&app, "ImagingStudy?number-of-series=gt2").await,
            set(&studies[1..]),
            "{b}"
        );
        assert_eq!(
            ids(&app, "ImagingStudy?number-of-series=3").await,
            one(&studies[1]),
            "{b}"
        );
        let r = app.get("ImagingStudy?number-of-series=3|x|y").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
    }
}

#[tokio::test]
async fn chained_search_goes_through_the_blind_index() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let smith = app
            .create_id(
                "Patient",
                &patient("Smithers", "Ann", "1980-04-02", "mrn-1"),
            )
            .await;
        let jones = app
            .create_id("Patient", &patient("Jones", "Bob", "1955-07-07", "mrn-2"))
            .await;
        let o_smith = app
            .create_id(
                "Observation",
                &observation(&smith, LOINC, HEART_RATE, "2024-01-01"),
            )
            .await;
        let o_jones = app
            .create_id(
                "Observation",
                &observation(&jones, LOINC, HEART_RATE, "2024-01-01"),
            )
            .await;
        let b = app.backend;
        let one = |id: &String| set(std::slice::from_ref(id));
        assert_eq!(
            ids(&app, "Observation?subject:Patient.name=smi").await,
            one(&o_smith),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?patient.birthdate=1955").await,
            one(&o_jones),
            "{b}"
        );
        assert_eq!(
            ids(
                &app,
                "Observation?subject.identifier=http://example.org/mrn|mrn-1"
            )
            .await,
            one(&o_smith),
            "{b}"
        );
        assert_eq!(
            ids(&app, "Observation?patient.family=jones&code=8867-4").await,
            one(&o_jones),
            "{b}"
        );
        assert!(
            ids(&app, "Observation?patient.name=nobody")
                .await
                .is_empty(),
            "{b}"
        );
        // A chain to a parameter no target has is ignored with a warning (refused when strict).
        let r = app.get("Observation?patient.shoe=1").await;
        assert_eq!(match_ids(&r.json()).len(), 2, "{b}");
        let r = send(
            app.request(Method::GET, "Observation?patient.shoe=1")
                .header("Prefer", "handling=strict"),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        // Malformed chained values are errors, as on the target itself.
        let r = app.get("Observation?patient.birthdate=ge1950").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}: {r:?}");
        // The CapabilityStatement declares the chains.
        let cap = app.get("metadata").await.json();
        let obs = cap["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "Observation")
            .unwrap()
            .clone();
        let chains: Vec<String> = obs["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "patient")
            .flat_map(|p| p["extension"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["valueString"].as_str().map(str::to_owned))
            .collect();
        assert!(chains.iter().any(|c| c == "birthdate"), "{chains:?}");
    }
}
