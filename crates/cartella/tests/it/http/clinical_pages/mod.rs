//! The clinical record's pages on every backend, driven like a browser without JavaScript:
//! the overview tab, the vitals form (alerts, per-field errors, nothing partial saved) and
//! charts, visits with drafts, closing and amendments, diagnoses with the ICD-10 search,
//! allergies, prescriptions with alerts and override; a secretary gets 403 pages.

mod records;
mod visits;
mod vitals;

use super::web::{Browser, register, staff};
use super::*;

/// How many `rtype` resources of the patient are stored.
pub(super) async fn count(app: &TestApp, rtype: &str, patient: &str) -> usize {
    app.store
        .search(
            &app.tenant_a,
            rtype,
            &[
                ("patient".into(), patient.into()),
                ("_count".into(), "500".into()),
            ],
        )
        .await
        .expect("search")
        .resources
        .len()
}

/// A doctor signed in, with a patient registered; returns the browser and the patient id.
pub(super) async fn doctor_with_patient<'a>(app: &'a TestApp) -> (Browser<'a>, String) {
    staff(app, "doc@a.example", "doctor").await;
    let mut b = Browser::new(app);
    b.sign_in("doc@a.example").await;
    let id = register(&mut b, "Bianchi", "Lucia", "1958-04-12").await;
    (b, id)
}

#[tokio::test]
async fn overview_lists_the_record_and_a_secretary_gets_403_pages() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (mut doc, id) = doctor_with_patient(&app).await;
        let base = format!("/patients/{id}/clinical");
        let r = doc.get(&base).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        for text in [
            "Active problems",
            "Latest vital signs",
            "Current prescriptions",
            "No visit is open.",
        ] {
            assert!(r.text.contains(text), "{}: {text}: {}", app.backend, r.text);
        }
        // Record something in each area, then the overview shows it.
        let r = doc
            .submit(
                &format!("{base}/allergies"),
                &format!("{base}/allergies"),
                &[
                    ("substance", "penicillin"),
                    ("criticality", "high"),
                    ("reaction", "hives"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = doc
            .submit(
                &format!("{base}/diagnoses"),
                &format!("{base}/diagnoses"),
                &[("code", "I10")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = doc
            .submit(
                &format!("{base}/vitals"),
                &format!("{base}/vitals"),
                &[
                    ("systolic", "128"),
                    ("diastolic", "82"),
                    ("heart_rate", "130"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        let r = doc
            .submit(
                &format!("{base}/visits"),
                &format!("{base}/visits"),
                &[("class", "ambulatory"), ("reason", "Controllo pressione")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let r = doc.get(&base).await;
        for text in [
            "I10",
            "penicillin",
            "Controllo pressione",
            "128 mmHg",
            "130 /min",
            "High",
        ] {
            assert!(
                r.text.contains(text),
                "{}: overview shows {text}: {}",
                app.backend,
                r.text
            );
        }

        staff(&app, "sec@a.example", "secretary").await;
        let mut sec = Browser::new(&app);
        sec.sign_in("sec@a.example").await;
        for path in [
            "",
            "/vitals",
            "/vitals/weight",
            "/visits",
            "/diagnoses",
            "/allergies",
            "/prescriptions",
        ] {
            let r = sec.get(&format!("{base}{path}")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {path}", app.backend);
            assert!(
                r.text
                    .contains("does not give access to the clinical record"),
                "{}",
                r.text
            );
        }
        // Nor can a secretary write, with a valid form token: nothing is saved.
        let before = count(&app, "Observation", &id).await;
        let r = sec
            .submit(
                &format!("/patients/{id}"),
                &format!("{base}/vitals"),
                &[("heart_rate", "70")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", app.backend);
        assert_eq!(count(&app, "Observation", &id).await, before);
        // The chart itself still opens for the secretary (registry work).
        assert_eq!(
            sec.get(&format!("/patients/{id}")).await.status,
            StatusCode::OK
        );
        // An unknown patient is a 404 page for the doctor.
        let r = doc
            .get("/patients/00000000-0000-7000-8000-000000000000/clinical")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", app.backend);
    }
}
