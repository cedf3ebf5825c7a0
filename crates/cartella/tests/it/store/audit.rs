//! The audit trail: every write and read leaves a chained event; tampering of any kind (edit,
//! delete, reorder) is found by `verify_audit`; the database refuses UPDATE and DELETE.

use crate::support::*;
use cartella_store::audit::ChainBreak;
use cartella_store::store::WriteOptions;
use serde_json::json;

async fn populated(
    w: &World,
) -> (
    std::sync::Arc<cartella_store::Store>,
    cartella_store::AccessContext,
) {
    let (store, ctx) = store_with_tenant(w, "audited").await;
    for i in 0..4 {
        let p = json!({"resourceType": "Patient", "name": [{"family": format!("Audit{i}")}]});
        let id = store
            .create(&ctx, "Patient", p, WriteOptions::default())
            .await
            .unwrap()
            .resource
            .id;
        store.read(&ctx, "Patient", &id).await.unwrap();
    }
    store.flush_audit().await;
    (store, ctx)
}

#[tokio::test]
async fn writes_and_reads_are_audited_and_the_chain_verifies() {
    for w in worlds().await {
        let (store, ctx) = populated(&w).await;
        let rows = store
            .backend()
            .audit_rows(&ctx.tenant, 0, 100)
            .await
            .unwrap();
        // Writes are chained as they commit; reads join the chain when the batch writer flushes.
        let mut actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        actions.sort_unstable();
        assert_eq!(
            actions,
            [
                "create",
                "create",
                "create",
                "create",
                "read",
                "read",
                "read",
                "read",
                "tenant.create"
            ],
            "{}",
            w.name
        );
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            (1..=9).collect::<Vec<_>>(),
            "{}: gapless chain",
            w.name
        );
        let read = rows.iter().find(|r| r.action == "read").unwrap();
        assert_eq!(read.actor, "tester");
        assert_eq!(read.resource_type.as_deref(), Some("Patient"));
        assert_eq!(
            read.patient_id, read.resource_id,
            "{}: reads name the patient",
            w.name
        );
        assert_eq!(read.version, Some(1));
        let report = store.verify_audit().await.unwrap();
        assert!(report.ok(), "{}: {report:?}", w.name);
        assert_eq!(report.tenants[0].checked, 9);
    }
}

#[tokio::test]
async fn the_database_refuses_update_and_delete_of_audit_rows() {
    for w in worlds().await {
        let (_store, _ctx) = populated(&w).await;
        for sql in [
            "UPDATE audit_events SET actor = 'mallory'",
            "DELETE FROM audit_events",
        ] {
            let refused = try_raw_sql(&w, sql).await;
            assert!(
                refused.is_err_and(|e| e.contains("append-only")),
                "{}: {sql} must be refused",
                w.name
            );
        }
    }
}

/// Tamper with the audit table as a database superuser would (triggers off), then verify.
async fn tamper(w: &World, sql: &str) {
    let (off, on) = if w.sqlite_path.is_some() {
        (
            "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
            "",
        )
    } else {
        (
            "ALTER TABLE audit_events DISABLE TRIGGER USER;",
            "ALTER TABLE audit_events ENABLE TRIGGER USER;",
        )
    };
    raw_sql(w, &format!("{off} {sql}; {on}")).await;
}

#[tokio::test]
async fn edited_deleted_and_reordered_rows_are_detected() {
    let cases = [
        (
            "UPDATE audit_events SET actor = 'mallory' WHERE seq = 4",
            ChainBreak::Mismatch { seq: 4 },
        ),
        (
            "DELETE FROM audit_events WHERE seq = 3",
            ChainBreak::Missing {
                expected_seq: 3,
                found_seq: 4,
            },
        ),
        // Swap the contents of events 5 and 6, keeping their positions.
        (
            "UPDATE audit_events SET seq = -5 WHERE seq = 5; UPDATE audit_events SET seq = 5 WHERE seq = 6; UPDATE audit_events SET seq = 6 WHERE seq = -5",
            ChainBreak::Mismatch { seq: 5 },
        ),
    ];
    for (sql, expected) in cases {
        for w in worlds().await {
            let (store, _ctx) = populated(&w).await;
            tamper(&w, sql).await;
            let report = store.verify_audit().await.unwrap();
            assert!(!report.ok(), "{}: tampering not detected: {sql}", w.name);
            assert_eq!(
                report.tenants[0].broken,
                Some(expected.clone()),
                "{}: {sql}",
                w.name
            );
        }
    }
}

async fn try_raw_sql(w: &World, sql: &str) -> Result<(), String> {
    if let Some(path) = &w.sqlite_path {
        let conn = rusqlite::Connection::open(path).unwrap();
        return conn.execute_batch(sql).map_err(|e| e.to_string());
    }
    let (client, conn) = tokio_postgres::connect(w.pg_url.as_ref().unwrap(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.batch_execute(sql).await.map_err(|e| {
        e.as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_else(|| e.to_string())
    })
}
