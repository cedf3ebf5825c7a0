//! Templates seeded on first use, answers checked per item (conditional items dropped, totals
//! computed) and saved as QuestionnaireResponses with audit rows; administrators edit
//! templates with precise structure errors, others may not.

use super::*;
use cartella_store::model::AuditFilter;

fn field_errors_of(r: &Reply) -> Vec<(String, String)> {
    field_errors(r)
}

#[tokio::test]
async fn templates_are_seeded_and_answers_saved_as_questionnaire_responses() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        let pid = new_patient(&app, "1960-02-02").await;
        let other = new_patient(&app, "1990-02-02").await;
        let doc_id = new_user(&app, &app.tenant_a, "doc@a.example", "doctor", None).await;
        let doc = sign_in(&app, "doc@a.example").await;

        let list = expect_as(
            &app,
            &doc,
            Method::GET,
            "/exam-templates?lang=it",
            None,
            StatusCode::OK,
        )
        .await;
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        for id in [
            "exam-general-physical",
            "exam-musculoskeletal",
            "exam-pain",
            "exam-preoperative",
            "exam-periodontal",
        ] {
            assert!(ids.contains(&id), "{b}: {ids:?}");
        }
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|t| t["title"] == "Valutazione del dolore"),
            "{b}: {list}"
        );
        // Seeded once: listing again does not create new versions.
        expect_as(
            &app,
            &doc,
            Method::GET,
            "/exam-templates",
            None,
            StatusCode::OK,
        )
        .await;
        let q = app.get("Questionnaire/exam-pain").await;
        assert_eq!(q.status, StatusCode::OK, "{b}");
        assert_eq!(q.json()["meta"]["versionId"], "1", "{b}");

        // Out of bounds: refused per item, nothing saved.
        let path = format!("/patients/{pid}/exams");
        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1{path}"),
            Some(&json!({"template": "exam-pain", "answers": {"nrs-now": 11, "site": "knee"}})),
        )
        .await;
        assert_eq!(
            field_errors_of(&r),
            vec![("nrs-now".into(), "too_large".into())],
            "{b}"
        );
        assert_eq!(count(&app, "QuestionnaireResponse", &pid).await, 0, "{b}");
        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1{path}"),
            Some(&json!({"template": "no-such", "answers": {}})),
        )
        .await;
        assert_eq!(
            field_errors_of(&r),
            vec![("template".into(), "unknown_template".into())],
            "{b}"
        );

        // No pain: the details group is disabled, its answers dropped.
        let row = expect_as(
            &app,
            &doc,
            Method::POST,
            &path,
            Some(&json!({"template": "exam-pain", "answers": {"nrs-now": "0", "site": "knee"}})),
            StatusCode::CREATED,
        )
        .await;
        let qr = app
            .get(&format!(
                "QuestionnaireResponse/{}",
                row["id"].as_str().unwrap()
            ))
            .await
            .json();
        assert_eq!(qr["item"].as_array().unwrap().len(), 1, "{b}: {qr}");
        assert!(
            !qr.to_string().contains("knee"),
            "{b}: a hidden answer was kept"
        );
        assert_eq!(
            qr["questionnaire"], "https://cartella.dev/fhir/Questionnaire/exam-pain|1",
            "{b}"
        );
        assert_eq!(qr["author"]["identifier"]["value"], doc_id.as_str(), "{b}");

        // Within a visit: the encounter must be this patient's.
        let visit = expect_as(
            &app,
            &doc,
            Method::POST,
            &format!("/patients/{pid}/encounters"),
            Some(&json!({"reason": "check-up"})),
            StatusCode::CREATED,
        )
        .await;
        let eid = visit["id"].as_str().unwrap().to_owned();
        let sextants = json!({"s1": "3", "s2": "0", "s3": "1", "s4": "2", "s5": "0", "s6": "4", "furcation": false});
        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1/patients/{other}/exams"),
            Some(&json!({"template": "exam-periodontal", "encounter": eid, "answers": sextants})),
        )
        .await;
        assert_eq!(
            field_errors_of(&r),
            vec![("encounter".into(), "unknown_encounter".into())],
            "{b}"
        );
        let mut missing = sextants.clone();
        missing.as_object_mut().unwrap().remove("s3");
        missing["s5"] = json!("7");
        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1{path}"),
            Some(&json!({"template": "exam-periodontal", "answers": missing})),
        )
        .await;
        assert_eq!(
            field_errors_of(&r),
            vec![
                ("s3".into(), "required".into()),
                ("s5".into(), "unknown_option".into())
            ],
            "{b}"
        );
        let row = expect_as(
            &app,
            &doc,
            Method::POST,
            &path,
            Some(&json!({"template": "exam-periodontal", "encounter": eid, "answers": sextants})),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(row["totals"][0]["value"], "10", "{b}: {row}");
        let rid = row["id"].as_str().unwrap().to_owned();
        let qr = app
            .get(&format!("QuestionnaireResponse/{rid}"))
            .await
            .json();
        assert_eq!(
            qr["encounter"]["reference"],
            format!("Encounter/{eid}"),
            "{b}"
        );

        let rows = expect_as(&app, &doc, Method::GET, &path, None, StatusCode::OK).await;
        assert_eq!(rows.as_array().unwrap().len(), 2, "{b}");
        assert_eq!(rows[0]["id"], rid.as_str(), "{b}: newest first");
        let in_visit = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("{path}?encounter={eid}"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(in_visit.as_array().unwrap().len(), 1, "{b}");
        let back = expect_as(
            &app,
            &doc,
            Method::GET,
            &format!("/exams/{rid}?lang=fr"),
            None,
            StatusCode::OK,
        )
        .await;
        let s1 = back["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["link_id"] == "s1")
            .unwrap();
        assert_eq!(s1["answers"][0], "3 – poche 3,5–5,5 mm", "{b}: {s1}");
        assert_eq!(s1["score"], 3.0, "{b}");
        assert_eq!(back["title"], "Dépistage parodontal (BPE/PSR)", "{b}");

        // Every response write has its audit row naming the doctor.
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
        let created = audit
            .iter()
            .filter(|r| {
                r.action == "create" && r.resource_type.as_deref() == Some("QuestionnaireResponse")
            })
            .count();
        assert_eq!(created, 2, "{b}");

        // A secretary may not record examinations.
        new_user(&app, &app.tenant_a, "sec@a.example", "secretary", None).await;
        let sec = sign_in(&app, "sec@a.example").await;
        let r = call_as(
            &app,
            &sec,
            Method::POST,
            &format!("/api/v1{path}"),
            Some(&json!({"template": "exam-pain", "answers": {"nrs-now": 1}})),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");
        let r = call(&app, Method::GET, "/exams/not-an-id!", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
    }
}

#[tokio::test]
async fn administrators_edit_templates_with_precise_errors() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let b = app.backend;
        let pid = new_patient(&app, "1980-02-02").await;
        new_user(
            &app,
            &app.tenant_a,
            "admin@a.example",
            "administrator",
            None,
        )
        .await;
        let admin = sign_in(&app, "admin@a.example").await;
        new_user(&app, &app.tenant_a, "pt@a.example", "physiotherapist", None).await;
        let physio = sign_in(&app, "pt@a.example").await;

        let bad = json!({"resourceType": "Questionnaire", "status": "active", "title": "Gait",
            "item": [{"linkId": "a", "text": "Aid", "type": "boolean"},
                     {"linkId": "b", "text": "Which", "type": "string",
                      "enableWhen": [{"question": "zz", "operator": "=", "answerBoolean": true}]}]});
        let r = call_as(
            &app,
            &admin,
            Method::POST,
            "/api/v1/exam-templates",
            Some(&bad),
        )
        .await;
        assert_eq!(
            field_errors_of(&r),
            vec![(
                "item[1].enableWhen[0].question".into(),
                "unknown_item".into()
            )],
            "{b}"
        );
        let mut good = bad.clone();
        good["item"][1]["enableWhen"][0]["question"] = json!("a");
        let t = expect_as(
            &app,
            &admin,
            Method::POST,
            "/exam-templates",
            Some(&good),
            StatusCode::CREATED,
        )
        .await;
        let tid = t["id"].as_str().unwrap().to_owned();
        assert_eq!(t["version"], "1", "{b}");
        assert_eq!(
            t["url"],
            format!("https://cartella.dev/fhir/Questionnaire/{tid}"),
            "{b}"
        );
        // A physiotherapist uses it but may not change it.
        let r = call_as(
            &app,
            &physio,
            Method::PUT,
            &format!("/api/v1/exam-templates/{tid}"),
            Some(&good),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");
        let row = expect_as(
            &app,
            &physio,
            Method::POST,
            &format!("/patients/{pid}/exams"),
            Some(&json!({"template": tid, "answers": {"a": true, "b": "stick"}})),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(row["title"], "Gait", "{b}");
        good["title"] = json!("Gait and balance");
        let t = expect_as(
            &app,
            &admin,
            Method::PUT,
            &format!("/exam-templates/{tid}"),
            Some(&good),
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["version"], "2", "{b}");
        let q = app.get(&format!("Questionnaire/{tid}/_history/1")).await;
        assert_eq!(q.json()["title"], "Gait", "{b}: the old version is kept");
    }
}
