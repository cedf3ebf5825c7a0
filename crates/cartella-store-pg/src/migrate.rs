//! Schema migrations: the embedded list and the code that applies them. Each migration runs in
//! its own transaction together with its `schema_migrations` row, under a transaction-scoped
//! advisory lock, so two nodes starting at once apply each migration exactly once.

use crate::PgBackend;
use cartella_store::migrations::{Migration, check_applied, pending};
use cartella_store::{SchemaStatus, StoreError};
use deadpool_postgres::GenericClient;

type Result<T> = std::result::Result<T, StoreError>;

/// Every migration of this backend, in version order. Append only.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "identity",
        sql: include_str!("../migrations/0002_identity.sql"),
    },
    Migration {
        version: 3,
        name: "bulk_export",
        sql: include_str!("../migrations/0003_bulk_export.sql"),
    },
    Migration {
        version: 4,
        name: "bookings",
        sql: include_str!("../migrations/0004_bookings.sql"),
    },
];

/// Arbitrary but fixed: the ASCII bytes of "Cartella", so it is recognisable in `pg_locks`.
const MIGRATE_LOCK: i64 = 0x4361_7274_656c_6c61;

const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// The applied version: 0 for an empty database; refuses one that holds other tables.
async fn applied_version(client: &impl GenericClient) -> Result<i64> {
    let row = client
        .query_one(
            "SELECT to_regclass('schema_migrations') IS NOT NULL,
                    to_regclass('cartella_meta') IS NOT NULL,
                    (SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()),
                    current_database()",
            &[],
        )
        .await
        .map_err(crate::db)?;
    let has_migrations: bool = row.try_get(0).map_err(crate::db)?;
    let has_meta: bool = row.try_get(1).map_err(crate::db)?;
    let tables: i64 = row.try_get(2).map_err(crate::db)?;
    if !has_migrations {
        if !has_meta && tables > 0 {
            let name: String = row.try_get(3).map_err(crate::db)?;
            return Err(StoreError::NotCartellaDatabase(format!(
                "PostgreSQL database '{name}'"
            )));
        }
        return Ok(0);
    }
    let row = client
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(crate::db)?;
    row.try_get(0).map_err(crate::db)
}

fn now_micros() -> i64 {
    cartella_core::Timestamp::now().micros()
}

impl PgBackend {
    pub(crate) async fn migrate_db(&self) -> Result<SchemaStatus> {
        let mut client = self.conn().await?;
        loop {
            let tx = client.transaction().await.map_err(crate::db)?;
            // Held until this transaction ends: a second node waits here, then sees the new
            // version and has nothing to do.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
                .await
                .map_err(crate::db)?;
            let applied = applied_version(&tx).await?;
            let status = check_applied(applied, MIGRATIONS)?;
            let Some(next) = pending(applied, MIGRATIONS).next() else {
                tx.commit().await.map_err(crate::db)?;
                return Ok(status);
            };
            tracing::info!(
                version = next.version,
                name = next.name,
                "applying migration"
            );
            tx.batch_execute(CREATE_SCHEMA_MIGRATIONS)
                .await
                .map_err(crate::db)?;
            tx.batch_execute(next.sql).await.map_err(|e| {
                StoreError::Database(format!(
                    "migration {} ({}) failed: {e}",
                    next.version, next.name
                ))
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&next.version, &next.name, &now_micros()],
            )
            .await
            .map_err(crate::db)?;
            tx.commit().await.map_err(crate::db)?;
        }
    }

    pub(crate) async fn schema_status_db(&self) -> Result<SchemaStatus> {
        let client = self.conn().await?;
        let applied = applied_version(&client).await?;
        check_applied(applied, MIGRATIONS)
    }
}
