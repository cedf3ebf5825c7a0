//! The subcommands of `cartella`, one module each.

pub mod audit;
pub mod bench;
pub mod bench_auth;
pub mod bench_chart;
pub mod bench_fhir;
pub mod bench_planning;
pub mod bench_web;
pub mod demo;
pub mod keys;
pub mod patient;
pub mod reindex;
pub mod serve;
pub mod tenant;
pub mod user;

use crate::settings::Settings;
use std::process::ExitCode;

/// `cartella migrate`: apply pending migrations and report the schema version.
pub async fn migrate(settings: Settings) -> anyhow::Result<ExitCode> {
    let backend = crate::startup::open_backend(&settings).await?;
    let status = backend.migrate().await?;
    println!(
        "database schema is at version {} ({} backend)",
        status.applied,
        backend.name()
    );
    Ok(ExitCode::SUCCESS)
}
