//! `/api/v1/planning` and Appointment writes over FHIR on every backend: double bookings
//! refused under concurrency with every clash listed, multi-resource conflicts, DST, bad input.

mod booking;
mod fhir;

use super::*;
use serde_json::json;

/// A JSON API request in clinic-a.
pub(super) async fn planning(app: &TestApp, path: &str, body: &Value) -> Reply {
    send(
        app.client
            .post(app.url(&format!("/api/v1/planning{path}")))
            .bearer_auth(TOKEN)
            .header("X-Cartella-Tenant", TENANT_A)
            .json(body),
    )
    .await
}

pub(super) fn schedule(
    actor: &str,
    roles: &[&str],
    hours: &[&str],
    away: &[(&str, &str, &str)],
) -> Value {
    let mut ext: Vec<Value> = hours
        .iter()
        .map(|h| json!({"url": "https://cartella.dev/fhir/StructureDefinition/weekly-hours", "valueString": h}))
        .collect();
    ext.push(json!({"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "Europe/Rome"}));
    for (start, end, reason) in away {
        ext.push(json!({"url": "https://cartella.dev/fhir/StructureDefinition/unavailable", "extension": [
            {"url": "period", "valuePeriod": {"start": start, "end": end}},
            {"url": "reason", "valueString": reason},
        ]}));
    }
    json!({
        "resourceType": "Schedule", "active": true,
        "actor": [{"reference": actor}],
        "serviceType": [{"coding": roles.iter().map(|r| json!({"system": "https://cartella.dev/fhir/CodeSystem/resource-role", "code": r})).collect::<Vec<_>>()}],
        "extension": ext,
    })
}

pub(super) fn appointment_type(code: &str, minutes: i64, roles: &[&str], after: i64) -> Value {
    let mut ext: Vec<Value> = roles
        .iter()
        .map(|r| json!({"url": "https://cartella.dev/fhir/StructureDefinition/required-role", "valueCode": r}))
        .collect();
    ext.push(json!({"url": "https://cartella.dev/fhir/StructureDefinition/buffer-after-minutes", "valueInteger": after}));
    json!({
        "resourceType": "ActivityDefinition", "status": "active", "kind": "Appointment",
        "code": {"coding": [{"code": code}]},
        "timingDuration": {"value": minutes, "unit": "min"},
        "extension": ext,
    })
}

/// A small practice: a theatre, a surgeon, an anaesthetist, a nurse, a device, two physios.
pub(super) async fn practice(app: &TestApp) {
    let week = ["mon-fri 08:00-18:00"];
    for (actor, roles) in [
        ("Location/theatre1", &["theatre"][..]),
        ("Practitioner/surgeon1", &["surgeon"]),
        ("Practitioner/anaes1", &["anaesthetist"]),
        ("Practitioner/nurse1", &["nurse"]),
        ("Device/laser1", &["device"]),
        ("Practitioner/physio1", &["physio"]),
    ] {
        app.create("Schedule", &schedule(actor, roles, &week, &[]))
            .await;
    }
    // physio2 is away on Easter Monday 2026.
    let away = [(
        "2026-04-06T00:00:00+02:00",
        "2026-04-07T00:00:00+02:00",
        "holiday",
    )];
    app.create(
        "Schedule",
        &schedule("Practitioner/physio2", &["physio"], &week, &away),
    )
    .await;
    app.create(
        "ActivityDefinition",
        &appointment_type(
            "surgery",
            90,
            &["theatre", "surgeon", "anaesthetist", "nurse", "device"],
            15,
        ),
    )
    .await;
    app.create(
        "ActivityDefinition",
        &appointment_type("physio", 30, &["physio"], 0),
    )
    .await;
}
