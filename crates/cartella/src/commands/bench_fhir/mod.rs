//! `cartella bench fhir`: a load harness that speaks plain FHIR R4 over HTTP, so it measures
//! Cartella and other FHIR servers with the same data and the same requests.
//!
//! It generates synthetic patients with encounters and vital-sign Observations (deterministic from
//! `--seed`), loads them (transaction bundles, or single POSTs when the server refuses the first
//! bundle), then runs one workload for `--duration` seconds after a 2-second warm-up and prints
//! requests, errors (status and body excerpt), req/s and p50/p95/p99/max latency of the 2xx answers.
//!
//! Modules: `args` (command line), `data` (generator and bundles), `http` (the client), `load`
//! (loading), `reuse` (`--skip-load`), `workload` (the measured loop), `stats` (histograms, errors).

mod args;
mod data;
mod http;
mod load;
mod reuse;
pub(crate) mod stats;
mod workload;

pub use args::Args;
use args::Workload;
use std::process::ExitCode;
use std::sync::Arc;
use workload::OP_NAMES;

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.validate()?;
    let args = Arc::new(args);
    let target = Arc::new(http::Target::new(&args)?);
    println!(
        "FHIR benchmark against {}: workload {}, concurrency {}, {} s after {} s warm-up, seed {}",
        target.base(),
        args.workload.name(),
        args.concurrency,
        args.duration,
        workload::WARMUP.as_secs(),
        args.seed
    );
    let loaded = if args.skip_load {
        reuse::reuse(&target, &args).await?
    } else {
        load::load(target.clone(), args.clone()).await?
    };
    if matches!(args.workload, Workload::Search | Workload::Mixed) {
        workload::search_check(&target, &args, &loaded.patients).await;
    }
    let report = workload::run(target.clone(), args.clone(), &loaded.patients).await;

    println!(
        "workload {} · data {} · {} patients · concurrency {} · {} s measured",
        args.workload.name(),
        loaded.mode,
        loaded.patients.len(),
        args.concurrency,
        args.duration
    );
    let used: Vec<usize> = (0..OP_NAMES.len())
        .filter(|&i| report.tallies[i].ok() + report.tallies[i].failed > 0)
        .collect();
    if used.len() > 1 {
        let mut all = stats::Tally::default();
        for &i in &used {
            all.merge(&report.tallies[i]);
        }
        all.print("all", report.seconds);
    }
    for &i in &used {
        report.tallies[i].print(OP_NAMES[i], report.seconds);
    }
    let ok: u64 = report.tallies.iter().map(|t| t.ok()).sum();
    if ok == 0 {
        println!("no request succeeded: there is nothing to report");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
