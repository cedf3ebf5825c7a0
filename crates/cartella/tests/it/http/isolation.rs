//! Tenant isolation over HTTP: what one practice writes, another cannot read, find, list in a
//! history, or delete.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn another_practice_sees_nothing() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = w.name;
        let id = app
            .create_id(
                "Patient",
                &patient("Segreto", "Elsa", "1960-07-07", "MRN-ISO"),
            )
            .await;
        let obs = app
            .create_id(
                "Observation",
                &observation(&id, LOINC, HEART_RATE, "2023-01-01"),
            )
            .await;

        for path in [
            format!("Patient/{id}"),
            format!("Patient/{id}/_history/1"),
            format!("Observation/{obs}"),
        ] {
            let r = app.get_as(TENANT_B, &path).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{name}: clinic-b GET {path}: {r:?}"
            );
            let diagnostics = r.outcome_diagnostics();
            assert!(!diagnostics.contains("Segreto"), "{name}: {diagnostics}");
        }

        for query in [
            "Patient".to_owned(),
            "Patient?name=Seg".to_owned(),
            "Patient?birthdate=1960-07-07".to_owned(),
            "Patient?identifier=http://example.org/mrn|MRN-ISO".to_owned(),
            format!("Patient?_id={id}"),
            format!("Observation?patient=Patient/{id}"),
            "Observation".to_owned(),
        ] {
            let (ids, _) = app.search_all(TENANT_B, &query).await;
            assert!(
                ids.is_empty(),
                "{name}: clinic-b search {query} found {ids:?}"
            );
            // The same search in clinic-a does find it, so the query itself is right.
            let (ids, _) = app.search_all(TENANT_A, &query).await;
            assert!(
                ids.contains(&id) || ids.contains(&obs),
                "{name}: clinic-a search {query} should find its own data, found {ids:?}"
            );
        }

        for path in [
            format!("Patient/{id}/_history"),
            "Patient/_history".to_owned(),
            "_history".to_owned(),
        ] {
            let r = app.get_as(TENANT_B, &path).await;
            match r.status {
                StatusCode::NOT_FOUND => {
                    r.outcome_diagnostics();
                }
                StatusCode::OK => {
                    let listed = entries(&r.json());
                    assert!(
                        listed.is_empty(),
                        "{name}: clinic-b history {path} lists {listed:?}"
                    );
                }
                _ => panic!("{name}: clinic-b history {path}: {r:?}"),
            }
        }

        // clinic-b can neither delete nor overwrite clinic-a's patient.
        let r = send(app.request_as(TENANT_B, Method::DELETE, &format!("Patient/{id}"))).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{name}: clinic-b DELETE: {r:?}"
        );
        let r = app.get(&format!("Patient/{id}")).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{name}: clinic-a lost its patient: {r:?}"
        );
        assert_eq!(
            r.json()["meta"]["versionId"],
            "1",
            "{name}: clinic-b changed clinic-a's patient"
        );
    }
}
