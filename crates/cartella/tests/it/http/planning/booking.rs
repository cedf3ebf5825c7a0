//! Booking through `/api/v1/planning`.

use super::*;
use crate::support::worlds;

fn conflicts(r: &Reply) -> Vec<(String, String, String)> {
    r.json()["error"]["details"]["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("no conflicts in {r:?}"))
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_owned();
            (s("kind"), s("resource"), s("appointment"))
        })
        .collect()
}

async fn book(app: &TestApp, body: Value) -> Reply {
    planning(app, "/book", &body).await
}

#[tokio::test]
async fn two_hundred_concurrent_bookings_exactly_one_wins() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        practice(&app).await;
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (client, url) = (app.client.clone(), app.url("/api/v1/planning/book"));
            tasks.push(tokio::spawn(async move {
                let req = client
                    .post(url)
                    .bearer_auth(TOKEN)
                    .header("X-Cartella-Tenant", TENANT_A)
                    .json(&json!({"type": "physio", "start": "2026-05-04T09:00", "resources": ["Practitioner/physio1"]}));
                send(req).await
            }));
        }
        let mut replies = Vec::new();
        for t in tasks {
            replies.push(t.await.unwrap());
        }
        let won: Vec<&Reply> = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .collect();
        assert_eq!(
            won.len(),
            1,
            "{}: {:?}",
            app.backend,
            replies.iter().find(|r| r.status != StatusCode::CONFLICT)
        );
        let winner = won[0].json()["data"]["appointment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
            assert_eq!(r.json()["error"]["code"], "CONFLICT");
            assert_eq!(
                conflicts(r),
                vec![(
                    "booked".into(),
                    "Practitioner/physio1".into(),
                    winner.clone()
                )],
                "{}",
                app.backend
            );
        }
        let (ids, _) = app.search_all(TENANT_A, "Appointment").await;
        assert_eq!(ids, vec![winner], "{}", app.backend);
    }
}

#[tokio::test]
async fn surgery_reports_every_busy_resource() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        practice(&app).await;
        let a = book(&app, json!({"start": "2026-05-05T10:00", "duration_minutes": 60, "resources": ["Practitioner/surgeon1"]})).await;
        assert_eq!(a.status, StatusCode::CREATED, "{a:?}");
        let b = book(&app, json!({"start": "2026-05-05T08:30", "duration_minutes": 60, "resources": ["Device/laser1"]})).await;
        assert_eq!(b.status, StatusCode::CREATED, "{b:?}");
        let id = |r: &Reply| {
            r.json()["data"]["appointment"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let r = book(&app, json!({
            "type": "surgery", "start": "2026-05-05T09:00", "patient": "Patient/p1",
            "resources": ["Location/theatre1", "Practitioner/surgeon1", "Practitioner/anaes1", "Practitioner/nurse1", "Device/laser1"],
        })).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        assert_eq!(
            conflicts(&r),
            vec![
                ("booked".into(), "Practitioner/surgeon1".into(), id(&a)),
                ("booked".into(), "Device/laser1".into(), id(&b)),
            ]
        );
        // Without the device the type's required role is missing, and still both are listed.
        let r = book(&app, json!({
            "type": "surgery", "start": "2026-05-05T09:00",
            "resources": ["Location/theatre1", "Practitioner/surgeon1", "Practitioner/anaes1", "Practitioner/nurse1"],
        })).await;
        assert_eq!(
            conflicts(&r)
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>(),
            vec!["booked", "missing_resource"],
            "{r:?}"
        );
        // The slot search offers times where all five are free, e.g. 11:00 after the surgeon.
        let s = planning(
            &app,
            "/slots",
            &json!({"type": "surgery", "from": "2026-05-05", "to": "2026-05-05", "limit": 3}),
        )
        .await;
        assert_eq!(s.status, StatusCode::OK, "{s:?}");
        let first = &s.json()["data"]["slots"][0];
        assert_eq!(first["start"], "2026-05-05T11:00:00+02:00", "{s:?}");
        assert_eq!(first["resources"].as_array().unwrap().len(), 5);
    }
}

#[tokio::test]
async fn nine_oclock_stays_nine_oclock_after_each_dst_change() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        practice(&app).await;
        for (day, offset, utc) in [
            ("2026-03-30", "+02:00", "07:00"),
            ("2026-10-26", "+01:00", "08:00"),
        ] {
            let r = book(&app, json!({"type": "physio", "start": format!("{day}T09:00"), "resources": ["Practitioner/physio1"]})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
            let appt = &r.json()["data"]["appointment"];
            assert_eq!(appt["start"], format!("{day}T09:00:00{offset}"));
            let stored = app
                .get(&format!("Appointment/{}", appt["id"].as_str().unwrap()))
                .await
                .json();
            let start = cartella_core::Timestamp::parse(stored["start"].as_str().unwrap()).unwrap();
            assert_eq!(
                start.to_string(),
                format!("{day}T{utc}:00.000Z"),
                "{}",
                app.backend
            );
            // Opening hours follow local time too.
            let a = send(app.client.get(app.url(&format!("/api/v1/planning/availability?resource=Practitioner/physio1&from={day}&to={day}")))
                .bearer_auth(TOKEN).header("X-Cartella-Tenant", TENANT_A)).await;
            let free = &a.json()["data"]["resources"][0]["free"];
            assert_eq!(free[0]["start"], format!("{day}T08:00:00{offset}"), "{a:?}");
            assert_eq!(free[0]["end"], format!("{day}T09:00:00{offset}"), "{a:?}");
            assert_eq!(free[1]["start"], format!("{day}T09:30:00{offset}"), "{a:?}");
        }
    }
}

#[tokio::test]
async fn bad_input_is_refused_precisely_and_books_nothing() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        practice(&app).await;
        let p1 = ["Practitioner/physio1"];
        for (body, needle) in [
            (
                json!({"start": "2026-03-29T02:30", "duration_minutes": 30, "resources": p1}),
                "does not exist in Europe/Rome",
            ),
            (
                json!({"start": "2026-05-04T10:00", "end": "2026-05-04T09:00", "resources": p1}),
                "end must be after start",
            ),
            (
                json!({"start": "2026-05-04T10:00", "end": "2026-05-04T10:00", "resources": p1}),
                "end must be after start",
            ),
            (
                json!({"start": "2026-05-04T10:00", "duration_minutes": -5, "resources": p1}),
                "duration_minutes must be positive",
            ),
            (
                json!({"start": "2026-05-04T10:00", "duration_minutes": 30, "resources": ["Practitioner/ghost"]}),
                "unknown resource 'Practitioner/ghost'",
            ),
            (
                json!({"type": "yoga", "start": "2026-05-04T10:00", "resources": p1}),
                "unknown appointment type 'yoga'",
            ),
            (
                json!({"start": "2026-05-04T20:00", "duration_minutes": 30, "resources": p1}),
                "not available",
            ),
            (
                json!({"type": "physio", "start": "2026-04-06T09:00", "resources": ["Practitioner/physio2"]}),
                "not available",
            ),
            (
                json!({"start": "tomorrow", "duration_minutes": 30, "resources": p1}),
                "is not a date-time",
            ),
        ] {
            let r = book(&app, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {body}: {r:?}",
                app.backend
            );
            assert_eq!(r.json()["error"]["code"], "VALIDATION_ERROR");
            let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
            assert!(msg.contains(needle), "{msg} lacks {needle}");
        }
        let holiday = book(&app, json!({"type": "physio", "start": "2026-04-06T09:00", "resources": ["Practitioner/physio2"]})).await;
        let c = &holiday.json()["error"]["details"]["conflicts"][0];
        assert_eq!(
            (c["kind"].as_str(), c["reason"].as_str()),
            (Some("unavailable"), Some("holiday"))
        );
        let (ids, _) = app.search_all(TENANT_A, "Appointment").await;
        assert!(ids.is_empty(), "{}: {ids:?}", app.backend);
    }
}

#[tokio::test]
async fn reschedule_cancel_and_no_show_with_reasons() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        practice(&app).await;
        let r = book(&app, json!({"type": "physio", "start": "2026-05-04T09:00", "patient": "Patient/p1", "resources": ["Practitioner/physio1"]})).await;
        let id = r.json()["data"]["appointment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let other = book(&app, json!({"type": "physio", "start": "2026-05-04T10:00", "resources": ["Practitioner/physio1"]})).await;
        let other_id = other.json()["data"]["appointment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Onto the other booking: refused, listing it; onto free time: moved, length kept.
        let clash = planning(
            &app,
            "/reschedule",
            &json!({"id": id, "start": "2026-05-04T10:15"}),
        )
        .await;
        assert_eq!(clash.status, StatusCode::CONFLICT, "{clash:?}");
        assert_eq!(
            conflicts(&clash),
            vec![(
                "booked".into(),
                "Practitioner/physio1".into(),
                other_id.clone()
            )]
        );
        let moved = planning(
            &app,
            "/reschedule",
            &json!({"id": id, "start": "2026-05-04T09:15"}),
        )
        .await;
        assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
        assert_eq!(
            moved.json()["data"]["appointment"]["end"],
            "2026-05-04T09:45:00+02:00"
        );
        let no_reason = planning(&app, "/cancel", &json!({"id": id, "reason": " "})).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let cancelled = planning(
            &app,
            "/cancel",
            &json!({"id": id, "reason": "patient called"}),
        )
        .await;
        assert_eq!(
            cancelled.json()["data"]["appointment"]["status"],
            "cancelled",
            "{cancelled:?}"
        );
        let stored = app.get(&format!("Appointment/{id}")).await.json();
        assert_eq!(stored["cancelationReason"]["text"], "patient called");
        // Its time is free again.
        let again = book(&app, json!({"type": "physio", "start": "2026-05-04T09:15", "resources": ["Practitioner/physio1"]})).await;
        assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
        let ns = planning(
            &app,
            "/no-show",
            &json!({"id": other_id, "reason": "did not come"}),
        )
        .await;
        assert_eq!(
            ns.json()["data"]["appointment"]["status"],
            "noshow",
            "{ns:?}"
        );
        let twice = planning(&app, "/cancel", &json!({"id": other_id, "reason": "x"})).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
    }
}
