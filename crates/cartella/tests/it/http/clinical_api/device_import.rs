//! Device readings import: a CSV export or a FHIR Bundle becomes vital signs with the device
//! recorded; bad rows are all reported by row number and nothing is saved.

use super::*;

async fn post_csv(app: &TestApp, patient: &str, csv: &str) -> Reply {
    send(
        app.client
            .post(app.url(&format!("/api/v1/patients/{patient}/device-readings")))
            .bearer_auth(TOKEN)
            .header("X-Cartella-Tenant", TENANT_A)
            .header("content-type", "text/csv")
            .body(csv.to_owned()),
    )
    .await
}

#[tokio::test]
async fn a_device_csv_becomes_vitals_with_the_device_as_source() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let patient = new_patient(&app, "1960-05-05").await;
        let csv = "time,code,value,unit,device\n\
                   2026-01-10T08:00:00Z,systolic,132,mm[Hg],Omron-M7 SN42\n\
                   2026-01-10T08:00:00Z,diastolic,84,mm[Hg],Omron-M7 SN42\n\
                   2026-01-10T08:00:00Z,8867-4,71,/min,Omron-M7 SN42\n\
                   2026-01-11T08:00:00Z,heart_rate,69,,Omron-M7 SN42\n";
        let r = post_csv(&app, &patient, csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {r:?}", app.backend);
        let data = &r.json()["data"];
        assert_eq!(
            (data["sets"].as_u64(), data["values"].as_u64()),
            (Some(2), Some(4)),
            "{data}"
        );
        assert_eq!(
            count(&app, "Observation", &patient).await,
            3,
            "one BP panel and two heart rates"
        );
        let (ids, _) = app
            .search_all(
                TENANT_A,
                &format!("Observation?patient={patient}&code=85354-9"),
            )
            .await;
        let bp = send(
            app.client
                .get(app.url(&format!("/fhir/R4/Observation/{}", ids[0])))
                .bearer_auth(TOKEN)
                .header("X-Cartella-Tenant", TENANT_A),
        )
        .await
        .json();
        assert_eq!(bp["device"]["display"], "Omron-M7 SN42", "{bp}");
        assert_eq!(
            bp["component"][0]["valueQuantity"]["value"].as_f64(),
            Some(132.0)
        );
    }
}

#[tokio::test]
async fn every_bad_row_is_reported_and_nothing_is_saved() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let patient = new_patient(&app, "1960-05-05").await;
        let csv = "2026-01-10T08:00:00Z,heart_rate,70,/min,OX-1\n\
                   2026-01-10T08:01:00Z,heart_rate,abc,/min,OX-1\n\
                   2026-01-10T08:02:00Z,weight,-4,kg,SCALE-1\n\
                   2026-01-10T08:03:00Z,glucose,5,mmol/L,OX-1\n";
        let r = post_csv(&app, &patient, csv).await;
        let fields: Vec<String> = field_errors(&r).into_iter().map(|(f, _)| f).collect();
        assert!(
            fields.iter().any(|f| f.starts_with("rows[2].")),
            "{}: {fields:?}",
            app.backend
        );
        assert!(
            fields.iter().any(|f| f.starts_with("rows[3].")),
            "{fields:?}"
        );
        assert!(
            fields.iter().any(|f| f.starts_with("rows[4].")),
            "{fields:?}"
        );
        assert!(
            !fields.iter().any(|f| f.starts_with("rows[1].")),
            "row 1 is good: {fields:?}"
        );
        assert_eq!(
            count(&app, "Observation", &patient).await,
            0,
            "nothing saved"
        );
    }
}

#[tokio::test]
async fn a_bundle_of_observations_is_imported() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let patient = new_patient(&app, "1980-01-01").await;
        let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-02-01T09:00:00Z",
              "device": {"display": "Pulse-Ox PX-3"}, "code": {"coding": [{"system": "http://loinc.org", "code": "59408-5"}]},
              "valueQuantity": {"value": 97, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}}},
            {"resource": {"resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-02-01T09:00:00Z",
              "device": {"display": "Pulse-Ox PX-3"}, "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
              "valueQuantity": {"value": 64, "code": "/min"}}}]});
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{patient}/device-readings"),
            Some(&bundle),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {r:?}", app.backend);
        assert_eq!(count(&app, "Observation", &patient).await, 2);
        let bad =
            json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]});
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{patient}/device-readings"),
            Some(&bad),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("rows[1].resource".to_owned(), "not_observation".to_owned())]
        );
    }
}
