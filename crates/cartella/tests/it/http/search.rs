//! FHIR search over HTTP: blind-indexed Patient parameters, combined Observation parameters,
//! and paging through `next` links.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn patient_search_by_name_prefix_birthdate_and_identifier() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let wanted = app
            .create_id(
                "Patient",
                &patient("Lombardi", "Giulia", "1980-04-12", "MRN-001"),
            )
            .await;
        let other = app
            .create_id(
                "Patient",
                &patient("Ferrari", "Paolo", "1966-09-30", "MRN-002"),
            )
            .await;

        for query in [
            "Patient?name=Lom",
            "Patient?name=lombardi",
            "Patient?family=LOMB",
            "Patient?birthdate=1980-04-12",
            "Patient?identifier=http://example.org/mrn|MRN-001",
            "Patient?identifier=http%3A%2F%2Fexample.org%2Fmrn%7CMRN-001",
        ] {
            let (ids, _) = app.search_all(TENANT_A, query).await;
            assert_eq!(
                ids,
                std::slice::from_ref(&wanted),
                "{name}: {query} should find only Lombardi (not {other})"
            );
        }

        for query in [
            "Patient?name=Lon",
            "Patient?birthdate=1980-04-13",
            "Patient?identifier=http://example.org/other|MRN-001",
            "Patient?identifier=http://example.org/mrn|MRN-003",
        ] {
            let (ids, _) = app.search_all(TENANT_A, query).await;
            assert!(
                ids.is_empty(),
                "{name}: {query} should find nothing, found {ids:?}"
            );
        }
    }
}

#[tokio::test]
async fn observation_search_by_patient_code_and_date() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let pa = app
            .create_id("Patient", &patient("Rossi", "Anna", "1975-06-30", "A"))
            .await;
        let pb = app
            .create_id("Patient", &patient("Bianchi", "Luca", "1982-01-15", "B"))
            .await;

        let mut expected = Vec::new();
        for when in ["2023-05-01T09:30:00Z", "2021-01-01T00:00:00Z", "2024-02-29"] {
            expected.push(
                app.create_id("Observation", &observation(&pa, LOINC, HEART_RATE, when))
                    .await,
            );
        }
        let decoys = [
            (
                "too early",
                observation(&pa, LOINC, HEART_RATE, "2020-12-31T23:00:00Z"),
            ),
            (
                "other code",
                observation(&pa, LOINC, "8310-5", "2023-05-01T09:30:00Z"),
            ),
            (
                "other system",
                observation(&pa, "http://example.org/codes", HEART_RATE, "2023-05-01"),
            ),
            (
                "other patient",
                observation(&pb, LOINC, HEART_RATE, "2023-05-01T09:30:00Z"),
            ),
        ];
        let mut decoy_ids = Vec::new();
        for (why, body) in &decoys {
            decoy_ids.push((*why, app.create_id("Observation", body).await));
        }

        let query =
            format!("Observation?patient=Patient/{pa}&code={LOINC}|{HEART_RATE}&date=ge2021-01-01");
        let (ids, _) = app.search_all(TENANT_A, &query).await;
        assert_eq!(ids.len(), set(&ids).len(), "{name}: duplicates in {ids:?}");
        assert_eq!(
            set(&ids),
            set(&expected),
            "{name}: {query} (decoys: {decoy_ids:?})"
        );

        // The same search with reqwest's own query encoding.
        let r = send(app.request(Method::GET, "Observation").query(&[
            ("patient", format!("Patient/{pa}")),
            ("code", format!("{LOINC}|{HEART_RATE}")),
            ("date", "ge2021-01-01".to_owned()),
        ]))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        assert_eq!(
            set(&match_ids(&r.json())),
            set(&expected),
            "{name}: encoded query"
        );

        // A bare id for the reference and a code without a system find the other system too.
        let query = format!("Observation?patient={pa}&code={HEART_RATE}&date=ge2021-01-01");
        let (ids, _) = app.search_all(TENANT_A, &query).await;
        let mut with_other_system = expected.clone();
        with_other_system.push(decoy_ids[2].1.clone());
        assert_eq!(set(&ids), set(&with_other_system), "{name}: {query}");
    }
}

#[tokio::test]
async fn paging_follows_next_links_until_exhausted() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let p = app
            .create_id("Patient", &patient("Pagani", "Rita", "1950-05-05", "PG"))
            .await;
        let other = app
            .create_id("Patient", &patient("Altri", "Ugo", "1951-05-05", "PO"))
            .await;
        let mut created = Vec::new();
        for i in 0..7 {
            let when = format!("2022-03-{:02}T08:00:00Z", i + 1);
            created.push(
                app.create_id("Observation", &observation(&p, LOINC, HEART_RATE, &when))
                    .await,
            );
            app.create_id(
                "Observation",
                &observation(&other, LOINC, HEART_RATE, &when),
            )
            .await;
        }

        let mut url = app.fhir_url(&format!("Observation?patient=Patient/{p}&_count=2"));
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            assert!(pages <= 10, "{name}: paging does not end");
            let r = app.get(&url).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{name}: page {pages} ({url}): {r:?}"
            );
            let bundle = r.json();
            let ids = match_ids(&bundle);
            assert!(
                ids.len() <= 2,
                "{name}: page {pages} has {} entries with _count=2",
                ids.len()
            );
            seen.extend(ids);
            match next_link(&bundle) {
                Some(next) => {
                    assert!(
                        next.starts_with(&app.base),
                        "{name}: next link {next} is not on this server"
                    );
                    url = next;
                }
                None => break,
            }
        }
        assert_eq!(
            seen.len(),
            set(&seen).len(),
            "{name}: some match was returned twice: {seen:?}"
        );
        assert_eq!(
            set(&seen),
            set(&created),
            "{name}: paging lost or added matches"
        );
        assert!(
            (4..=5).contains(&pages),
            "{name}: 7 matches in pages of 2 took {pages} pages"
        );
    }
}
