//! The calendar in a real browser: a secretary books an appointment through the form, drags
//! it to another time in the day view (pointer events, `calendar.js`), then drags it onto a
//! busy time and sees the conflict message in place, the appointment unchanged.

use super::*;
use crate::http::spawn_app;
use crate::support;
use cartella_auth::service::NewUser;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

const PASSWORD: &str = "Ambulatorio-2024!x";

fn schedule(actor: &str, name: &str, role: &str) -> serde_json::Value {
    json!({
        "resourceType": "Schedule", "active": true,
        "actor": [{"reference": actor, "display": name}],
        "serviceType": [{"coding": [{"system": "https://cartella.dev/fhir/CodeSystem/resource-role", "code": role}]}],
        "extension": [{"url": "https://cartella.dev/fhir/StructureDefinition/weekly-hours", "valueString": "mon-fri 08:00-18:00"}],
    })
}

/// Drag `from` and drop it on `to` with a mouse pointer.
async fn drag(c: &Client, from: &str, to: &str) {
    let source = c
        .find(Locator::Css(from))
        .await
        .unwrap_or_else(|e| panic!("no {from}: {e}"));
    let target = c
        .find(Locator::Css(to))
        .await
        .unwrap_or_else(|e| panic!("no {to}: {e}"));
    let ms = Some(Duration::from_millis(150));
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: source,
            duration: ms,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: ms,
            x: 0.0,
            y: 12.0,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: ms,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(actions).await.expect("drag");
}

#[tokio::test]
async fn book_then_drag_to_reschedule_and_see_the_conflict() {
    let Some(driver) = driver().await else { return };
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    let base = app.base.clone();
    app.auth()
        .create_user(
            &app.tenant_a,
            NewUser {
                email: "desk@cal.example".into(),
                name: "Desk".into(),
                roles: "secretary".into(),
                password: Some(PASSWORD.into()),
                patient_id: None,
                expires_at: None,
            },
        )
        .await
        .expect("secretary");
    app.create("Schedule", &schedule("Location/room1", "Room 1", "room"))
        .await;
    app.create(
        "Schedule",
        &schedule("Practitioner/doc1", "Dr Bianchi", "doctor"),
    )
    .await;
    app.create(
        "ActivityDefinition",
        &json!({"resourceType": "ActivityDefinition", "status": "active", "kind": "Appointment", "title": "Visit",
            "code": {"coding": [{"code": "visit"}]}, "timingDuration": {"value": 30, "unit": "min"}}),
    )
    .await;
    let anna = app
        .create_id("Patient", &json!({"resourceType": "Patient", "active": true, "name": [{"family": "Rossi", "given": ["Anna"]}], "birthDate": "1970-05-01"}))
        .await;
    let bruno = app
        .create_id("Patient", &json!({"resourceType": "Patient", "active": true, "name": [{"family": "Verdi", "given": ["Bruno"]}], "birthDate": "1965-02-03"}))
        .await;
    // Bruno holds the room at 11:00.
    app.create(
        "Appointment",
        &json!({"resourceType": "Appointment", "status": "booked",
            "start": "2026-03-30T11:00:00+02:00", "end": "2026-03-30T11:30:00+02:00", "minutesDuration": 30,
            "participant": [{"actor": {"reference": format!("Patient/{bruno}")}, "status": "accepted"},
                            {"actor": {"reference": "Location/room1"}, "status": "accepted"}]}),
    )
    .await;

    let c = browser(&driver, 1280, "en-GB").await;
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(&c, "#f-email", "desk@cal.example").await;
    fill(&c, "#f-password", PASSWORD).await;
    click(&c, "form[action='/login'] button.primary").await;
    wait_text(&c, "main", "Hello").await;

    // Book Anna at 09:00 with the room and the doctor, from her chart's "book" link.
    c.goto(&format!("{base}/patients/{anna}/appointments"))
        .await
        .unwrap();
    click(&c, "main a.button.primary[href^='/appointments/new']").await;
    wait_text(&c, "h1", "Book an appointment").await;
    c.find(Locator::Css("#f-type"))
        .await
        .unwrap()
        .select_by_value("visit")
        .await
        .unwrap();
    click(&c, "input[name='resource'][value='Location/room1']").await;
    click(&c, "input[name='resource'][value='Practitioner/doc1']").await;
    set(&c, "#f-start", "2026-03-30T09:00").await;
    click(&c, "button.primary[value='book']").await;
    wait_text(&c, "main", "The appointment is booked.").await;

    // Day view of the room: drag 09:00 → 10:00.
    c.goto(&format!(
        "{base}/calendar?resource=Location/room1&view=day&date=2026-03-30"
    ))
    .await
    .unwrap();
    wait_text(&c, "#cal", "09:00–09:30").await;
    drag(
        &c,
        ".cal-appt[data-start-time='09:00']",
        ".cal-cell[data-start='2026-03-30T10:00']",
    )
    .await;
    wait_text(&c, "#cal", "10:00–10:30").await;

    // Onto Bruno's 11:00: refused, the conflict shown in place, nothing moved.
    drag(
        &c,
        ".cal-appt[data-start-time='10:00']",
        ".cal-cell[data-start='2026-03-30T11:00']",
    )
    .await;
    let msg = wait_text(&c, "#cal-message", "Already booked").await;
    assert!(
        msg.contains("Room 1") && msg.contains("11:00–11:30"),
        "{msg}"
    );
    wait_text(&c, "#cal", "10:00–10:30").await;
    let _ = c.close().await;
}
