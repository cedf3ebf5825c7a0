//! Calendar feeds: secret URL, RFC 5545 output without patient names, revocation → 404.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn feed_lists_appointments_without_names_and_dies_when_revoked() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        app.create(
            "Schedule",
            &schedule("Practitioner/d1", &["visit"], &[], &[]),
        )
        .await;
        app.create(
            "ActivityDefinition",
            &appointment_type("visit", 30, &["visit"], 0),
        )
        .await;
        let pid = app
            .create_id("Patient", &patient("Rossi", "Mario", "1950-05-05", "F1"))
            .await;
        let rome = jiff::tz::TimeZone::get("Europe/Rome").unwrap();
        let tomorrow = jiff::Timestamp::now()
            .to_zoned_datetime(rome)
            .date()
            .tomorrow()
            .unwrap();
        let start = format!("{tomorrow}T10:00");
        let r = planning(&app, "/book", &json!({"type": "visit", "start": start, "patient": format!("Patient/{pid}"), "resources": ["Practitioner/d1"]})).await;
        let appt = data(&r, StatusCode::CREATED)["appointment"].clone();
        let r = planning(&app, "/feeds", &json!({"resource": "Practitioner/d1"})).await;
        let feed = data(&r, StatusCode::CREATED);
        let url = feed["url"].as_str().unwrap().to_owned();
        assert!(url.ends_with(".ics") && url.contains("/calendar/"), "{url}");

        let ics = send(app.client.get(&url)).await;
        assert_eq!(ics.status, StatusCode::OK, "{}: {ics:?}", app.backend);
        assert!(
            ics.header("content-type")
                .unwrap()
                .starts_with("text/calendar")
        );
        let text = &ics.text;
        assert!(
            text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{text}"
        );
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1, "{text}");
        assert!(text.contains(&format!("UID:{}@cartella", appt["id"].as_str().unwrap())));
        let utc = appt["start"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        assert!(text.contains(&format!("DTSTART:{utc}\r\n")), "{text}");
        assert!(text.contains("SUMMARY:visit – M.R.\r\n"), "{text}");
        assert!(
            !text.contains("Rossi") && !text.contains("Mario"),
            "no names leave the practice"
        );

        let listed = data(&planning_get(&app, "/feeds").await, StatusCode::OK);
        assert_eq!(listed["feeds"][0]["resource"], "Practitioner/d1");
        let wrong = format!(
            "{}.ics",
            url.trim_end_matches(".ics")
                .trim_end_matches(|c: char| c.is_ascii_hexdigit())
        );
        assert_eq!(
            send(app.client.get(&wrong)).await.status,
            StatusCode::NOT_FOUND
        );
        let id = feed["id"].as_str().unwrap();
        let r = send(app.request(
            Method::DELETE,
            &app.url(&format!("/api/v1/planning/feeds/{id}")),
        ))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let gone = send(app.client.get(&url)).await;
        assert_eq!(
            gone.status,
            StatusCode::NOT_FOUND,
            "{}: revoked feed",
            app.backend
        );
        let none = data(&planning_get(&app, "/feeds").await, StatusCode::OK);
        assert!(none["feeds"].as_array().unwrap().is_empty());
    }
}
