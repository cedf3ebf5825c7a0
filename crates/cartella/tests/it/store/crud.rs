//! Versioned CRUD: create, read, vread, update with optimistic concurrency, delete, history.

use crate::support::*;
use cartella_store::store::WriteOptions;
use cartella_store::{HistoryQuery, StoreError};
use serde_json::{Value, json};

pub(super) fn patient(family: &str) -> Value {
    json!({"resourceType": "Patient", "name": [{"family": family, "given": ["Anna"]}], "birthDate": "1975-06-30", "gender": "female"})
}

fn parse(json: &[u8]) -> Value {
    serde_json::from_slice(json).unwrap()
}

#[tokio::test]
async fn create_read_update_delete_history() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "crud").await;
        let created = store
            .create(&ctx, "Patient", patient("Bianchi"), WriteOptions::default())
            .await
            .unwrap();
        assert!(created.created);
        let id = created.resource.id.clone();
        assert_eq!(created.resource.version, 1, "{}", w.name);
        let read = store.read(&ctx, "Patient", &id).await.unwrap();
        let body = parse(&read.json);
        assert_eq!(body["name"][0]["family"], "Bianchi", "{}", w.name);
        assert_eq!(body["meta"]["versionId"], "1");
        assert_eq!(body["id"], id.as_str());

        let mut changed = body.clone();
        changed["name"][0]["family"] = json!("Bianchi-Verdi");
        let updated = store
            .update(
                &ctx,
                "Patient",
                &id,
                changed.clone(),
                WriteOptions {
                    if_match: Some(1),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.resource.version, 2);
        assert!(!updated.created);

        // A stale version is refused and changes nothing.
        let mut stale_body = patient("Stale");
        stale_body["id"] = json!(id);
        let stale = store
            .update(
                &ctx,
                "Patient",
                &id,
                stale_body,
                WriteOptions {
                    if_match: Some(1),
                    ..Default::default()
                },
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::VersionConflict { .. })),
            "{}: {stale:?}",
            w.name
        );
        assert_eq!(store.read(&ctx, "Patient", &id).await.unwrap().version, 2);

        let v1 = store.vread(&ctx, "Patient", &id, 1).await.unwrap();
        assert_eq!(parse(&v1.json)["name"][0]["family"], "Bianchi");
        assert!(matches!(
            store.vread(&ctx, "Patient", &id, 9).await,
            Err(StoreError::NotFound(_))
        ));

        assert_eq!(store.delete(&ctx, "Patient", &id).await.unwrap(), Some(3));
        assert!(
            matches!(
                store.read(&ctx, "Patient", &id).await,
                Err(StoreError::Deleted(_))
            ),
            "{}",
            w.name
        );
        assert_eq!(
            store.delete(&ctx, "Patient", &id).await.unwrap(),
            None,
            "deleting twice is a no-op"
        );

        let history = store
            .history(
                &ctx,
                HistoryQuery {
                    tenant: ctx.tenant.clone(),
                    rtype: Some("Patient".into()),
                    id: Some(id.clone()),
                    since: None,
                    before_row: None,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        let versions: Vec<(i64, bool)> = history.iter().map(|h| (h.version, h.deleted)).collect();
        assert_eq!(
            versions,
            vec![(3, true), (2, false), (1, false)],
            "{}",
            w.name
        );
    }
}

#[tokio::test]
async fn update_as_create_keeps_client_id_and_unknown_elements() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "upsert").await;
        let body = json!({"resourceType": "Observation", "id": "obs-1.a", "status": "final",
            "code": {"text": "x"}, "_status": {"extension": [{"url": "http://example.org/x", "valueString": "kept"}]},
            "futureElement": {"nested": [1, 2.5, "three"]}});
        let out = store
            .update(
                &ctx,
                "Observation",
                "obs-1.a",
                body.clone(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
        assert!(out.created);
        let read = parse(
            &store
                .read(&ctx, "Observation", "obs-1.a")
                .await
                .unwrap()
                .json,
        );
        assert_eq!(read["futureElement"], body["futureElement"], "{}", w.name);
        assert_eq!(read["_status"], body["_status"]);
        // Key order of the client's JSON survives the round trip.
        let keys: Vec<&String> = read.as_object().unwrap().keys().collect();
        assert_eq!(keys[0], "resourceType");
    }
}

#[tokio::test]
async fn invalid_writes_are_refused_and_leave_nothing() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "invalid").await;
        let cases: Vec<(&str, Option<&str>, Value, &str)> = vec![
            (
                "Foo",
                None,
                json!({"resourceType": "Foo"}),
                "unknown resource type",
            ),
            ("Patient", None, json!([1, 2]), "JSON object"),
            (
                "Patient",
                None,
                json!({"resourceType": "Observation"}),
                "does not match",
            ),
            (
                "Patient",
                None,
                json!({"name": []}),
                "resourceType is missing",
            ),
            (
                "Patient",
                Some("bad id!"),
                json!({"resourceType": "Patient", "id": "bad id!"}),
                "invalid resource id",
            ),
            (
                "Patient",
                Some("p1"),
                json!({"resourceType": "Patient", "id": "p2"}),
                "does not match the id",
            ),
            (
                "Patient",
                Some("p1"),
                json!({"resourceType": "Patient"}),
                "must contain the resource id",
            ),
            (
                "Patient",
                None,
                json!({"resourceType": "Patient", "meta": "x"}),
                "meta must be an object",
            ),
        ];
        for (rtype, id, body, expected) in cases {
            let result = match id {
                Some(id) => {
                    store
                        .update(&ctx, rtype, id, body, WriteOptions::default())
                        .await
                }
                None => {
                    store
                        .create(&ctx, rtype, body, WriteOptions::default())
                        .await
                }
            };
            let err = result.expect_err("must be refused").to_string();
            assert!(
                err.contains(expected),
                "{}: '{err}' should contain '{expected}'",
                w.name
            );
        }
        let history = store
            .history(
                &ctx,
                HistoryQuery {
                    tenant: ctx.tenant.clone(),
                    rtype: None,
                    id: None,
                    since: None,
                    before_row: None,
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert!(history.is_empty(), "{}: nothing written", w.name);
    }
}

#[tokio::test]
async fn import_is_all_or_nothing() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "import").await;
        let good: Vec<(String, Value)> = (0..50)
            .map(|i| ("Patient".to_owned(), patient(&format!("Import{i}"))))
            .collect();
        assert_eq!(store.import(&ctx, good).await.unwrap().len(), 50);
        let mut bad: Vec<(String, Value)> = (0..10)
            .map(|i| ("Patient".to_owned(), patient(&format!("Bad{i}"))))
            .collect();
        bad.push(("Patient".to_owned(), json!({"resourceType": "Observation"})));
        assert!(store.import(&ctx, bad).await.is_err());
        let page = store
            .search(
                &ctx,
                "Patient",
                &[
                    ("_count".into(), "1000".into()),
                    ("_total".into(), "accurate".into()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            page.total,
            Some(50),
            "{}: the failed import left nothing",
            w.name
        );
    }
}

#[tokio::test]
async fn concurrent_updates_without_if_match_all_land() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "race").await;
        let id = store
            .create(&ctx, "Patient", patient("Race"), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (store, ctx, id) = (store.clone(), ctx.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let mut body = patient(&format!("Race{i}"));
                body["id"] = json!(id);
                store
                    .update(&ctx, "Patient", &id, body, WriteOptions::default())
                    .await
                    .map(|o| o.resource.version)
            }));
        }
        let mut versions = Vec::new();
        for t in tasks {
            versions.push(t.await.unwrap().expect("each update lands"));
        }
        versions.sort_unstable();
        assert_eq!(
            versions,
            (2..=9).collect::<Vec<_>>(),
            "{}: each update got its own version",
            w.name
        );
    }
}
