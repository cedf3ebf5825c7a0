//! The PostgreSQL backend against a real server (`CARTELLA_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1/test`), each test on its own fresh database. Without a server
//! the tests print why and pass, except on CI (`CI=true`) where they fail.

mod support;

use cartella_store::identity::IdentityBackend;
use cartella_store::*;
use cartella_store_pg::{PgBackend, testing};
use support::*;

#[tokio::test]
async fn migrate_is_idempotent_and_works_from_empty() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let status = db.migrate().await.unwrap();
    assert_eq!(
        status,
        SchemaStatus {
            applied: 4,
            latest: 4
        }
    );
    assert_eq!(db.migrate().await.unwrap(), status);
    assert_eq!(db.schema_status().await.unwrap(), status);

    // An empty database: two nodes migrating at once both succeed, the work is done once.
    let url = empty_database("mig").await;
    let (a, b) = (
        PgBackend::connect(&url, 2).await.unwrap(),
        PgBackend::connect(&url, 2).await.unwrap(),
    );
    assert_eq!(a.schema_status().await.unwrap().applied, 0);
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    assert!(ra.unwrap().is_current() && rb.unwrap().is_current());
    let n = raw(&url)
        .await
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .await
        .unwrap();
    assert_eq!(n.get::<_, i64>(0), status.latest, "one row per migration");
}

/// A database at version 1 (as deployed before identity) with a tenant in it: migrating adds the
/// identity tables and gives the existing tenant the default settings.
#[tokio::test]
async fn upgrade_from_v1_keeps_tenants() {
    if !reachable().await {
        return;
    }
    let url = empty_database("v1").await;
    let v1 = raw(&url).await;
    v1.batch_execute(include_str!("../migrations/0001_initial.sql"))
        .await
        .unwrap();
    v1.batch_execute(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,          applied_at BIGINT NOT NULL);          INSERT INTO schema_migrations VALUES (1, 'initial', 0)",
    )
    .await
    .unwrap();
    let id = cartella_core::TenantId::new();
    v1.execute(
        "INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, 'old', 'Old', 1)",
        &[&id.as_str()],
    )
    .await
    .unwrap();

    let db = PgBackend::connect(&url, 2).await.unwrap();
    assert_eq!(
        db.schema_status().await.unwrap(),
        SchemaStatus {
            applied: 1,
            latest: 4
        }
    );
    assert!(db.migrate().await.unwrap().is_current());
    assert_eq!(db.list_tenants().await.unwrap().len(), 1);
    assert_eq!(db.tenant_settings(&id).await.unwrap(), "{}");
    assert_eq!(db.count_users().await.unwrap(), 0);
}

/// A plain empty database named so that `fresh_database`'s cleanup also covers it.
async fn empty_database(tag: &str) -> String {
    let name = format!(
        "cartella_t_{}_{tag}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let admin = raw(&admin_url()).await;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
        .await
        .unwrap();
    testing::database_url(&admin_url(), &name)
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let Some((db, url)) = backend().await else {
        return;
    };
    raw(&url)
        .await
        .execute(
            "INSERT INTO schema_migrations VALUES (9999, 'future', 0)",
            &[],
        )
        .await
        .unwrap();
    let err = db.migrate().await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 9999,
                supported: 4
            }
        ),
        "{err}"
    );
    assert!(matches!(
        db.schema_status().await,
        Err(StoreError::SchemaTooNew { .. })
    ));
}

#[tokio::test]
async fn foreign_database_is_refused() {
    if !reachable().await {
        return;
    }
    let url = empty_database("foreign").await;
    raw(&url)
        .await
        .batch_execute("CREATE TABLE foo (x int)")
        .await
        .unwrap();
    let db = PgBackend::connect(&url, 1).await.unwrap();
    let err = db.migrate().await.unwrap_err();
    assert!(matches!(err, StoreError::NotCartellaDatabase(_)), "{err}");
    let tables = raw(&url)
        .await
        .query_one("SELECT to_regclass('resources') IS NULL", &[])
        .await
        .unwrap();
    assert!(tables.get::<_, bool>(0), "nothing was created");
}

#[path = "pg/keys.rs"]
mod keys;

#[path = "pg/resources.rs"]
mod resources;

#[path = "pg/audit.rs"]
mod audit;

#[path = "pg/search.rs"]
mod search;

#[path = "pg/erase.rs"]
mod erase;

#[path = "pg/jobs.rs"]
mod jobs;

#[path = "pg/identity.rs"]
mod identity;
#[path = "pg/identity_access.rs"]
mod identity_access;
