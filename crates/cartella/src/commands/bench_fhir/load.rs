//! Loading the synthetic patients: through `transaction` bundles when the server takes them, else
//! through one POST per resource; and finding them again for `--skip-load`.
//!
//! A patient's record never spans two bundles, so every `urn:uuid:` reference resolves inside the
//! bundle that carries it. The ids the server gave the patients go to the state file (`--state`,
//! JSON: url, seed, observations per patient, load mode, `{index, id}` per patient), which
//! `--skip-load` reads back (see `reuse`).

use super::args::Args;
use super::data::{self, Record};
use super::http::{Answer, Target};
use super::stats::{ErrorLog, excerpt};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A loaded patient: its server id and, when known, its index in the generated data.
#[derive(Clone, Serialize, Deserialize)]
pub struct Patient {
    pub index: Option<usize>,
    pub id: String,
}

pub struct Loaded {
    pub mode: String,
    pub patients: Vec<Patient>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct State {
    pub(super) url: String,
    pub(super) seed: u64,
    pub(super) observations_per_patient: usize,
    pub(super) mode: String,
    pub(super) patients: Vec<Patient>,
}

/// Runs `job(0..jobs)` on `concurrency` tasks; results come back in job order.
pub async fn pool<T, F, Fut>(concurrency: usize, jobs: usize, job: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let out = Arc::new(Mutex::new(Vec::with_capacity(jobs)));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(jobs) {
        let (next, out, job) = (next.clone(), out.clone(), job.clone());
        tasks.spawn(async move {
            loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= jobs {
                    break;
                }
                let r = job(j).await;
                out.lock().unwrap_or_else(|e| e.into_inner()).push((j, r));
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let mut out = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
    out.sort_unstable_by_key(|(j, _)| *j);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Consecutive patients packed into bundles of at most `--batch` resources (one record at least).
fn plan(args: &Args) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0);
    for i in 0..args.patients {
        let len = data::record_len(args.seed, i, args.observations_per_patient);
        if size > 0 && size + len > args.batch {
            out.push(start..i);
            (start, size) = (i, 0);
        }
        size += len;
    }
    out.push(start..args.patients);
    out
}

/// `Patient/abc` out of `Patient/abc/_history/1`, relative or absolute.
pub fn id_from_location(location: &str, rtype: &str) -> Option<String> {
    let parts: Vec<&str> = location.split(['/', '?']).collect();
    let at = parts.iter().rposition(|p| *p == rtype)?;
    parts
        .get(at + 1)
        .filter(|s| !s.is_empty())
        .map(|s| (*s).to_owned())
}

type Outcome<T> = Result<T, (u16, Vec<u8>)>;

async fn send_bundle(target: &Target, args: &Args, range: Range<usize>) -> Outcome<Vec<Patient>> {
    let mut at = Vec::new();
    let mut entries = Vec::new();
    for i in range.clone() {
        at.push(entries.len());
        entries
            .extend(Record::generate(args.seed, i, args.observations_per_patient).into_entries());
    }
    let body = serde_json::to_vec(&data::transaction(entries)).unwrap_or_default();
    let answer = target.post("", body, true).await;
    if !answer.ok() {
        return Err((answer.status, answer.body));
    }
    let json = answer.json().unwrap_or_default();
    let location = |k: usize| json["entry"][k]["response"]["location"].as_str();
    range
        .zip(at)
        .map(
            |(index, k)| match location(k).and_then(|l| id_from_location(l, "Patient")) {
                Some(id) => Ok(Patient {
                    index: Some(index),
                    id,
                }),
                None => Err((
                    answer.status,
                    b"2xx, but no Patient location in the transaction-response".to_vec(),
                )),
            },
        )
        .collect()
}

/// One patient, then its encounters and observations pointing at the id the server gave it.
async fn post_record(
    target: &Target,
    args: &Args,
    index: usize,
) -> (Option<Patient>, usize, ErrorLog) {
    let mut errors = ErrorLog::default();
    let record = Record::generate(args.seed, index, args.observations_per_patient);
    let body = serde_json::to_vec(&record.patient.resource).unwrap_or_default();
    let a: Answer = target.post("Patient", body, true).await;
    let id = a.json().and_then(|j| j["id"].as_str().map(str::to_owned));
    let Some(id) = id.or_else(|| {
        a.location
            .as_deref()
            .and_then(|l| id_from_location(l, "Patient"))
    }) else {
        errors.record(
            a.status,
            if a.ok() {
                b"no id in the answer to POST Patient"
            } else {
                &a.body
            },
        );
        return (None, 0, errors);
    };
    let mut created = 1;
    for mut e in record.others {
        e.resource["subject"] = serde_json::json!({"reference": format!("Patient/{id}")});
        let rtype = e.resource["resourceType"].as_str().unwrap_or("").to_owned();
        let a = target
            .post(
                &rtype,
                serde_json::to_vec(&e.resource).unwrap_or_default(),
                false,
            )
            .await;
        if a.ok() {
            created += 1;
        } else {
            errors.record(a.status, &a.body);
        }
    }
    (
        Some(Patient {
            index: Some(index),
            id,
        }),
        created,
        errors,
    )
}

pub async fn load(target: Arc<Target>, args: Arc<Args>) -> anyhow::Result<Loaded> {
    let plan = plan(&args);
    let total: usize = plan
        .iter()
        .flat_map(|r| r.clone())
        .map(|i| data::record_len(args.seed, i, args.observations_per_patient))
        .sum();
    println!(
        "loading {} patients with {} observations each and 1-3 encounters: {total} resources",
        args.patients, args.observations_per_patient
    );
    let started = Instant::now();
    let mut errors = ErrorLog::default();
    // The first bundle alone tells whether the server takes transactions at all.
    let (mode, patients, created) = match send_bundle(&target, &args, plan[0].clone()).await {
        Ok(first) => {
            let (t, a, rest) = (target.clone(), args.clone(), plan[1..].to_vec());
            let results = pool(args.concurrency, rest.len(), move |j| {
                let (t, a, r) = (t.clone(), a.clone(), rest[j].clone());
                async move { send_bundle(&t, &a, r).await }
            })
            .await;
            let mut patients = first;
            for r in results {
                match r {
                    Ok(p) => patients.extend(p),
                    Err((status, body)) => errors.record(status, &body),
                }
            }
            let created = patients
                .iter()
                .filter_map(|p| p.index)
                .map(|i| data::record_len(args.seed, i, args.observations_per_patient))
                .sum();
            (
                format!("transaction bundles of up to {} resources", args.batch),
                patients,
                created,
            )
        }
        Err((status, body)) => {
            println!(
                "the server did not take the first transaction bundle ({status}: {}); loading with individual POSTs",
                excerpt(&body)
            );
            let (t, a) = (target.clone(), args.clone());
            let results = pool(args.concurrency, args.patients, move |i| {
                let (t, a) = (t.clone(), a.clone());
                async move { post_record(&t, &a, i).await }
            })
            .await;
            let mut patients = Vec::new();
            let mut created = 0;
            for (p, n, e) in results {
                patients.extend(p);
                created += n;
                errors.merge(&e);
            }
            ("individual POSTs".to_owned(), patients, created)
        }
    };
    let secs = started.elapsed().as_secs_f64();
    println!(
        "loaded {} patients, {created} of {total} resources in {secs:.1} s: {:.0} resources/s via {mode}",
        patients.len(),
        created as f64 / secs
    );
    errors.print("  ");
    if patients.is_empty() {
        anyhow::bail!("no patient could be loaded, nothing to measure");
    }
    let state = State {
        url: args.base(),
        seed: args.seed,
        observations_per_patient: args.observations_per_patient,
        mode: mode.clone(),
        patients: patients.clone(),
    };
    if let Err(e) = std::fs::write(&args.state, serde_json::to_vec(&state).unwrap_or_default()) {
        println!(
            "warning: cannot write {}: {e} (--skip-load will search for patients)",
            args.state.display()
        );
    }
    Ok(Loaded { mode, patients })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_give_ids() {
        let id = |l| id_from_location(l, "Patient");
        assert_eq!(id("Patient/abc/_history/1").as_deref(), Some("abc"));
        assert_eq!(id("http://h/fhir/R4/Patient/x-1").as_deref(), Some("x-1"));
        assert_eq!(id("Observation/abc"), None);
    }
}
