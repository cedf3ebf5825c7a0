//! The anamnesis JSON API: every section, bad input refused per field with nothing saved,
//! the current anamnesis carrying the latest entries forward, FHIR visibility and roles.

use super::*;

#[tokio::test]
async fn sections_are_recorded_checked_and_carried_forward() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        let pid = new_patient(&app, "1961-06-15").await;
        new_user(&app, &app.tenant_a, "doc@a.example", "doctor", None).await;
        new_user(&app, &app.tenant_a, "desk@a.example", "secretary", None).await;
        let doc = sign_in(&app, "doc@a.example").await;
        let desk = sign_in(&app, "desk@a.example").await;

        // Bad input: every problem at once, nothing saved.
        let base = format!("/patients/{pid}/anamnesis");
        let r = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("{base}/conditions"),
            Some(&json!({"code": "Q99.99", "onset": "2999-01", "clinical_status": "gone"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("clinical_status".into(), "invalid_choice".into()),
                ("code".into(), "unknown_code".into()),
                ("onset".into(), "future_date".into()),
            ],
            "{b}"
        );
        let r = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("{base}/family"),
            Some(&json!({"relationship": "NEIGHBOUR", "text": "Diabetes", "onset_age": 200})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("onset_age".into(), "invalid_age".into()),
                ("relationship".into(), "unknown_relationship".into()),
            ],
            "{b}"
        );
        let r = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("{base}/hospitalisations"),
            Some(&json!({"start": "2019-05-09", "end": "2019-05-02", "text": "Pneumonia"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("end".into(), "before_start".into())],
            "{b}"
        );
        assert_eq!(count(&app, "Condition", &pid).await, 0, "{b}");
        assert_eq!(count(&app, "FamilyMemberHistory", &pid).await, 0, "{b}");
        assert_eq!(count(&app, "Encounter", &pid).await, 0, "{b}");

        // A secretary may neither add nor read the history.
        let r = reply_as(
            &app,
            &desk,
            Method::POST,
            &format!("{base}/surgeries"),
            Some(&json!({"text": "Appendectomy"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");
        let r = reply_as(&app, &desk, Method::GET, &base, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");

        // Good entries in every section.
        let htn = add(
            &app,
            &doc,
            &pid,
            "conditions",
            json!({"code": "i10", "clinical_status": "active", "onset": "2015"}),
        )
        .await;
        assert_eq!(
            (htn["code"].as_str(), htn["clinical_status"].as_str()),
            (Some("I10"), Some("active")),
            "{b}"
        );
        add(
            &app,
            &doc,
            &pid,
            "conditions",
            json!({"text": "Appendicitis", "onset": "1990-04", "abatement": "1990-04"}),
        )
        .await;
        add(
            &app,
            &doc,
            &pid,
            "surgeries",
            json!({"text": "Appendectomy", "performed": "1990-04"}),
        )
        .await;
        let stay = add(&app, &doc, &pid, "hospitalisations", json!({"start": "2019-05-02", "end": "2019-05-09", "code": "J18.9", "location": "Ospedale Maggiore", "note": "O2 < 2 days"})).await;
        assert_eq!(stay["note"], "O2 < 2 days", "{b}");
        let fam = add(
            &app,
            &doc,
            &pid,
            "family",
            json!({"relationship": "mth", "code": "C50.919", "onset_age": "52", "deceased": true}),
        )
        .await;
        assert_eq!(
            (fam["relationship"].as_str(), fam["onset_age"].as_u64()),
            (Some("MTH"), Some(52)),
            "{b}"
        );
        let visit = reply_as(
            &app,
            &doc,
            Method::POST,
            &format!("/patients/{pid}/encounters"),
            Some(&json!({"reason": "back pain"})),
        )
        .await;
        let visit_id = visit.json()["data"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{b}: {visit:?}"))
            .to_owned();
        add(
            &app,
            &doc,
            &pid,
            "complaints",
            json!({"text": "Back pain", "onset": "2024-01"}),
        )
        .await;
        let later = add(&app, &doc, &pid, "complaints", json!({"text": "Low back pain radiating to the left leg", "code": "M54.5", "onset": "2025-12", "course": "worsening", "encounter": visit_id, "note": "Worse when sitting"})).await;
        assert_eq!(later["encounter"].as_str(), Some(visit_id.as_str()), "{b}");

        // A later visit records the hypertension as resolved: the latest one carries forward.
        add(&app, &doc, &pid, "conditions", json!({"code": "I10", "clinical_status": "resolved", "onset": "2015", "abatement": "2024"})).await;

        let r = reply_as(&app, &doc, Method::GET, &base, None).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {r:?}");
        let cur = r.json()["data"].clone();
        let conditions = cur["remote"]["conditions"].as_array().unwrap();
        assert_eq!(conditions.len(), 2, "{b}: {cur}");
        let i10: Vec<_> = conditions.iter().filter(|c| c["code"] == "I10").collect();
        assert_eq!(
            (i10.len(), i10[0]["clinical_status"].as_str()),
            (1, Some("resolved")),
            "{b}"
        );
        assert_eq!(cur["remote"]["surgeries"][0]["performed"], "1990-04", "{b}");
        assert_eq!(cur["remote"]["hospitalisations"][0]["code"], "J18.9", "{b}");
        assert_eq!(cur["recent"]["complaint"]["id"], later["id"], "{b}");
        assert_eq!(cur["recent"]["complaint"]["course"], "worsening", "{b}");
        assert_eq!(cur["recent"]["earlier_complaints"], 1, "{b}");
        assert_eq!(cur["family"][0]["deceased"], true, "{b}");
        // The section list keeps every version of the history, newest first.
        let r = reply_as(&app, &doc, Method::GET, &format!("{base}/conditions"), None).await;
        assert_eq!(
            r.json()["data"].as_array().map(Vec::len),
            Some(3),
            "{b}: {r:?}"
        );
        let r = reply_as(&app, &doc, Method::GET, &format!("{base}/nonsense"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");

        // Everything is FHIR: the shapes the module documents.
        let f = app
            .get(&format!(
                "FamilyMemberHistory/{}",
                fam["id"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(
            f["relationship"]["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
            "{b}"
        );
        assert_eq!(f["condition"][0]["onsetAge"]["code"], "a", "{b}");
        let e = app
            .get(&format!("Encounter/{}", stay["id"].as_str().unwrap()))
            .await
            .json();
        assert_eq!(
            (e["class"]["code"].as_str(), e["status"].as_str()),
            (Some("IMP"), Some("finished")),
            "{b}"
        );
        let c = app
            .get(&format!("Condition/{}", later["id"].as_str().unwrap()))
            .await
            .json();
        assert_eq!(
            c["encounter"]["reference"],
            format!("Encounter/{visit_id}"),
            "{b}"
        );
        assert_eq!(
            c["code"]["coding"][0]["system"], "http://hl7.org/fhir/sid/icd-10-cm",
            "{b}"
        );
        assert_eq!(count(&app, "Procedure", &pid).await, 1, "{b}");
        assert_eq!(count(&app, "Condition", &pid).await, 5, "{b}");
    }
}
