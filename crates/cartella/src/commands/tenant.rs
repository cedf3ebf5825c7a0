//! `cartella tenant add|list`.

use crate::settings::Settings;
use cartella_core::TenantSlug;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a practice
    Add {
        /// Short name used in URLs and on the command line (a-z, 0-9, -)
        slug: String,
        /// Display name of the practice
        #[arg(long)]
        name: String,
    },
    /// List practices
    List,
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let store = crate::startup::open_store(&settings).await?;
    match command {
        Command::Add { slug, name } => {
            let slug = TenantSlug::parse(&slug)?;
            let t = store.create_tenant(&slug, &name, "cli").await?;
            println!("created practice {} ({}) id {}", t.slug, t.name, t.id);
        }
        Command::List => {
            for t in store.list_tenants().await? {
                println!("{}\t{}\t{}", t.slug, t.id, t.name);
            }
        }
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}
