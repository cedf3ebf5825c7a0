//! The scheduling pages over HTTP on every backend: administrators set up resources and
//! appointment types through the forms (others get 403), secretaries book, see every conflict
//! listed with nothing booked, reschedule, cancel and run the day queue; DST days keep 09:00
//! at 09:00; bad input answers 422 with the message.

mod booking;
mod setup;

use super::web::{Browser, register, staff};
use super::*;

/// Every Appointment stored in practice A, as JSON.
pub(super) async fn appointments(app: &TestApp) -> Vec<Value> {
    let page = app
        .store
        .search(
            &app.tenant_a,
            "Appointment",
            &[("_count".into(), "100".into())],
        )
        .await
        .expect("search appointments");
    page.resources
        .iter()
        .map(|r| serde_json::from_slice(&r.json).unwrap())
        .collect()
}

/// `(actor reference, display name)` of every Schedule in practice A.
pub(super) async fn schedules(app: &TestApp) -> Vec<(String, String, Value)> {
    let page = app
        .store
        .search(
            &app.tenant_a,
            "Schedule",
            &[("_count".into(), "100".into())],
        )
        .await
        .expect("search schedules");
    page.resources
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.json).unwrap();
            (
                v["actor"][0]["reference"].as_str().unwrap().to_owned(),
                v["actor"][0]["display"].as_str().unwrap_or("").to_owned(),
                v,
            )
        })
        .collect()
}

/// A resource through the admin form, open every day 08:00-18:00; its actor reference.
pub(super) async fn resource(b: &mut Browser<'_>, kind: &str, name: &str, roles: &str) -> String {
    let mut fields = vec![
        ("kind", kind),
        ("name", name),
        ("roles", roles),
        ("active", "on"),
    ];
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let keys: Vec<String> = days.iter().map(|d| format!("hours_{d}")).collect();
    for k in &keys {
        fields.push((k.as_str(), "08:00-18:00"));
    }
    for k in ["ex_from", "ex_to", "ex_reason", "ex_note"] {
        fields.push((k, ""));
    }
    let r = b
        .submit(
            "/scheduling/resources/new",
            "/scheduling/resources/new",
            &fields,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "create resource: {}",
        r.text
    );
    schedules(b.app)
        .await
        .into_iter()
        .find(|(_, n, _)| n == name)
        .map(|(a, _, _)| a)
        .expect("the new Schedule")
}

/// An admin and a secretary signed in, a room and a doctor open every day, a 30-minute
/// visit type needing both, two patients.
pub(super) struct Practice<'a> {
    pub admin: Browser<'a>,
    pub desk: Browser<'a>,
    pub room: String,
    pub doctor: String,
    pub anna: String,
    pub bruno: String,
}

pub(super) async fn practice(app: &TestApp) -> Practice<'_> {
    staff(app, "admin@sched.example", "administrator").await;
    staff(app, "desk@sched.example", "secretary").await;
    let mut admin = Browser::new(app);
    admin.sign_in("admin@sched.example").await;
    let room = resource(&mut admin, "room", "Room 1", "room").await;
    let doctor = resource(&mut admin, "practitioner", "Dr Bianchi", "doctor").await;
    let r = admin
        .submit(
            "/scheduling/types/new",
            "/scheduling/types/new",
            &[
                ("name", "Visit"),
                ("code", "visit"),
                ("duration", "30"),
                ("roles", "room, doctor"),
                ("buffer_before", "0"),
                ("buffer_after", "0"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "create type: {}", r.text);
    let mut desk = Browser::new(app);
    desk.sign_in("desk@sched.example").await;
    let anna = register(&mut desk, "Rossi", "Anna", "1970-05-01").await;
    let bruno = register(&mut desk, "Verdi", "Bruno", "1965-02-03").await;
    Practice {
        admin,
        desk,
        room,
        doctor,
        anna,
        bruno,
    }
}

/// Book through the form; the reply as is.
pub(super) async fn book(
    b: &mut Browser<'_>,
    patient: &str,
    start: &str,
    resources: &[&str],
) -> Reply {
    let mut fields = vec![
        ("type", "visit"),
        ("patient", patient),
        ("start", start),
        ("action", "book"),
    ];
    for r in resources {
        fields.push(("resource", r));
    }
    b.submit("/appointments/new", "/appointments/new", &fields)
        .await
}
