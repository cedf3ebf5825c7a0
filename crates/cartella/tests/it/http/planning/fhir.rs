//! The same double booking through the FHIR API: refused with 409 and an OperationOutcome
//! listing every clash, also inside a transaction bundle.

use super::*;
use crate::support::worlds;

fn appt(start: &str, end: &str, actors: &[&str]) -> Value {
    json!({
        "resourceType": "Appointment", "status": "booked", "start": start, "end": end,
        "participant": actors.iter().map(|a| json!({"actor": {"reference": a}, "status": "accepted"})).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn fhir_create_and_transaction_cannot_double_book() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let first = app
            .create_id(
                "Appointment",
                &appt(
                    "2026-05-04T09:00:00+02:00",
                    "2026-05-04T10:00:00+02:00",
                    &["Practitioner/d1", "Location/r1"],
                ),
            )
            .await;
        let clash = appt(
            "2026-05-04T09:30:00+02:00",
            "2026-05-04T10:30:00+02:00",
            &["Practitioner/d1", "Location/r1"],
        );
        let r = send(app.post("Appointment", &clash)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        let body = r.json();
        assert_eq!(body["resourceType"], "OperationOutcome");
        let issues: Vec<String> = body["issue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["diagnostics"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(issues.len(), 3, "{issues:?}");
        assert!(issues[0].contains("2 conflict"), "{issues:?}");
        assert!(
            issues[1..]
                .iter()
                .all(|i| i.contains(&format!("Appointment/{first}"))),
            "{issues:?}"
        );
        assert!(
            issues.iter().any(|i| i.contains("Location/r1"))
                && issues.iter().any(|i| i.contains("Practitioner/d1"))
        );

        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": "urn:uuid:0d7c1c5e-0000-4000-8000-000000000001", "resource": {"resourceType": "Patient", "name": [{"family": "Rossi"}]}, "request": {"method": "POST", "url": "Patient"}},
            {"resource": clash, "request": {"method": "POST", "url": "Appointment"}},
        ]});
        let r = send(app.post("", &bundle)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {r:?}", app.backend);
        assert!(r.text.contains(&format!("Appointment/{first}")), "{r:?}");
        // All or nothing: the patient of the refused bundle was not stored either.
        let (patients, _) = app.search_all(TENANT_A, "Patient").await;
        assert!(patients.is_empty(), "{patients:?}");
        let (appts, _) = app.search_all(TENANT_A, "Appointment").await;
        assert_eq!(appts, vec![first.clone()]);
        // Cancelling over FHIR releases the time for the next booking.
        let mut cancelled = app.get(&format!("Appointment/{first}")).await.json();
        cancelled["status"] = json!("cancelled");
        let r = send(app.put(&format!("Appointment/{first}"), &cancelled)).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        let r = send(app.post(
            "Appointment",
            &appt(
                "2026-05-04T09:30:00+02:00",
                "2026-05-04T10:30:00+02:00",
                &["Practitioner/d1"],
            ),
        ))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    }
}
