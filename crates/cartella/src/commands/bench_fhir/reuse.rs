//! `--skip-load`: the patients of an earlier load, from the state file that load wrote when it
//! was written for the same `--url`; otherwise discovered by paging through `Patient?_count=1000`
//! (any patients of the server then, not only generated ones, and without the search check's
//! expected counts).

use super::args::Args;
use super::http::Target;
use super::load::{Loaded, Patient, State};
use super::stats::excerpt;

/// The patients of an earlier load: from the state file, else by searching.
pub async fn reuse(target: &Target, args: &Args) -> anyhow::Result<Loaded> {
    let state: Option<State> = std::fs::read(&args.state)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let Some(s) = state.filter(|s| s.url == args.base()) {
        let same_data =
            s.seed == args.seed && s.observations_per_patient == args.observations_per_patient;
        let patients = s
            .patients
            .into_iter()
            .map(|p| Patient {
                index: p.index.filter(|_| same_data),
                id: p.id,
            })
            .collect::<Vec<_>>();
        println!(
            "reusing {} patients from {} (loaded via {})",
            patients.len(),
            args.state.display(),
            s.mode
        );
        return Ok(Loaded {
            mode: format!("reused, loaded via {}", s.mode),
            patients,
        });
    }
    let mut patients = Vec::new();
    let mut url = format!("{}/Patient?_count=1000", target.base());
    for _ in 0..10_000 {
        let a = target.get_url(&url, true).await;
        if !a.ok() {
            anyhow::bail!(
                "searching for patients failed: {} {}",
                a.status,
                excerpt(&a.body)
            );
        }
        let page = a.json().unwrap_or_default();
        let ids = page["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["resource"]["resourceType"] == "Patient");
        patients.extend(
            ids.filter_map(|e| e["resource"]["id"].as_str())
                .map(|id| Patient {
                    index: None,
                    id: id.to_owned(),
                }),
        );
        let next = page["link"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["relation"] == "next");
        // The server's links carry its public base, which may not be the address we talk to.
        match next
            .and_then(|l| l["url"].as_str())
            .and_then(|u| u.split_once('?'))
        {
            Some((_, query)) if patients.len() < args.patients => {
                url = format!("{}/Patient?{query}", target.base())
            }
            _ => break,
        }
    }
    patients.truncate(args.patients);
    if patients.is_empty() {
        anyhow::bail!("--skip-load: no state file for this --url and the server has no patients");
    }
    println!(
        "reusing {} patients found by searching Patient",
        patients.len()
    );
    Ok(Loaded {
        mode: "reused, found by search".into(),
        patients,
    })
}
