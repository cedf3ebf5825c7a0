//! `cartella reindex`: rebuild the search index from the stored resources (after an upgrade
//! whose search rules changed, or to repair it). It may run beside `serve`: the store paces its
//! writes so the server's own get the write lock in between.

use crate::settings::Settings;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Only this practice (slug); all of them when left out
    #[arg(long)]
    tenant: Option<String>,
}

pub async fn run(settings: Settings, args: Args) -> anyhow::Result<ExitCode> {
    let store = crate::startup::open_store(&settings).await?;
    let all = args.tenant.is_none();
    let slugs = match args.tenant {
        Some(slug) => vec![slug],
        None => store
            .list_tenants()
            .await?
            .into_iter()
            .map(|t| t.slug)
            .collect(),
    };
    for slug in slugs {
        let ctx = store.system_context(&slug, "cli").await?;
        let report = store.reindex(&ctx).await?;
        println!(
            "{slug}: {} resource(s) reindexed, {} of erased patients left alone",
            report.resources, report.erased
        );
    }
    if all {
        // Every practice now has this binary's index.
        store.mark_index_current().await?;
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}
