//! Versioned CRUD: create, read, vread, update with optimistic concurrency, delete, history.

use crate::support::*;
use cartella_store::store::Write;
use cartella_store::store::WriteOptions;
use cartella_store::{HistoryQuery, StoreError};
use serde_json::{Value, json};

fn patient(family: &str) -> Value {
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

/// Small writes that arrive together may share a commit (PostgreSQL's group commit, SQLite's
/// writer): each still gets its own answer and a failing one leaves no trace. Twenty pairs of
/// writes (a new Observation, then an update of one shared Observation with the same
/// `If-Match`) race: exactly one pair lands whole and the other nineteen leave nothing, while
/// the twenty lone creates around them all land, and the audit chain holds one event per write
/// that landed.
#[tokio::test]
async fn writes_sharing_a_commit_each_get_their_own_answer() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "grouped").await;
        let id = store
            .create(&ctx, "Patient", patient("Group"), WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        let note = |text: String| {
            json!({"resourceType": "Observation", "status": "final", "code": {"text": text},
                "subject": {"reference": format!("Patient/{id}")}})
        };
        let shared = store
            .create(
                &ctx,
                "Observation",
                note("shared".into()),
                WriteOptions::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (store, ctx, shared) = (store.clone(), ctx.clone(), shared.clone());
            let obs = note(format!("note {i}"));
            let mut update = note(format!("update {i}"));
            update["id"] = json!(shared);
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    let options = WriteOptions::default();
                    let created = store.create(&ctx, "Observation", obs, options).await;
                    return (true, created.map(|_| ()));
                }
                let pair = vec![
                    Write::Create {
                        rtype: "Observation".into(),
                        id: format!("paired-{i}"),
                        body: obs,
                    },
                    Write::Put {
                        rtype: "Observation".into(),
                        id: shared,
                        body: update,
                        if_match: Some(1),
                    },
                ];
                (false, store.write_all(&ctx, pair).await.map(|_| ()))
            }));
        }
        let (mut created, mut paired, mut conflicts) = (0, 0, 0);
        for t in tasks {
            match t.await.unwrap() {
                (true, Ok(())) => created += 1,
                (false, Ok(())) => paired += 1,
                (false, Err(StoreError::VersionConflict { .. })) => conflicts += 1,
                (_, Err(e)) => panic!("{}: {e}", w.name),
            }
        }
        assert_eq!((created, paired, conflicts), (20, 1, 19), "{}", w.name);
        let page = store
            .search(
                &ctx,
                "Observation",
                &[("subject".into(), format!("Patient/{id}"))],
            )
            .await
            .unwrap();
        assert_eq!(
            page.resources.len(),
            22,
            "{}: no Observation of a pair that lost",
            w.name
        );
        let mut readable = 0;
        for i in (1..40).step_by(2) {
            match store
                .read(&ctx, "Observation", &format!("paired-{i}"))
                .await
            {
                Ok(_) => readable += 1,
                Err(StoreError::NotFound(_)) => {}
                Err(e) => panic!("{}: {e}", w.name),
            }
        }
        assert_eq!(
            readable, 1,
            "{}: only the winning pair's Observation",
            w.name
        );
        let current = store.read(&ctx, "Observation", &shared).await.unwrap();
        assert_eq!(current.version, 2, "{}", w.name);
        store.flush_audit().await;
        let rows = store
            .backend()
            .audit_rows(&ctx.tenant, 0, 1_000)
            .await
            .unwrap();
        let count = |action: &str| rows.iter().filter(|r| r.action == action).count();
        assert_eq!(
            (count("create"), count("update")),
            (23, 1),
            "{}: one event per write that landed",
            w.name
        );
        let report = store.verify_audit().await.unwrap();
        assert!(report.ok(), "{}: {report:?}", w.name);
    }
}

/// PostgreSQL: a row locked by another transaction (an import, an erasure) holds up only the
/// write that needs it. Two updates wait for locked rows, one per group committer; the group
/// that meets a lock gives up and writes its batches one by one, so the creates queued behind
/// them land while the locks are still held.
#[tokio::test]
async fn a_locked_row_holds_up_only_the_write_that_needs_it() {
    let Some(w) = pg_world().await else { return };
    let (store, ctx) = store_with_tenant(&w, "locked").await;
    let mut locked = Vec::new();
    for name in ["LockedA", "LockedB"] {
        let created = store
            .create(&ctx, "Patient", patient(name), WriteOptions::default())
            .await
            .unwrap();
        locked.push(created.resource.id);
    }
    let url = w.pg_url.clone().unwrap();
    let (holder, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT 1 FROM resources WHERE id IN ('{}', '{}') FOR UPDATE",
            locked[0], locked[1]
        ))
        .await
        .unwrap();
    let mut updates = Vec::new();
    for id in locked {
        let (store, ctx) = (store.clone(), ctx.clone());
        updates.push(tokio::spawn(async move {
            let mut body = patient("Unlocked");
            body["id"] = json!(id);
            store
                .update(&ctx, "Patient", &id, body, WriteOptions::default())
                .await
        }));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut creates = Vec::new();
    for i in 0..10 {
        let (store, ctx) = (store.clone(), ctx.clone());
        creates.push(tokio::spawn(async move {
            let body = patient(&format!("Free{i}"));
            store
                .create(&ctx, "Patient", body, WriteOptions::default())
                .await
        }));
    }
    // A hang detector, not a speed check: these can only finish while the locks are held if
    // they do not wait for them.
    let landed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        for c in creates {
            c.await.unwrap().expect("each create lands");
        }
    })
    .await;
    assert!(
        landed.is_ok(),
        "the creates waited for locks they do not need"
    );
    assert!(
        updates.iter().all(|u| !u.is_finished()),
        "the updates wait for the locks"
    );
    holder.batch_execute("COMMIT").await.unwrap();
    for u in updates {
        let updated = u
            .await
            .unwrap()
            .expect("each update lands once the lock is gone");
        assert_eq!(updated.resource.version, 2);
    }
}
