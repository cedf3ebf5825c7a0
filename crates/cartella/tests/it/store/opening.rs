//! Opening databases: migrations are idempotent; a newer schema or a foreign file is refused
//! with a clear message.

use crate::support::*;
use cartella_store::StoreError;

#[tokio::test]
async fn migrate_is_idempotent_and_ready() {
    for w in worlds().await {
        let first = w.backend.migrate().await.unwrap();
        let second = w.backend.migrate().await.unwrap();
        assert_eq!(first, second, "{}", w.name);
        assert!(second.is_current());
        assert!(w.backend.schema_status().await.unwrap().is_current());
    }
}

#[tokio::test]
async fn newer_schema_is_refused() {
    for w in worlds().await {
        w.backend.migrate().await.unwrap();
        raw_sql(
            &w,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)",
        )
        .await;
        let err = w.backend.migrate().await.unwrap_err();
        assert!(
            matches!(err, StoreError::SchemaTooNew { found: 9999, .. }),
            "{}: {err:?}",
            w.name
        );
        assert!(err.to_string().contains("upgrade cartella"));
    }
}

#[tokio::test]
async fn files_that_are_not_cartella_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("notes.txt");
    std::fs::write(
        &garbage,
        "this is not a database at all, just some text that is long enough ".repeat(20),
    )
    .unwrap();
    let err = cartella_store_sqlite::SqliteBackend::open(&garbage, 1)
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NotCartellaDatabase(_)), "{err:?}");
    assert!(err.to_string().contains("is not a Cartella database"));

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (n INTEGER)")
        .unwrap();
    let err = cartella_store_sqlite::SqliteBackend::open(&other, 1)
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NotCartellaDatabase(_)), "{err:?}");
    // The foreign file is left as it was.
    let n: i64 = rusqlite::Connection::open(&other)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'resources'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}

/// Closing while another process still reads the database (a CLI command beside `serve`) is
/// not a failure: the log is left to that process, and the command's work stands.
#[tokio::test]
async fn close_beside_another_reader_succeeds() {
    let w = sqlite_world().await;
    let (store, ctx) = store_with_tenant(&w, "close-beside").await;
    create_resource(
        &store,
        &ctx,
        serde_json::json!({"resourceType": "Patient", "gender": "female"}),
    )
    .await;
    let path = w.sqlite_path.clone().unwrap_or_default();
    // Another process's reader, in the middle of a read.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN").unwrap();
    let n: i64 = other
        .query_row("SELECT count(*) FROM resources", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let result = store.close().await;
    assert!(result.is_ok(), "{result:?}");
    other.execute_batch("COMMIT").unwrap();
}
