//! Resources and appointment types: administrators only; bad input answers 422 with the
//! message next to the field and stores nothing.

use super::*;

#[tokio::test]
async fn only_administrators_manage_resources_and_types() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut desk = p.desk;
        for path in [
            "/scheduling/resources",
            "/scheduling/resources/new",
            "/scheduling/types",
            "/scheduling/types/new",
        ] {
            let r = desk.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{} {path}", app.backend);
        }
        // A forged POST is refused too, and stores nothing.
        let before = schedules(&app).await.len();
        let r = desk
            .post(
                "/scheduling/resources/new",
                &[("kind", "room"), ("name", "Sneaky")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", app.backend);
        assert_eq!(schedules(&app).await.len(), before);

        // The administrator sees both resources with their hours.
        let mut admin = p.admin;
        let list = admin.get("/scheduling/resources").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.text.contains("Room 1") && list.text.contains("Dr Bianchi"),
            "{}",
            list.text
        );
        assert!(list.text.contains("mon 08:00-18:00"), "{}", list.text);
        let types = admin.get("/scheduling/types").await;
        assert!(types.text.contains("Visit") && types.text.contains("room, doctor"));
    }
}

#[tokio::test]
async fn resource_form_refuses_bad_hours_and_periods_and_keeps_exceptions() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let p = practice(&app).await;
        let mut admin = p.admin;
        let before = schedules(&app).await.len();
        let r = admin
            .submit(
                "/scheduling/resources/new",
                "/scheduling/resources/new",
                &[
                    ("kind", "theatre"),
                    ("name", "Theatre A"),
                    ("hours_mon", "18:00-08:00"),
                    ("ex_from", "2026-03-29T02:30"),
                    ("ex_to", "2026-03-29T05:00"),
                    ("ex_reason", "maintenance"),
                    ("ex_note", ""),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(
            r.text.contains("Write the hours as 08:00-13:00"),
            "{}",
            r.text
        );
        // 02:30 does not exist on 29 March 2026 in Europe/Rome.
        assert!(r.text.contains("existing local times"), "{}", r.text);
        assert!(r.text.contains("value=\"Theatre A\""), "typed values kept");
        assert_eq!(schedules(&app).await.len(), before, "nothing stored");

        // Valid: a maintenance period is stored with its reason and shown shaded.
        let r = admin
            .submit(
                "/scheduling/resources/new",
                "/scheduling/resources/new",
                &[
                    ("kind", "theatre"),
                    ("name", "Theatre A"),
                    ("roles", ""),
                    ("active", "on"),
                    ("hours_mon", "08:00-13:00, 14:00-18:00"),
                    ("ex_from", "2026-03-30T08:00"),
                    ("ex_to", "2026-03-30T10:00"),
                    ("ex_reason", "maintenance"),
                    ("ex_note", "laminar flow check"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let (actor, _, s) = schedules(&app)
            .await
            .into_iter()
            .find(|(_, n, _)| n == "Theatre A")
            .unwrap();
        assert!(actor.starts_with("Location/"), "{actor}");
        assert_eq!(s["serviceType"][0]["coding"][0]["code"], "theatre");
        let text = s.to_string();
        assert!(text.contains("2026-03-30T08:00:00+02:00"), "{text}");
        assert!(text.contains("maintenance: laminar flow check"), "{text}");
        let cal = admin
            .get(&format!(
                "/calendar?resource={actor}&view=day&date=2026-03-30"
            ))
            .await;
        assert!(
            cal.text
                .contains("cal-cell away rs-1\" data-start=\"2026-03-30T08:00\""),
            "{}",
            cal.text
        );
        assert!(
            cal.text
                .contains("cal-cell closed rs-21\" data-start=\"2026-03-30T13:00\""),
            "{}",
            cal.text
        );

        // Appointment types: a zero duration is refused with its message.
        let r = admin
            .submit(
                "/scheduling/types/new",
                "/scheduling/types/new",
                &[("name", "Surgery"), ("code", "surgery"), ("duration", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("between 1 and 1440 minutes"), "{}", r.text);
    }
}
