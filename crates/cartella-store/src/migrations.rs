//! Shared rules for applying each backend's own append-only migrations.

use crate::error::{Result, StoreError};
use crate::model::SchemaStatus;

/// One migration: a version number that only grows and the SQL it runs.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Latest version among `migrations`.
pub fn latest(migrations: &[Migration]) -> i64 {
    migrations.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Refuse a database written by a newer binary; otherwise report where it stands.
pub fn check_applied(applied: i64, migrations: &[Migration]) -> Result<SchemaStatus> {
    let latest = latest(migrations);
    if applied > latest {
        return Err(StoreError::SchemaTooNew {
            found: applied,
            supported: latest,
        });
    }
    Ok(SchemaStatus { applied, latest })
}

/// The migrations not yet applied, in order.
pub fn pending(applied: i64, migrations: &[Migration]) -> impl Iterator<Item = &Migration> {
    migrations.iter().filter(move |m| m.version > applied)
}
