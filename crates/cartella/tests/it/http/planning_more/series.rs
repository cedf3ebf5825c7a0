//! `POST /api/v1/planning/series`.

use super::*;
use crate::support::worlds;

pub(super) async fn physio_practice(app: &TestApp) {
    let week = ["mon-fri 08:00-12:00"];
    // The whole practice closes on Easter Monday 2026; physio1 is also away on 9 April.
    let easter = (
        "2026-04-06T00:00:00+02:00",
        "2026-04-07T00:00:00+02:00",
        "holiday",
    );
    let leave = (
        "2026-04-09T00:00:00+02:00",
        "2026-04-10T00:00:00+02:00",
        "leave",
    );
    app.create(
        "Schedule",
        &schedule("Practitioner/physio1", &["physio"], &week, &[easter, leave]),
    )
    .await;
    app.create(
        "Schedule",
        &schedule("Practitioner/physio2", &["physio"], &week, &[easter]),
    )
    .await;
    app.create(
        "ActivityDefinition",
        &appointment_type("physio", 30, &["physio"], 0),
    )
    .await;
}

#[tokio::test]
async fn series_around_a_holiday_books_the_rest_and_proposes_alternatives() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        physio_practice(&app).await;
        let pid = app
            .create_id("Patient", &patient("Neri", "Luca", "1970-02-02", "S1"))
            .await;
        let subject = format!("Patient/{pid}");
        let other = app
            .create_id("Patient", &patient("Gallo", "Rita", "1980-03-03", "S2"))
            .await;
        // Another patient already holds physio1 on Thursday 2 April at 09:00.
        let busy = planning(&app, "/book", &json!({"type": "physio", "start": "2026-04-02T09:00", "patient": format!("Patient/{other}"), "resources": ["Practitioner/physio1"]})).await;
        assert_eq!(busy.status, StatusCode::CREATED, "{busy:?}");
        let r = planning(
            &app,
            "/series",
            &json!({
                "type": "physio", "patient": subject, "count": 6,
                "weekdays": ["mon", "thu"], "time": "09:00", "from": "2026-03-30",
                "preferred": ["Practitioner/physio1"],
            }),
        )
        .await;
        let d = data(&r, StatusCode::CREATED);
        let booked: Vec<(String, String)> = d["booked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let a = &s["appointment"];
                let who = a["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p.as_str().unwrap().starts_with("Practitioner/"))
                    .unwrap();
                (
                    a["start"].as_str().unwrap().to_owned(),
                    who.as_str().unwrap().to_owned(),
                )
            })
            .collect();
        // physio1 is kept where possible; on 2 April (busy) and 9 April (leave) physio2 steps in.
        assert_eq!(
            booked,
            vec![
                (
                    "2026-03-30T09:00:00+02:00".to_owned(),
                    "Practitioner/physio1".to_owned()
                ),
                (
                    "2026-04-02T09:00:00+02:00".to_owned(),
                    "Practitioner/physio2".to_owned()
                ),
                (
                    "2026-04-09T09:00:00+02:00".to_owned(),
                    "Practitioner/physio2".to_owned()
                ),
                (
                    "2026-04-13T09:00:00+02:00".to_owned(),
                    "Practitioner/physio1".to_owned()
                ),
                (
                    "2026-04-16T09:00:00+02:00".to_owned(),
                    "Practitioner/physio1".to_owned()
                ),
            ],
            "{}",
            app.backend
        );
        let unplaced = d["unplaced"].as_array().unwrap();
        assert_eq!(unplaced.len(), 1, "{}", app.backend);
        assert_eq!(unplaced[0]["target"], "2026-04-06T09:00:00+02:00");
        let alts: Vec<&str> = unplaced[0]["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["start"].as_str().unwrap())
            .collect();
        assert_eq!(alts.len(), 3, "{}", app.backend);
        // The nearest free time with the usual therapist: Tuesday at 09:00.
        assert_eq!(alts[0], "2026-04-07T09:00:00+02:00", "{}", app.backend);
        assert!(
            unplaced[0]["alternatives"][0]["resources"]
                .as_array()
                .unwrap()
                .contains(&json!("Practitioner/physio1"))
        );
        // Exactly the placed sessions (plus the other patient's) are stored.
        let (ids, _) = app
            .search_all(TENANT_A, &format!("Appointment?patient={pid}"))
            .await;
        assert_eq!(ids.len(), 5, "{}", app.backend);
    }
}

#[tokio::test]
async fn series_bad_input_books_nothing() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        physio_practice(&app).await;
        for (body, needle) in [
            (
                json!({"type": "physio", "patient": "Patient/p", "count": 0, "weekdays": ["mon"], "time": "09:00", "from": "2026-03-30"}),
                "count",
            ),
            (
                json!({"type": "physio", "patient": "Patient/p", "count": 3, "weekdays": [], "time": "09:00", "from": "2026-03-30"}),
                "weekday",
            ),
            (
                json!({"type": "physio", "patient": "Patient/p", "count": 3, "weekdays": ["xyz"], "time": "09:00", "from": "2026-03-30"}),
                "weekdays",
            ),
            (
                json!({"type": "nope", "patient": "Patient/p", "count": 3, "weekdays": ["mon"], "time": "09:00", "from": "2026-03-30"}),
                "type",
            ),
            (
                json!({"type": "physio", "patient": "Patient/p", "count": 3, "weekdays": ["mon"], "time": "25:00", "from": "2026-03-30"}),
                "time",
            ),
            (
                json!({"type": "physio", "patient": "Patient/p", "count": 3, "weekdays": ["sun"], "time": "02:30", "from": "2026-03-29"}),
                "does not exist",
            ),
        ] {
            let r = planning(&app, "/series", &body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {r:?}",
                app.backend
            );
            assert!(
                r.text.contains(needle),
                "{}: {needle}: {}",
                app.backend,
                r.text
            );
        }
        let (ids, _) = app.search_all(TENANT_A, "Appointment").await;
        assert!(ids.is_empty(), "{}", app.backend);
    }
}
