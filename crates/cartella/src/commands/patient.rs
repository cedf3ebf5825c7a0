//! `cartella patient erase`: crypto-shredding of one patient (GDPR Art. 17).

use crate::settings::Settings;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Destroy a patient's key: their record can never be read again
    Erase {
        /// Practice slug
        #[arg(long)]
        tenant: String,
        /// Patient resource id
        #[arg(long)]
        id: String,
        /// Confirm the erasure (it cannot be undone)
        #[arg(long)]
        yes: bool,
    },
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let Command::Erase { tenant, id, yes } = command;
    if !yes {
        anyhow::bail!("erasure cannot be undone: add --yes to confirm");
    }
    let store = crate::startup::open_store(&settings).await?;
    let ctx = store.system_context(&tenant, "cli").await?;
    let report = store.erase_patient(&ctx, &id).await?;
    store.close().await?;
    println!(
        "erased Patient/{id}: {} resource(s) sealed for good, {} index row(s) removed",
        report.resources, report.index_rows
    );
    Ok(ExitCode::SUCCESS)
}
