//! Orders from the shipped catalogue, results converted and flagged (the lab's own range
//! wins), reports with the order completed in one transaction, critical results listed for the
//! ordering doctor only, trend series; bad input refused per field with nothing saved.

use super::*;
use cartella_store::model::AuditFilter;

async fn place(app: &TestApp, s: &Session, pid: &str, tests: &[&str]) -> Vec<String> {
    let placed = expect_as(
        app,
        s,
        Method::POST,
        &format!("/patients/{pid}/lab-orders"),
        Some(&json!({"tests": tests, "priority": "urgent"})),
        StatusCode::CREATED,
    )
    .await;
    placed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn results_are_converted_flagged_and_complete_the_order() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        let pid = new_patient(&app, "1960-02-02").await;
        let doc_id = new_user(&app, &app.tenant_a, "doc@a.example", "doctor", None).await;
        let doc = sign_in(&app, "doc@a.example").await;

        let cat = expect_as(
            &app,
            &doc,
            Method::GET,
            "/lab-catalog?lang=it",
            None,
            StatusCode::OK,
        )
        .await;
        let cat = cat.as_array().unwrap();
        assert!(
            cat.iter().any(|t| t["code"] == "24331-1"
                && t["display"] == "Profilo lipidico"
                && t["panel"] == true),
            "{b}"
        );
        assert!(
            !cat.iter().any(|t| t["code"] == "85354-9"),
            "{b}: vital panels are not orderable"
        );

        // Unknown tests: refused, nothing saved.
        let r = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("/patients/{pid}/lab-orders"),
            &json!({"tests": ["2345-7", "8480-6", "nope"]}),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("tests".into(), "unknown_test".into())],
            "{b}"
        );
        assert_eq!(count(&app, "ServiceRequest", &pid).await, 0, "{b}");

        let ids = place(&app, &doc, &pid, &["24321-2", "718-7"]).await;
        assert_eq!(ids.len(), 2, "{b}");
        let orders = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("/patients/{pid}/lab-orders"),
            None,
            StatusCode::OK,
        )
        .await;
        let orders = orders.as_array().unwrap();
        assert_eq!(orders.len(), 2, "{b}");
        assert_eq!(
            orders[0]["requisition"], orders[1]["requisition"],
            "{b}: one requisition"
        );
        assert!(
            orders
                .iter()
                .all(|o| o["status"] == "active" && o["priority"] == "urgent"),
            "{b}"
        );
        let bmp = &ids[0];
        let hb = &ids[1];
        let order = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("/lab-orders/{bmp}"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(order["tests"].as_array().unwrap().len(), 8, "{b}: {order}");

        // Every problem at once; nothing saved.
        let bad = json!({"results": [
            {"code": "2345-7", "value": 5.5, "unit": "mmol/L"},
            {"code": "2823-3", "value": "lots"},
            {"code": "2951-2", "value": 20},
            {"code": "718-7", "value": 14},
            {"code": "2160-0", "value": 1, "unit": "mg/dl"},
            {"code": "2075-0", "value": 100, "low": 110, "high": 98}
        ]});
        let r = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("/lab-orders/{bmp}/results"),
            &bad,
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("results.2075-0.high".into(), "range_inverted".into()),
                ("results.2160-0.unit".into(), "unknown_unit".into()),
                ("results.2345-7.unit".into(), "wrong_unit".into()),
                ("results.2823-3.value".into(), "not_a_number".into()),
                ("results.2951-2.value".into(), "implausible".into()),
                ("results.718-7.value".into(), "not_in_order".into()),
            ],
            "{b}"
        );
        assert_eq!(count(&app, "Observation", &pid).await, 0, "{b}");
        assert_eq!(count(&app, "DiagnosticReport", &pid).await, 0, "{b}");

        let good = json!({"effective": "2024-05-02T08:00:00Z", "conclusion": "Iperglicemia, iperkaliemia.", "results": [
            {"code": "2345-7", "value": "150"},
            {"code": "2823-3", "value": 7.1, "unit": "mmol/L"},
            {"code": "2951-2", "value": 140},
            {"code": "2160-0", "value": 1.2, "low": 0.5, "high": 1.1},
            {"code": "3094-0", "value": ""}
        ]});
        let report = expect_as(
            &app,
            &doc,
            Method::POST,
            &format!("/lab-orders/{bmp}/results"),
            Some(&good),
            StatusCode::CREATED,
        )
        .await;
        let flag = |code: &str| {
            report["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["code"] == code)
                .map(|r| r["flag"].clone())
        };
        assert_eq!(flag("2345-7"), Some(json!("H")), "{b}: {report}");
        assert_eq!(flag("2823-3"), Some(json!("HH")), "{b}");
        assert_eq!(flag("2951-2"), Some(json!("N")), "{b}");
        // The lab's own range (0.5–1.1) wins over the shipped 0.6–1.3.
        assert_eq!(flag("2160-0"), Some(json!("H")), "{b}");
        assert_eq!(flag("3094-0"), None, "{b}: blank values are not reported");
        assert_eq!(report["critical"], true, "{b}");
        assert_eq!(report["conclusion"], "Iperglicemia, iperkaliemia.", "{b}");
        let rid = report["id"].as_str().unwrap();

        // The same order cannot get a second report.
        let again = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("/lab-orders/{bmp}/results"),
            &good,
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{b}: {again:?}");

        // Units converted: 140 g/L is 14 g/dL.
        let hb_report = expect_as(
            &app,
            &doc,
            Method::POST,
            &format!("/lab-orders/{hb}/results"),
            Some(&json!({"results": [{"code": "718-7", "value": 140, "unit": "g/L"}]})),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(
            hb_report["results"][0]["value"],
            json!(14.0),
            "{b}: {hb_report}"
        );
        assert_eq!(hb_report["results"][0]["unit"], "g/dL", "{b}");
        assert_eq!(hb_report["results"][0]["flag"], "N", "{b}");

        // Through FHIR: the report, its observations, the completed order.
        let dr = app.get(&format!("/DiagnosticReport/{rid}")).await;
        assert_eq!(dr.status, StatusCode::OK, "{b}: {dr:?}");
        assert_eq!(dr.json()["result"].as_array().unwrap().len(), 4, "{b}");
        assert_eq!(
            dr.json()["basedOn"][0]["reference"],
            format!("ServiceRequest/{bmp}"),
            "{b}"
        );
        let sr = app.get(&format!("/ServiceRequest/{bmp}")).await.json();
        assert_eq!(sr["status"], "completed", "{b}");
        assert_eq!(sr["code"]["coding"][0]["system"], "http://loinc.org", "{b}");
        let list = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("/patients/{pid}/lab-reports"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{b}");

        let audit = app
            .store
            .audit_events(
                &app.tenant_a,
                &AuditFilter {
                    actor: Some(doc_id.clone()),
                    ..Default::default()
                },
                None,
                1000,
            )
            .await
            .unwrap();
        for rtype in ["ServiceRequest", "Observation", "DiagnosticReport"] {
            assert!(
                audit
                    .iter()
                    .any(|r| r.resource_type.as_deref() == Some(rtype) && r.action != "read"),
                "{b}: no audit row for {rtype}"
            );
        }
    }
}

#[tokio::test]
async fn critical_results_reach_the_ordering_doctor_and_trends_chart_them() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        let pid = new_patient(&app, "1950-02-02").await;
        new_user(&app, &app.tenant_a, "doc@a.example", "doctor", None).await;
        new_user(&app, &app.tenant_a, "other@a.example", "doctor", None).await;
        new_user(&app, &app.tenant_a, "desk@a.example", "secretary", None).await;
        let doc = sign_in(&app, "doc@a.example").await;
        let other = sign_in(&app, "other@a.example").await;
        let desk = sign_in(&app, "desk@a.example").await;

        let first = place(&app, &doc, &pid, &["2345-7"]).await;
        let second = place(&app, &doc, &pid, &["2345-7"]).await;
        for (order, when, value) in [
            (&first[0], "2024-01-10", 92),
            (&second[0], "2024-03-10", 620),
        ] {
            expect_as(
                &app,
                &doc,
                Method::POST,
                &format!("/lab-orders/{order}/results"),
                Some(&json!({"effective": when, "results": [{"code": "2345-7", "value": value}]})),
                StatusCode::CREATED,
            )
            .await;
        }
        let mine = expect_as(
            &app,
            &doc,
            Method::GET,
            "/labs/critical",
            None,
            StatusCode::OK,
        )
        .await;
        let mine = mine.as_array().unwrap();
        assert_eq!(mine.len(), 1, "{b}: {mine:?}");
        assert_eq!(mine[0]["flag"], "HH", "{b}");
        assert_eq!(mine[0]["patient"], pid.as_str(), "{b}");
        let theirs = expect_as(
            &app,
            &other,
            Method::GET,
            "/labs/critical",
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            theirs,
            json!([]),
            "{b}: another doctor's orders are not theirs"
        );

        let t = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("/patients/{pid}/lab-trend?code=2345-7"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["points"].as_array().unwrap().len(), 2, "{b}: {t}");
        assert_eq!(t["band"], json!({"low": 70.0, "high": 99.0}), "{b}");
        let dots = t["chart"]["dots"].as_array().unwrap();
        assert_eq!(
            (dots[0]["flagged"].clone(), dots[1]["flagged"].clone()),
            (json!(false), json!(true)),
            "{b}"
        );
        let bad = reply_as(
            &app,
            &doc,
            Method::GET,
            &format!("/patients/{pid}/lab-trend?code=nope"),
            &json!(null),
        )
        .await;
        assert_eq!(
            field_errors(&bad),
            vec![("code".into(), "unknown_code".into())],
            "{b}"
        );

        // A secretary may not order tests (refused before anything is read).
        let r = reply_as(
            &app,
            &desk,
            Method::POST,
            &format!("/patients/{pid}/lab-orders"),
            &json!({"tests": ["2345-7"]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");
    }
}
