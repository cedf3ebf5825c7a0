//! Visits: open, save a SOAP draft, close, then amend only with a reason; the note's versions
//! show who, when and why.

use super::*;

#[tokio::test]
async fn a_visit_is_documented_closed_and_amended_with_a_reason() {
    for world in crate::support::worlds().await {
        let app = spawn_app(&world).await;
        let (mut b, id) = doctor_with_patient(&app).await;
        let list = format!("/patients/{id}/clinical/visits");
        let r = b.submit(&list, &list, &[("class", "teleport")]).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(
            r.text.contains("Choose one of the options offered."),
            "{}",
            r.text
        );
        assert_eq!(count(&app, "Encounter", &id).await, 0);
        let r = b
            .submit(
                &list,
                &list,
                &[("class", "ambulatory"), ("reason", "Low back pain")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let visit = r.header("location").unwrap().to_owned();
        let note = format!("{visit}/note");
        // An empty draft is refused; a draft is saved.
        let r = b.submit(&visit, &note, &[("action", "draft")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = b
            .submit(
                &visit,
                &note,
                &[
                    ("subjective", "Pain for 3 days <worse at night>"),
                    ("plan", "Ibuprofen"),
                    ("action", "draft"),
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
        let page = b.follow(r).await;
        assert!(
            page.text.contains("The note is saved.") && page.text.contains("Draft"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("Pain for 3 days &lt;worse at night&gt;"),
            "{}",
            page.text
        );
        // Close (saving the note again), then an amendment needs a reason.
        let r = b
            .submit(
                &visit,
                &note,
                &[
                    ("subjective", "Pain for 3 days"),
                    ("plan", "Ibuprofen"),
                    ("action", "close"),
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
        let page = b.follow(r).await;
        assert!(
            page.text.contains("The visit is closed.")
                && page.text.contains("Reason for the amendment"),
            "{}",
            page.text
        );
        let r = b
            .submit(
                &visit,
                &note,
                &[
                    ("subjective", "Pain for 5 days"),
                    ("plan", "Ibuprofen"),
                    ("action", "amend"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text.contains("This field is required.") && r.text.contains("Pain for 5 days"),
            "{}",
            r.text
        );
        let r = b
            .submit(
                &visit,
                &note,
                &[
                    ("subjective", "Pain for 5 days"),
                    ("plan", "Ibuprofen"),
                    ("reason", "Onset corrected by the patient"),
                    ("action", "amend"),
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
        let page = b.follow(r).await;
        assert!(
            page.text.contains("Onset corrected by the patient") && page.text.contains("Amended"),
            "{}",
            page.text
        );
        assert!(page.text.contains("Staff doctor"), "who: {}", page.text);
        assert!(page.text.contains("Pain for 5 days"), "{}", page.text);
        // The first version is still in the history.
        let versions = page.text.matches("<tr><td>").count();
        assert!(
            versions >= 3,
            "{}: {versions} versions: {}",
            app.backend,
            page.text
        );
        // A visit of another patient is not reachable through this chart.
        let other = register(&mut b, "Verdi", "Anna", "1970-01-01").await;
        let vid = visit.rsplit('/').next().unwrap();
        let r = b
            .get(&format!("/patients/{other}/clinical/visits/{vid}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", app.backend);
    }
}
