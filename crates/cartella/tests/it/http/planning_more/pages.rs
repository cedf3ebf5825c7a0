//! The series and day-optimisation pages: a secretary books a series around a holiday and sees
//! the unplaced date with alternatives; the day page shows the order now and the proposal.

use super::series::physio_practice;
use super::*;
use crate::http::web::{Browser, staff};
use crate::support::worlds;

#[tokio::test]
async fn a_series_is_booked_from_the_page_and_a_day_order_is_proposed() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        physio_practice(&app).await;
        let pid = app
            .create_id("Patient", &patient("Neri", "Luca", "1970-02-02", "S1"))
            .await;
        staff(&app, "sec@a.example", "secretary").await;
        let mut b = Browser::new(&app);
        b.sign_in("sec@a.example").await;
        let r = b
            .submit(
                "/planning/series",
                "/planning/series",
                &[
                    ("patient", &pid),
                    ("type", "physio"),
                    ("count", "4"),
                    ("weekdays", "mon"),
                    ("weekdays", "thu"),
                    ("time", "09:00"),
                    ("from", "2026-03-30"),
                    ("preferred", "Practitioner/physio1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        assert!(
            r.text.contains("Booked sessions") && r.text.contains("/appointments/"),
            "{}",
            r.text
        );
        // Easter Monday (6 April) is a holiday: not placed, with alternatives.
        assert!(
            r.text.contains("Not placed") && r.text.contains("06/04/2026"),
            "{}",
            r.text
        );
        let r = b
            .submit(
                "/planning/optimise",
                "/planning/optimise",
                &[("resource", "Practitioner/physio1"), ("date", "2026-03-30")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        assert!(
            r.text.contains("Proposed") && r.text.contains("min idle"),
            "{}",
            r.text
        );
        let r = b
            .submit(
                "/planning/waitlist",
                "/planning/waitlist",
                &[
                    ("patient", &pid),
                    ("type", "physio"),
                    ("from", "2026-04-01"),
                    ("to", "2026-04-30"),
                    ("preferred", "Practitioner/physio2"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        assert!(
            r.text.contains(&format!("/patients/{pid}")) && r.text.contains("01/04/2026"),
            "listed: {}",
            r.text
        );
        let r = b
            .submit(
                "/planning/waitlist",
                "/planning/waitlist",
                &[("patient", &pid), ("type", "no-such-type")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let r = b.post("/planning/series", &[("type", "physio")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    }
}
