//! `Patient/{id}/$everything`: the whole compartment, paged, nothing of other patients.

use super::*;
use crate::support::worlds;
use serde_json::json;

#[tokio::test]
async fn everything_returns_the_compartment_page_by_page() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let p = app
            .create_id(
                "Patient",
                &json!({"resourceType": "Patient", "name": [{"family": "Tutto"}]}),
            )
            .await;
        let q = app
            .create_id(
                "Patient",
                &json!({"resourceType": "Patient", "name": [{"family": "Altro"}]}),
            )
            .await;
        let mut mine = std::collections::BTreeSet::from([format!("Patient/{p}")]);
        for (t, body) in [
            (
                "Observation",
                json!({"resourceType": "Observation", "status": "final", "code": {"text": "a"}, "subject": {"reference": format!("Patient/{p}")}}),
            ),
            (
                "Observation",
                json!({"resourceType": "Observation", "status": "final", "code": {"text": "b"}, "subject": {"reference": format!("Patient/{p}")}}),
            ),
            (
                "Condition",
                json!({"resourceType": "Condition", "subject": {"reference": format!("Patient/{p}")}}),
            ),
            (
                "Encounter",
                json!({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}, "subject": {"reference": format!("Patient/{p}")}}),
            ),
            (
                "AllergyIntolerance",
                json!({"resourceType": "AllergyIntolerance", "patient": {"reference": format!("Patient/{p}")}}),
            ),
        ] {
            mine.insert(format!("{t}/{}", app.create_id(t, &body).await));
        }
        app.create_id("Observation", &json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{q}")}})).await;
        let mut seen = std::collections::BTreeSet::new();
        let mut url = format!("Patient/{p}/$everything?_count=2");
        let mut pages = 0;
        loop {
            let r = app.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
            let b = r.json();
            for e in b["entry"].as_array().unwrap() {
                seen.insert(format!(
                    "{}/{}",
                    e["resource"]["resourceType"].as_str().unwrap(),
                    e["resource"]["id"].as_str().unwrap()
                ));
            }
            pages += 1;
            match b["link"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["relation"] == "next")
            {
                Some(next) => url = next["url"].as_str().unwrap().to_owned(),
                None => break,
            }
        }
        assert_eq!(seen, mine, "{}: exactly the compartment", app.backend);
        assert_eq!(pages, 3, "{}: 6 resources in pages of 2", app.backend);
        assert_eq!(
            app.get("Patient/nobody/$everything").await.status,
            StatusCode::NOT_FOUND
        );
    }
}
