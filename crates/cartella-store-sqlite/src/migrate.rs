//! SQLite migrations (append-only files in `migrations/`) and the checks that a file is ours.

use cartella_store::migrations::{Migration, check_applied, pending};
use cartella_store::{SchemaStatus, StoreError};
use rusqlite::{Connection, OptionalExtension};

/// `PRAGMA application_id` of Cartella databases ("CART").
pub const APPLICATION_ID: i64 = 0x4341_5254;

pub const MIGRATIONS: &[Migration] = &[
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
    Migration {
        version: 5,
        name: "drop_audit_patient_index",
        sql: include_str!("../migrations/0005_drop_audit_patient_index.sql"),
    },
    Migration {
        version: 6,
        name: "compartment_by_reference",
        sql: include_str!("../migrations/0006_compartment_by_reference.sql"),
    },
];

/// The applied version; refuses files that are not Cartella databases.
pub fn applied(conn: &Connection, path: &str) -> Result<i64, StoreError> {
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| not_ours_or(e, path))?;
    if app_id == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| not_ours_or(e, path))?;
        return if tables == 0 {
            Ok(0)
        } else {
            Err(StoreError::NotCartellaDatabase(path.to_owned()))
        };
    }
    if app_id != APPLICATION_ID {
        return Err(StoreError::NotCartellaDatabase(path.to_owned()));
    }
    conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .optional()
    .map_err(crate::map_err)
    .map(|v| v.flatten().unwrap_or(0))
}

fn not_ours_or(e: rusqlite::Error, path: &str) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotCartellaDatabase(path.to_owned()),
        _ => crate::map_err(e),
    }
}

pub fn status(conn: &Connection, path: &str) -> Result<SchemaStatus, StoreError> {
    check_applied(applied(conn, path)?, MIGRATIONS)
}

/// Apply what is pending, each migration in its own transaction.
pub fn migrate(conn: &Connection, path: &str) -> Result<SchemaStatus, StoreError> {
    let current = check_applied(applied(conn, path)?, MIGRATIONS)?;
    if current.applied == 0 {
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID};
             CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
        ))
        .map_err(crate::map_err)?;
    }
    for m in pending(current.applied, MIGRATIONS) {
        let now = cartella_core::Timestamp::now().micros();
        let sql = format!(
            "BEGIN IMMEDIATE; {} INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, '{}', {now}); COMMIT;",
            m.sql, m.version, m.name
        );
        if let Err(e) = conn.execute_batch(&sql) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(StoreError::Database(format!(
                "migration {} ({}) failed: {e}",
                m.version, m.name
            )));
        }
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied SQLite migration"
        );
    }
    status(conn, path)
}
