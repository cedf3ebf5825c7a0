//! `cartella keys rotate`: a new master key re-wraps every tenant key. The new key is written
//! beside the old one first (`master.key.new`), the database is re-wrapped in one transaction,
//! then the file replaces the old key; a crash in between is resolved at the next start.

use crate::settings::Settings;
use crate::startup;
use anyhow::Context;
use cartella_store::crypto::MasterKey;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Generate a new master key and re-wrap every tenant key with it
    Rotate,
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Rotate => rotate(settings).await,
    }
}

async fn rotate(settings: Settings) -> anyhow::Result<ExitCode> {
    let store = startup::open_store(&settings).await?;
    let new = MasterKey::generate();
    let from_env = std::env::var("CARTELLA_MASTER_KEY").is_ok();
    let path = settings.master_key_path();
    let pending = startup::pending_key_path(&path);
    if !from_env {
        new.write_new(&pending)
            .context("cannot write the new master key")?;
    }
    let n = store.rotate_master_key(new.clone()).await?;
    if from_env {
        println!(
            "re-wrapped {n} tenant key(s); set CARTELLA_MASTER_KEY to the new key now:\n{}",
            new.to_hex()
        );
    } else {
        std::fs::rename(&pending, &path).context("cannot replace the master key file")?;
        println!(
            "re-wrapped {n} tenant key(s) under master key {}; key file {} replaced",
            new.id(),
            path.display()
        );
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}
