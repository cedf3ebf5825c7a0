//! Test worlds: each test gets fresh databases of both backends (PostgreSQL through a template,
//! so a new database costs milliseconds). Without PostgreSQL a test prints why it skips that
//! backend, unless CI=true, where PostgreSQL is required and its absence fails the test.

use cartella_store::crypto::MasterKey;
use cartella_store::{AccessContext, Backend, Store, StoreOptions};
use std::path::PathBuf;
use std::sync::Arc;

pub fn pg_admin_url() -> String {
    std::env::var("CARTELLA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/test".into())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A file of the shared public data (`../shared/data/<rel>` beside the checkout, or under
/// `$CARTELLA_SHARED_DIR`). Missing: `None` and the caller skips, except in CI.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CARTELLA_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let file = root.join("data").join(rel);
    if file.exists() {
        return Some(file);
    }
    assert!(
        !in_ci(),
        "{} is required in CI (set CARTELLA_SHARED_DIR when the checkout is not beside shared/)",
        file.display()
    );
    eprintln!("SKIP: {} not found", file.display());
    None
}

/// One backend's fresh, empty, migrated-on-open database.
pub struct World {
    pub name: &'static str,
    pub backend: Arc<dyn Backend>,
    /// SQLite: the database file; PostgreSQL: None.
    pub sqlite_path: Option<PathBuf>,
    /// PostgreSQL: the database URL; SQLite: None.
    pub pg_url: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite_world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cartella.db");
    let backend = cartella_store_sqlite::SqliteBackend::open(&path, 4).expect("open sqlite");
    World {
        name: "sqlite",
        backend: Arc::new(backend),
        sqlite_path: Some(path),
        pg_url: None,
        _dir: Some(dir),
    }
}

/// A fresh PostgreSQL database URL, or None (with a printed reason) when PostgreSQL is absent
/// outside CI.
pub async fn fresh_pg_url() -> Option<String> {
    match cartella_store_pg::testing::fresh_database(&pg_admin_url()).await {
        Ok(url) => Some(url),
        Err(e) if !in_ci() => {
            eprintln!("SKIP postgres: {e} (set CARTELLA_TEST_PG_URL; required when CI=true)");
            None
        }
        Err(e) => panic!("PostgreSQL is required in CI: {e}"),
    }
}

pub async fn pg_world() -> Option<World> {
    let url = fresh_pg_url().await?;
    let backend = cartella_store_pg::PgBackend::connect(&url, 4)
        .await
        .expect("connect pg");
    Some(World {
        name: "postgres",
        backend: Arc::new(backend),
        sqlite_path: None,
        pg_url: Some(url),
        _dir: None,
    })
}

/// Every backend available: SQLite always, PostgreSQL when reachable (always in CI).
pub async fn worlds() -> Vec<World> {
    let mut out = vec![sqlite_world().await];
    out.extend(pg_world().await);
    out
}

pub async fn open_store(world: &World, master: &MasterKey) -> Arc<Store> {
    Store::open(
        world.backend.clone(),
        master.clone(),
        StoreOptions {
            audit_flush_ms: 20,
            ..Default::default()
        },
    )
    .await
    .expect("open store")
}

/// A store with one practice, and a context acting in it.
pub async fn store_with_tenant(world: &World, slug: &str) -> (Arc<Store>, AccessContext) {
    let store = open_store(world, &MasterKey::generate()).await;
    let ctx = tenant(&store, slug).await;
    (store, ctx)
}

pub async fn tenant(store: &Store, slug: &str) -> AccessContext {
    let t = store
        .create_tenant(
            &cartella_core::TenantSlug::parse(slug).unwrap(),
            &format!("Practice {slug}"),
            "test",
        )
        .await
        .expect("create tenant");
    AccessContext::system(t.id, "tester")
}

/// Run a raw SQL statement on the world's database, bypassing Cartella (to tamper with it).
pub async fn raw_sql(world: &World, sql: &str) {
    if let Some(path) = &world.sqlite_path {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    } else if let Some(url) = &world.pg_url {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// All text in the database, as one string, to look for plaintext leaks: the SQLite file and
/// its WAL as bytes, or every PostgreSQL table dumped as text.
pub async fn database_dump(world: &World) -> Vec<u8> {
    if let Some(path) = &world.sqlite_path {
        let mut bytes = std::fs::read(path).unwrap();
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        if let Ok(w) = std::fs::read(PathBuf::from(wal)) {
            bytes.extend(w);
        }
        return bytes;
    }
    let url = world.pg_url.as_ref().unwrap();
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client.batch_execute("CHECKPOINT").await.ok();
    let tables = client
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let name: String = t.get(0);
        let rows = client
            .query(&format!("SELECT t::text FROM \"{name}\" t"), &[])
            .await
            .unwrap();
        for r in rows {
            let text: String = r.get(0);
            out.extend(text.into_bytes());
            out.push(b'\n');
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `needle` as a word of its own (not inside a longer run of letters and digits): a short
/// needle such as a year otherwise turns up by chance inside hex-printed ciphertext and hashes.
pub fn contains_word(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    let alnum = |i: Option<usize>| {
        i.and_then(|i| haystack.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    };
    haystack.windows(n.len()).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(n) && !alnum(i.checked_sub(1)) && !alnum(Some(i + n.len()))
    })
}

/// Create a resource through the store (type from its `resourceType`); its new id.
pub async fn create_resource(
    store: &Store,
    ctx: &AccessContext,
    body: serde_json::Value,
) -> String {
    let rtype = body["resourceType"].as_str().unwrap_or_default().to_owned();
    store
        .create(
            ctx,
            &rtype,
            body,
            cartella_store::store::WriteOptions::default(),
        )
        .await
        .unwrap()
        .resource
        .id
}
