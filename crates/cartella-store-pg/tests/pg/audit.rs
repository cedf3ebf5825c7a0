//! The audit trail: per-tenant hash chains under concurrency, and append-only enforcement.

use crate::support::*;
use cartella_store::*;

#[tokio::test]
async fn audit_chain_is_gapless_and_verifies() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let (t1, t2) = (tenant(&db, "alpha").await, tenant(&db, "beta").await);
    let mut b = batch(vec![op(&t1, "Patient", "p1", 1, 100)]);
    b.audit = vec![draft(&t1, "create"), draft(&t2, "read"), draft(&t1, "read")];
    db.write(b).await.unwrap();
    // Concurrent appenders on the same tenants serialise on the head row.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (db, t1, t2) = (db.clone(), t1.clone(), t2.clone());
            tokio::spawn(async move {
                let events = (0..5)
                    .map(|j| draft(if (i + j) % 2 == 0 { &t1 } else { &t2 }, "read"))
                    .collect();
                db.append_audit(events).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    db.append_audit(Vec::new()).await.unwrap();
    let rows1 = verified_audit(&db, &t1).await;
    let rows2 = verified_audit(&db, &t2).await;
    assert_eq!(rows1.len() + rows2.len(), 2 + 3 + 40);
    assert_eq!(rows1[0].action, "tenant.create");
    assert_eq!(rows1[1].action, "create");
    assert_eq!(rows1[1].details.as_deref(), Some("{\"n\":1}"));
    let mut tenants = db.audit_tenants().await.unwrap();
    tenants.sort();
    let mut expected = vec![t1.clone(), t2.clone()];
    expected.sort();
    assert_eq!(tenants, expected);
    assert_eq!(db.audit_rows(&t1, 2, 1).await.unwrap()[0].seq, 3);
}

#[tokio::test]
async fn audit_events_are_append_only() {
    let Some((db, url)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    let client = raw(&url).await;
    for sql in [
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let err = client.batch_execute(sql).await.unwrap_err();
        let message = err
            .as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(verified_audit(&db, &t).await.len(), 1);
}
