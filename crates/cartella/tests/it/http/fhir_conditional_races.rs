//! Conditional creates racing with the same condition create one resource: the others answer
//! with it (single requests) or refuse (transactions), on both backends.

use super::*;
use crate::support::worlds;
use futures_util::future::join_all;
use reqwest::RequestBuilder;
use serde_json::json;

/// Requests sent at once; enough that, unguarded, several matched nothing before any commit.
const RACERS: usize = 16;

fn mrn_patient(mrn: &str, family: &str) -> Value {
    json!({"resourceType": "Patient", "name": [{"family": family}],
           "identifier": [{"system": "urn:mrn", "value": mrn}]})
}

/// Racer `i`'s request for each of [`RACERS`], all sent at once.
async fn race(request: impl Fn(usize) -> RequestBuilder) -> Vec<Reply> {
    join_all((0..RACERS).map(|i| send(request(i)))).await
}

/// (status, id of the resource answered) of each reply.
fn answers(replies: &[Reply]) -> Vec<(StatusCode, String)> {
    replies
        .iter()
        .map(|r| (r.status, r.json()["id"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn with_status(answers: &[(StatusCode, String)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

/// The Patients holding `mrn`: exactly one is expected.
async fn holders(app: &TestApp, mrn: &str) -> Vec<String> {
    let (found, _) = app
        .search_all(TENANT_A, &format!("Patient?identifier=urn:mrn|{mrn}"))
        .await;
    assert_eq!(found.len(), 1, "{}: {found:?}", app.backend);
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_if_none_exist_creates_once_and_answers_every_racer_with_it() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let replies = race(|i| {
            app.post("Patient", &mrn_patient("RACE-1", &format!("Racer{i}")))
                .header("If-None-Exist", "identifier=urn:mrn|RACE-1")
        })
        .await;
        let answers = answers(&replies);
        assert_eq!(
            with_status(&answers, StatusCode::CREATED),
            1,
            "{name}: {answers:?}"
        );
        assert!(
            answers
                .iter()
                .all(|(s, _)| *s == StatusCode::CREATED || *s == StatusCode::OK),
            "{name}: {replies:?}"
        );
        let found = holders(&app, "RACE-1").await;
        assert!(
            answers.iter().all(|(_, id)| *id == found[0]),
            "{name}: every racer is answered with the one resource: {answers:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_conditional_updates_create_once_then_update_it() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let replies = race(|i| {
            app.put(
                "Patient?identifier=urn:mrn|RACE-2",
                &mrn_patient("RACE-2", &format!("Racer{i}")),
            )
        })
        .await;
        let answers = answers(&replies);
        let created = with_status(&answers, StatusCode::CREATED);
        let updated = with_status(&answers, StatusCode::OK);
        assert_eq!((created, updated), (1, RACERS - 1), "{name}: {replies:?}");
        let found = holders(&app, "RACE-2").await;
        let current = app.get(&format!("Patient/{}", found[0])).await.json();
        assert_eq!(
            current["meta"]["versionId"],
            RACERS.to_string(),
            "{name}: each racer wrote one version of the one resource"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_transactions_with_the_same_condition_create_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let replies = race(|i| {
            let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [
                {"resource": mrn_patient("RACE-3", &format!("Racer{i}")),
                 "request": {"method": "POST", "url": "Patient",
                             "ifNoneExist": "identifier=urn:mrn|RACE-3"}},
                {"resource": mrn_patient(&format!("RACE-3-{i}"), "Companion"),
                 "request": {"method": "POST", "url": "Patient"}},
            ]});
            app.post("", &bundle)
        })
        .await;
        // A transaction that lost the race is refused whole (409), its companion too.
        let mut committed = 0;
        for r in &replies {
            match r.status {
                StatusCode::OK => committed += 1,
                StatusCode::CONFLICT => assert!(
                    r.outcome_diagnostics().contains("Patient?identifier"),
                    "{name}: {r:?}"
                ),
                _ => panic!("{name}: {r:?}"),
            }
        }
        holders(&app, "RACE-3").await;
        let (companions, _) = app.search_all(TENANT_A, "Patient?family=Companion").await;
        assert_eq!(companions.len(), committed, "{name}: all or nothing");
    }
}
