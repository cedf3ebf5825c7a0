//! Writes that share a commit (PostgreSQL's group commit, SQLite's writer): each gets its own
//! answer, a failing one leaves no trace, and a locked row holds up only the write needing it.

use super::crud::patient;
use crate::support::*;
use cartella_store::StoreError;
use cartella_store::store::{Write, WriteOptions};
use serde_json::json;

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
