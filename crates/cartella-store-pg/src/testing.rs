//! Test support: a fresh, already-migrated database per test, cloned from a template database so
//! each test pays for a `CREATE DATABASE .. TEMPLATE` (milliseconds) rather than a migration.
//!
//! Databases are named `cartella_t_<pid>_<n>`; the first use in a process drops those left behind
//! by processes that no longer run, so crashed or killed test runs do not accumulate databases
//! while concurrent runs keep theirs.

use crate::PgBackend;
use crate::migrate::MIGRATIONS;
use cartella_store::StoreError;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

type Result<T> = std::result::Result<T, StoreError>;

static CLEANED: AtomicBool = AtomicBool::new(false);
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Serialises template creation across processes (ASCII "Cartetpl").
const TEMPLATE_LOCK: i64 = 0x4361_7274_6574_706c;

/// Creates a fresh, already-migrated database for one test from a template database
/// (`cartella_tpl_<hash of the migration SQL>`, created and migrated once under a pg advisory lock,
/// then `CREATE DATABASE cartella_t_<pid>_<n> TEMPLATE …`, retrying when PostgreSQL says the template is busy),
/// and returns its URL. On first use per process, drops leftover `cartella_t_<pid>_*` databases whose pid is not a
/// running process (check /proc/<pid>). `admin_url` is e.g. postgres://postgres@127.0.0.1/test.
pub async fn fresh_database(admin_url: &str) -> Result<String> {
    let admin = connect(admin_url).await?;
    if !CLEANED.swap(true, Ordering::SeqCst) {
        drop_leftovers(&admin, admin_url).await?;
    }
    let template = ensure_template(&admin, admin_url).await?;
    let name = format!(
        "cartella_t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    // Busy while another session is still connected to the template (e.g. the pool that just
    // migrated it is closing); that clears within moments.
    retry_busy(
        &admin,
        &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
    )
    .await?;
    Ok(database_url(admin_url, &name))
}

/// `admin_url` with its database replaced by `database` (query parameters kept).
pub fn database_url(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(crate::db)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("test admin connection ended: {e}");
        }
    });
    Ok(client)
}

/// Name of the template for this exact migration set: a changed migration gets a new template.
fn template_name() -> String {
    // FNV-1a: stable across Rust versions and builds, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for m in MIGRATIONS {
        for byte in m.version.to_le_bytes().iter().chain(m.sql.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("cartella_tpl_{hash:016x}")
}

async fn ensure_template(admin: &Client, admin_url: &str) -> Result<String> {
    let template = template_name();
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK])
        .await
        .map_err(crate::db)?;
    let built = build_template(admin, admin_url, &template).await;
    // Released explicitly because the connection may live on; a crash releases it with the session.
    let unlocked = admin
        .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])
        .await;
    built?;
    unlocked.map_err(crate::db)?;
    Ok(template)
}

/// Builds under a temporary name and renames at the end, so a template that exists is complete.
async fn build_template(admin: &Client, admin_url: &str, template: &str) -> Result<()> {
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .map_err(crate::db)?
        .is_some();
    if exists {
        return Ok(());
    }
    let building = format!("{template}_build");
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .await
        .map_err(crate::db)?;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE \"{building}\" TEMPLATE template0"
        ))
        .await
        .map_err(crate::db)?;
    let backend = PgBackend::connect(&database_url(admin_url, &building), 1).await?;
    backend.migrate_db().await?;
    backend.pool.close();
    drop(backend);
    retry_busy(
        admin,
        &format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""),
    )
    .await
}

/// Runs `sql`, retrying while PostgreSQL reports the object in use by other sessions.
async fn retry_busy(admin: &Client, sql: &str) -> Result<()> {
    let mut attempt = 0;
    loop {
        match admin.batch_execute(sql).await {
            Ok(()) => return Ok(()),
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 200 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => return Err(crate::db(e)),
        }
    }
}

/// Drops `cartella_t_<pid>_*` databases of processes that are gone.
async fn drop_leftovers(admin: &Client, admin_url: &str) -> Result<()> {
    if !std::path::Path::new("/proc/self").exists() {
        return Ok(()); // No way to tell live processes from dead ones: keep everything.
    }
    let own = std::process::id();
    let found = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'cartella\\_t\\_%'",
            &[],
        )
        .await
        .map_err(crate::db)?;
    let mut dead = Vec::new();
    for row in found {
        let name: String = row.try_get(0).map_err(crate::db)?;
        let Some(pid) = name
            .strip_prefix("cartella_t_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != own && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            dead.push(name);
        }
    }
    // Each DROP DATABASE waits for a checkpoint (PostgreSQL 15), about a second on a busy disk,
    // and a run leaves a hundred databases behind. Dropped side by side, on connections of
    // their own, the drops share their checkpoints.
    let mut drops = tokio::task::JoinSet::new();
    for names in dead.chunks(dead.len().div_ceil(DROPPERS).max(1)) {
        let (names, url) = (names.to_vec(), admin_url.to_owned());
        drops.spawn(async move {
            let dropper = match connect(&url).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("could not connect to drop leftover test databases: {e}");
                    return;
                }
            };
            for name in names {
                // Best effort: another process may be dropping the same database right now.
                if let Err(e) = dropper
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                {
                    tracing::warn!("could not drop leftover test database {name}: {e}");
                }
            }
        });
    }
    while drops.join_next().await.is_some() {}
    Ok(())
}

/// Connections dropping leftover test databases side by side.
const DROPPERS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_replaces_only_the_database() {
        let f = |url| database_url(url, "db2");
        assert_eq!(
            f("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/db2"
        );
        assert_eq!(
            f("postgres://u:p@h:5433/test?sslmode=disable"),
            "postgres://u:p@h:5433/db2?sslmode=disable"
        );
        assert_eq!(
            f("postgres://postgres@localhost"),
            "postgres://postgres@localhost/db2"
        );
        assert_eq!(f("postgresql://h/?user=x"), "postgresql://h/db2?user=x");
    }

    #[test]
    fn template_name_is_stable_and_safe() {
        let name = template_name();
        assert_eq!(name, template_name());
        assert_eq!(name.len(), "cartella_tpl_".len() + 16);
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        );
    }
}
