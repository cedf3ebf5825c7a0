//! `_include` and `_revinclude` on search.

use super::*;
use crate::support::worlds;
use serde_json::json;

fn modes(bundle: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] != "OperationOutcome")
        .map(|e| {
            (
                e["search"]["mode"].as_str().unwrap().to_owned(),
                e["resource"]["resourceType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn include_and_revinclude_add_the_related_resources() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let p = app
            .create_id(
                "Patient",
                &json!({"resourceType": "Patient", "name": [{"family": "Incluso"}]}),
            )
            .await;
        let other = app
            .create_id("Patient", &json!({"resourceType": "Patient"}))
            .await;
        for q in [&p, &p, &other] {
            app.create_id("Observation", &json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{q}")}})).await;
        }
        let r = app
            .get(&format!(
                "Observation?patient=Patient/{p}&_include=Observation:subject"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        let m = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            modes(&r.json()),
            vec![
                m("include", "Patient"),
                m("match", "Observation"),
                m("match", "Observation")
            ],
            "{}",
            app.backend
        );
        let r = app
            .get(&format!("Patient?_id={p}&_revinclude=Observation:subject"))
            .await;
        assert_eq!(
            modes(&r.json()),
            vec![
                m("include", "Observation"),
                m("include", "Observation"),
                m("match", "Patient")
            ],
            "{}",
            app.backend
        );
        let r = app
            .get(&format!("Patient?_id={p}&_revinclude=Observation:code"))
            .await;
        assert!(
            r.text.contains("not a reference search parameter"),
            "{}: {}",
            app.backend,
            r.text
        );
        let cs = app.get("metadata").await.json();
        let obs = cs["rest"][0]["resource"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["type"] == "Observation")
            .unwrap()
            .clone();
        assert!(
            obs["searchInclude"]
                .as_array()
                .unwrap()
                .contains(&json!("Observation:subject"))
        );
    }
}
