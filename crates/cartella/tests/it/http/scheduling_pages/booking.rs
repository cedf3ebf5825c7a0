//! Booking, conflicts, reschedule, cancel, the queue and the DST day, through the pages.

use super::*;

/// The redirect's path without its query (`/appointments/{id}`).
fn location(r: &Reply) -> String {
    let l = r.header("location").expect("redirect");
    l.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn booking_lists_every_conflict_and_books_nothing() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut desk = p.desk;
        let both = [p.room.as_str(), p.doctor.as_str()];
        let r = book(&mut desk, &p.anna, "2026-03-30T09:00", &both).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let first = location(&r);
        assert!(first.starts_with("/appointments/"), "{first}");
        let page = desk.follow(r).await;
        assert!(
            page.text.contains("The appointment is booked."),
            "{}",
            page.text
        );

        // Bruno at 09:15 with the same room and doctor: both conflicts, nothing booked.
        let r = book(&mut desk, &p.bruno, "2026-03-30T09:15", &both).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert!(r.text.contains("2 conflicts"), "{}", r.text);
        for name in ["Room 1", "Dr Bianchi"] {
            assert!(
                r.text.contains(&format!(
                    "Already booked: <strong>{name}</strong> · 30/03/2026 09:00–09:30"
                )),
                "{name}: {}",
                r.text
            );
        }
        assert!(
            r.text.contains(&format!("href=\"{first}\"")),
            "links the other appointment"
        );
        assert_eq!(appointments(&app).await.len(), 1, "nothing booked");

        // Bad input: a time in the spring-forward gap, a missing patient.
        let r = book(&mut desk, &p.bruno, "2026-03-29T02:30", &both).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("does not exist on that day"), "{}", r.text);
        let r = book(&mut desk, "", "2026-03-30T11:00", &both).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("Please choose the patient."));
        assert_eq!(appointments(&app).await.len(), 1, "nothing booked");

        // Find slots offers the first free time for both resources.
        let r = desk
            .submit(
                "/appointments/new",
                "/appointments/new",
                &[
                    ("type", "visit"),
                    ("patient", &p.bruno),
                    ("start", "2026-03-30T08:00"),
                    ("action", "slots"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text.contains("30/03/2026 08:00–08:30"), "{}", r.text);
        assert!(
            !r.text.contains("30/03/2026 09:00–09:30</button>"),
            "busy time not offered"
        );

        // Reschedule Anna to 10:00, then Bruno can have 09:15.
        let r = desk
            .submit(
                &first,
                &format!("{first}/reschedule"),
                &[("start", "2026-03-30T10:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = desk.follow(r).await;
        assert!(
            page.text.contains("30/03/2026 10:00–10:30"),
            "{}",
            page.text
        );
        let r = book(&mut desk, &p.bruno, "2026-03-30T09:15", &both).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let second = location(&r);
        // Moving Bruno onto Anna's 10:00 is refused with the conflicts, unchanged.
        let r = desk
            .submit(
                &second,
                &format!("{second}/reschedule"),
                &[("start", "2026-03-30T10:15")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert!(
            r.text.contains("Already booked: <strong>Room 1</strong>"),
            "{}",
            r.text
        );
        let stored = appointments(&app).await;
        let bruno = stored
            .iter()
            .find(|a| format!("/appointments/{}", a["id"].as_str().unwrap()) == second)
            .unwrap();
        assert_eq!(bruno["start"], "2026-03-30T09:15:00+02:00");

        // Cancel needs a reason; then the time is free again.
        let r = desk
            .submit(&first, &format!("{first}/cancel"), &[("reason", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("Please give a reason."));
        let r = desk
            .submit(
                &first,
                &format!("{first}/cancel"),
                &[("reason", "patient called")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let anna = appointments(&app)
            .await
            .into_iter()
            .find(|a| a["status"] == "cancelled")
            .expect("cancelled");
        assert_eq!(anna["cancelationReason"]["text"], "patient called");
        let r = desk
            .submit(
                &second,
                &format!("{second}/no-show"),
                &[("reason", "did not come")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The patient's tab lists both, with their status.
        let tab = desk
            .get(&format!("/patients/{}/appointments", p.anna))
            .await;
        assert_eq!(tab.status, StatusCode::OK);
        assert!(
            tab.text.contains("Cancelled") && tab.text.contains("30/03/2026 10:00–10:30"),
            "{}",
            tab.text
        );
    }
}

#[tokio::test]
async fn dst_day_shows_nine_at_nine_and_drag_endpoint_reports_conflicts() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut desk = p.desk;
        let both = [p.room.as_str(), p.doctor.as_str()];
        // Sunday 29 March 2026: clocks go forward at 02:00 in Europe/Rome.
        let r = book(&mut desk, &p.anna, "2026-03-29T09:00", &both).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = book(&mut desk, &p.bruno, "2026-03-29T11:00", &both).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let second = location(&r).trim_start_matches("/appointments/").to_owned();
        let stored = appointments(&app).await;
        assert!(
            stored
                .iter()
                .any(|a| a["start"] == "2026-03-29T09:00:00+02:00"),
            "{stored:?}"
        );
        let cal = desk
            .get(&format!(
                "/calendar?resource={}&view=day&date=2026-03-29",
                p.room
            ))
            .await;
        assert_eq!(cal.status, StatusCode::OK);
        // Hours open 08:00: the 09:00 quarter is row 5, and the appointment sits on it.
        assert!(
            cal.text.contains("rs-5\" data-start=\"2026-03-29T09:00\""),
            "{}",
            cal.text
        );
        assert!(
            cal.text.contains("cal-appt st-booked rs-5 rl-2"),
            "{}",
            cal.text
        );
        assert!(cal.text.contains("09:00–09:30"), "{}", cal.text);
        assert!(cal.text.contains("data-refresh-on=\"Appointment\""));
        // The week view holds the same appointment on the Sunday column.
        let week = desk
            .get(&format!(
                "/calendar?resource={}&view=week&date=2026-03-29",
                p.room
            ))
            .await;
        assert!(
            week.text.contains("data-date=\"2026-03-23\"")
                && week.text.contains("cal-appt st-booked rs-5 rl-2")
        );

        // The drag endpoint: onto Anna's time → 409 with the conflict fragment, unchanged.
        let r = desk
            .submit(
                "/calendar",
                &format!("/appointments/{second}/move"),
                &[("start", "2026-03-29T09:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert!(
            r.text.contains("Already booked") && !r.text.contains("<html"),
            "{}",
            r.text
        );
        // Onto a free quarter → 200 and moved.
        let r = desk
            .submit(
                "/calendar",
                &format!("/appointments/{second}/move"),
                &[("start", "2026-03-29T14:15")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let moved = appointments(&app)
            .await
            .into_iter()
            .find(|a| a["id"] == second.as_str())
            .unwrap();
        assert_eq!(moved["start"], "2026-03-29T14:15:00+02:00");
        // Without a CSRF token nothing moves.
        let r = desk
            .post(
                &format!("/appointments/{second}/move"),
                &[("start", "2026-03-29T15:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn todays_queue_moves_through_arrived_in_room_done() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut desk = p.desk;
        use cartella_core::scheduling::zone::{time_zone, to_local};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64;
        // Today in the practice's zone, at an open hour (08:00-18:00).
        let start = format!(
            "{}T08:00",
            to_local(now, &time_zone("Europe/Rome").unwrap()).date()
        );
        let r = book(
            &mut desk,
            &p.anna,
            &start,
            &[p.room.as_str(), p.doctor.as_str()],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let id = location(&r).trim_start_matches("/appointments/").to_owned();
        let home = desk.get("/").await;
        assert!(
            home.text.contains("Today&#x27;s appointments")
                || home.text.contains("Today's appointments"),
            "{}",
            home.text
        );
        assert!(home.text.contains("Rossi, Anna"), "{}", home.text);
        for (state, status, label) in [
            ("arrived", "arrived", "Arrived"),
            ("in-room", "checked-in", "In the room"),
            ("done", "fulfilled", "Done"),
        ] {
            let r = desk
                .submit("/queue", &format!("/queue/{id}"), &[("state", state)])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{state}: {}", r.text);
            let stored = appointments(&app).await;
            assert_eq!(stored[0]["status"], status);
            let q = desk.get("/queue").await;
            assert!(
                q.text.contains(&format!("q-chip\">{label}<")),
                "{state}: {}",
                q.text
            );
        }
        let r = desk
            .submit(
                "/queue",
                &format!("/queue/{id}"),
                &[("state", "teleported")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn a_booking_from_the_page_queues_its_reminders_like_the_api() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut desk = p.desk;
        let both = [p.room.as_str(), p.doctor.as_str()];
        // A Monday far enough ahead for both default reminders (48 h and 2 h before).
        let r = book(&mut desk, &p.anna, "2027-01-11T09:00", &both).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            app.backend,
            r.text
        );
        let id = location(&r).trim_start_matches("/appointments/").to_owned();
        let n = send(
            app.client
                .get(app.url(&format!("/api/v1/planning/appointments/{id}/notifications")))
                .bearer_auth(TOKEN)
                .header("X-Cartella-Tenant", TENANT_A),
        )
        .await;
        assert_eq!(n.status, StatusCode::OK, "{n:?}");
        let pending = n.json()["data"]["pending"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        assert!(
            pending >= 2,
            "{}: reminders queued for the page's booking: {}",
            app.backend,
            n.text
        );
    }
}
