//! Resource writes and reads: current, versions, history, optimistic concurrency.

use crate::support::*;
use cartella_store::*;

#[tokio::test]
async fn write_read_and_history() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    db.write(batch(vec![
        op(&t, "Patient", "p1", 1, 100),
        op(&t, "Patient", "p2", 1, 110),
    ]))
    .await
    .unwrap();
    db.write(batch(vec![op(&t, "Patient", "p1", 2, 200)]))
        .await
        .unwrap();
    let mut tomb = op(&t, "Patient", "p1", 3, 300);
    tomb.deleted = true;
    tomb.content = Vec::new();
    db.write(batch(vec![tomb])).await.unwrap();

    let cur = db.current(&t, "Patient", "p1").await.unwrap().unwrap();
    assert_eq!((cur.version, cur.last_updated, cur.deleted), (3, 300, true));
    assert_eq!(
        db.current_version(&t, "Patient", "p1").await.unwrap(),
        Some(3)
    );
    assert_eq!(
        db.current_version(&t, "Patient", "nope").await.unwrap(),
        None
    );
    let other = cartella_core::TenantId::new();
    assert!(
        db.current(&other, "Patient", "p1").await.unwrap().is_none(),
        "tenants are separate"
    );
    let v1 = db.version(&t, "Patient", "p1", 1).await.unwrap().unwrap();
    assert_eq!(
        (v1.content.as_slice(), v1.deleted, v1.key_id.as_str()),
        (&b"Patient/p1/1"[..], false, "tk-1")
    );
    assert!(db.version(&t, "Patient", "p1", 4).await.unwrap().is_none());

    let q = |rtype: Option<&str>, id: Option<&str>| HistoryQuery {
        tenant: t.clone(),
        rtype: rtype.map(Into::into),
        id: id.map(Into::into),
        since: None,
        before_row: None,
        limit: 10,
    };
    let all = db.history(&q(None, None)).await.unwrap();
    let seen: Vec<_> = all.iter().map(|r| (r.id.as_str(), r.version)).collect();
    assert_eq!(seen, [("p1", 3), ("p1", 2), ("p2", 1), ("p1", 1)]);
    assert!(all.windows(2).all(|w| w[0].row_id > w[1].row_id));
    assert_eq!(
        db.history(&q(Some("Patient"), Some("p2")))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        db.history(&q(Some("Observation"), None))
            .await
            .unwrap()
            .is_empty()
    );
    let page = db
        .history(&HistoryQuery {
            before_row: Some(all[1].row_id),
            limit: 1,
            ..q(None, None)
        })
        .await
        .unwrap();
    assert_eq!(
        (page[0].id.as_str(), page[0].version, page.len()),
        ("p2", 1, 1)
    );
    let since = db
        .history(&HistoryQuery {
            since: Some(200),
            ..q(None, None)
        })
        .await
        .unwrap();
    assert_eq!(since.len(), 2);
}

#[tokio::test]
async fn version_conflicts_fail_the_whole_batch() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    db.write(batch(vec![op(&t, "Patient", "p1", 1, 100)]))
        .await
        .unwrap();

    let err = db
        .write(batch(vec![op(&t, "Patient", "p1", 1, 101)]))
        .await
        .unwrap_err();
    match err {
        StoreError::VersionConflict {
            resource,
            expected,
            current,
        } => {
            assert_eq!(
                (resource.as_str(), expected.as_str(), current.as_str()),
                ("Patient/p1", "none", "1")
            )
        }
        e => panic!("{e}"),
    }
    let mut stale = op(&t, "Patient", "p1", 6, 102);
    stale.prev_version = Some(5);
    let mut with_audit = batch(vec![op(&t, "Patient", "p9", 1, 102), stale]);
    with_audit.audit.push(draft(&t, "create"));
    let err = db.write(with_audit).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::VersionConflict { expected, current, .. } if expected == "5" && current == "1"),
        "{err}"
    );
    assert!(
        db.current(&t, "Patient", "p9").await.unwrap().is_none(),
        "first op rolled back"
    );
    assert_eq!(
        verified_audit(&db, &t).await.len(),
        1,
        "only the tenant creation"
    );
    let mut missing = op(&t, "Patient", "p7", 2, 103);
    missing.prev_version = Some(1);
    assert!(matches!(
        db.write(batch(vec![missing])).await,
        Err(StoreError::VersionConflict { .. })
    ));

    // Concurrent creates of one resource: exactly one wins.
    let (a, b) = tokio::join!(
        db.write(batch(vec![op(&t, "Patient", "race", 1, 200)])),
        db.write(batch(vec![op(&t, "Patient", "race", 1, 201)]))
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    assert!(matches!(
        a.err().or(b.err()),
        Some(StoreError::VersionConflict { .. })
    ));
}
