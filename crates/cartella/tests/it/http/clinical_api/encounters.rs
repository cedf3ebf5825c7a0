//! Visits: a doctor opens, documents, closes and amends; the history keeps every version with
//! its reason and a Provenance; wrong states and missing reasons are refused.

use super::*;
use crate::http::rbac::{call as call_as, new_user, sign_in};
use cartella_store::model::AuditFilter;

#[tokio::test]
async fn a_visit_is_opened_documented_closed_and_amended_with_history() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1970-05-01").await;
        let doc_id = new_user(&app, &app.tenant_a, "doc@a.example", "doctor", None).await;
        let doc = sign_in(&app, "doc@a.example").await;
        let b = app.backend;

        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1/patients/{pid}/encounters"),
            Some(&json!({"reason": "low back pain", "class": "ambulatory"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {r:?}");
        let visit = r.json()["data"].clone();
        let eid = visit["id"].as_str().unwrap().to_owned();
        assert_eq!(visit["status"], "in-progress");
        let part = &visit["encounter"]["participant"][0];
        assert_eq!(
            part["individual"]["identifier"]["value"],
            doc_id.as_str(),
            "{b}"
        );
        assert_eq!(part["type"][1]["coding"][0]["code"], "doctor", "{b}");
        assert!(part["period"]["start"].is_string(), "{b}");

        // Drafts while the visit is open need no reason.
        let note = |plan: &str| json!({"subjective": "pain for 3 days", "assessment": "lumbago", "plan": plan});
        let r = call_as(
            &app,
            &doc,
            Method::PUT,
            &format!("/api/v1/encounters/{eid}/note"),
            Some(&note("rest")),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {r:?}");
        assert_eq!(r.json()["data"]["note"]["status"], "preliminary", "{b}");

        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1/encounters/{eid}/close"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {r:?}");
        let closed = r.json()["data"].clone();
        assert_eq!(closed["encounter"]["status"], "finished", "{b}");
        assert!(closed["encounter"]["period"]["end"].is_string(), "{b}");
        assert_eq!(closed["note"]["status"], "final", "{b}");
        let r = call_as(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1/encounters/{eid}/close"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: closing twice: {r:?}");

        // After closing, a change is an amendment and needs a reason.
        let path = format!("/api/v1/encounters/{eid}/note");
        let r = call_as(
            &app,
            &doc,
            Method::PUT,
            &path,
            Some(&note("ibuprofen 400 mg")),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {r:?}");
        assert_eq!(
            r.json()["error"]["details"]["fields"][0]["field"],
            "reason",
            "{b}"
        );
        let mut amended = note("ibuprofen 400 mg");
        amended["reason"] = json!("dose omitted from the plan");
        let r = call_as(&app, &doc, Method::PUT, &path, Some(&amended)).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {r:?}");
        let data = r.json()["data"].clone();
        assert_eq!(data["note"]["status"], "amended", "{b}");
        assert_eq!(
            data["note"]["amendment_reason"], "dose omitted from the plan",
            "{b}"
        );
        assert_eq!(data["note_version"], 3, "{b}");

        let h = expect(
            &app,
            Method::GET,
            &format!("/encounters/{eid}/history"),
            None,
            StatusCode::OK,
        )
        .await;
        let versions: Vec<_> = h["note"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["version"].as_i64().unwrap(),
                    v["status"].as_str().unwrap().to_owned(),
                    v["sections"]["plan"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            vec![
                (3, "amended".into(), "ibuprofen 400 mg".into()),
                (2, "final".into(), "rest".into()),
                (1, "preliminary".into(), "rest".into()),
            ],
            "{b}"
        );
        assert_eq!(h["note"][0]["author"], doc_id.as_str(), "{b}");
        assert_eq!(h["note"][0]["role"], "doctor", "{b}");
        assert_eq!(h["encounter"].as_array().unwrap().len(), 2, "{b}");

        // FHIR shows the same history, and a Provenance names the revision.
        let r = app.get(&format!("Composition/{eid}/_history")).await;
        assert_eq!(entries(&r.json()).len(), 3, "{b}");
        let r = app.get("Provenance").await;
        let prov = entries(&r.json());
        assert_eq!(prov.len(), 1, "{b}: {r:?}");
        let p = &prov[0]["resource"];
        assert_eq!(
            p["target"][0]["reference"],
            format!("Composition/{eid}/_history/3"),
            "{b}"
        );
        assert_eq!(
            p["entity"][0]["what"]["reference"],
            format!("Composition/{eid}/_history/2"),
            "{b}"
        );
        assert_eq!(
            p["agent"][0]["who"]["identifier"]["value"],
            doc_id.as_str(),
            "{b}"
        );

        // The amendment and its Provenance have audit rows naming the doctor.
        let rows = app
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
        let writes: Vec<_> = rows
            .iter()
            .filter(|r| r.action == "update" || r.action == "create")
            .map(|r| (r.resource_type.clone().unwrap_or_default(), r.role.clone()))
            .collect();
        assert!(
            writes.contains(&("Provenance".into(), "doctor".into())),
            "{b}: {writes:?}"
        );
        assert_eq!(
            writes.iter().filter(|(t, _)| t == "Composition").count(),
            3,
            "{b}: {writes:?}"
        );
    }
}

#[tokio::test]
async fn visits_refuse_bad_input_and_unknown_records() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let pid = new_patient(&app, "1970-05-01").await;
        let b = app.backend;
        let r = call(
            &app,
            Method::POST,
            &format!("/patients/{pid}/encounters"),
            Some(&json!({"class": "rocket", "start": "2999-01-01T00:00:00Z"})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![
                ("class".into(), "invalid_choice".into()),
                ("start".into(), "future_date".into())
            ],
            "{b}"
        );
        let r = call(
            &app,
            Method::POST,
            "/patients/nobody/encounters",
            Some(&json!({})),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {r:?}");
        let v = expect(
            &app,
            Method::POST,
            &format!("/patients/{pid}/encounters"),
            None,
            StatusCode::CREATED,
        )
        .await;
        let eid = v["id"].as_str().unwrap();
        let r = call(
            &app,
            Method::PUT,
            &format!("/encounters/{eid}/note"),
            Some(&json!({"plan": "  "})),
        )
        .await;
        assert_eq!(
            field_errors(&r),
            vec![("subjective".into(), "required".into())],
            "{b}"
        );
        assert_eq!(
            app.get(&format!("Composition/{eid}")).await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );
        let list = expect(
            &app,
            Method::GET,
            &format!("/patients/{pid}/encounters"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{b}");
        // A secretary may not open visits (and the refusal is audited by the store's rules).
        new_user(&app, &app.tenant_a, "sec@a.example", "secretary", None).await;
        let sec = sign_in(&app, "sec@a.example").await;
        let r = call_as(
            &app,
            &sec,
            Method::POST,
            &format!("/api/v1/patients/{pid}/encounters"),
            Some(&json!({})),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {r:?}");
    }
}
