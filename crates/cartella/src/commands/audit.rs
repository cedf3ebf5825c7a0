//! `cartella audit verify`: walk every tenant's hash chain; exit 1 at the first broken link.

use crate::settings::Settings;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Verify the hash chain of every practice's audit trail
    Verify,
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let Command::Verify = command;
    let store = crate::startup::open_store(&settings).await?;
    let report = store.verify_audit().await?;
    let names: std::collections::HashMap<_, _> = store
        .backend()
        .list_tenants()
        .await?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    for t in &report.tenants {
        let name = names.get(&t.tenant).map(String::as_str).unwrap_or("?");
        match &t.broken {
            None => println!("OK      {name}: {} events verified", t.checked),
            Some(b) => println!(
                "BROKEN  {name}: {b} ({} events verified before it)",
                t.checked
            ),
        }
    }
    if report.ok() {
        println!("audit trail OK");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("audit trail BROKEN");
        Ok(ExitCode::FAILURE)
    }
}
