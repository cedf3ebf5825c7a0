//! The measured workloads: `--concurrency` tasks, each sending one request at a time for the warm-up
//! and `--duration` seconds, over one shared client. A request counts when its answer completed
//! inside the measured window, whenever it started: in a steady state completions per second are
//! the throughput, even for imports whose bundles take seconds (counting only requests that both
//! start and end inside the window would drop about one per task and understate them). Request
//! bodies are built before the clock starts: generating them is not the server's time.

use super::args::{Args, Workload};
use super::data::{self, Record, Rng};
use super::http::{Answer, Target};
use super::load::Patient;
use super::stats::{Tally, excerpt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const WARMUP: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Read = 0,
    Search = 1,
    Create = 2,
    Import = 3,
    Migrate = 4,
}

pub const OP_NAMES: [&str; 5] = ["read", "search", "create", "import", "migrate"];

/// What one run measured, per kind of request, over `seconds`.
pub struct Report {
    pub tallies: [Tally; 5],
    pub seconds: f64,
}

fn pick(workload: Workload, rng: &mut Rng) -> Op {
    match workload {
        Workload::Read => Op::Read,
        Workload::Search => Op::Search,
        Workload::Create => Op::Create,
        Workload::Import => Op::Import,
        Workload::Migrate => Op::Migrate,
        Workload::Mixed => match rng.below(100) {
            0..80 => Op::Read,
            80..90 => Op::Search,
            _ => Op::Create,
        },
    }
}

/// The search of the issue: one patient's heart rates from 2021 on.
pub fn search_path(id: &str) -> String {
    format!(
        "Observation?subject=Patient/{id}&code=http://loinc.org%7C{}&date=ge{}",
        data::SEARCH_CODE,
        data::SEARCH_FROM
    )
}

enum Request {
    Get(String),
    Post(&'static str, Vec<u8>),
}

/// What a task needs to build its requests.
struct Plan<'a> {
    ids: &'a [String],
    args: &'a Args,
    /// The next patient of the generated data that no one loaded or migrated yet.
    next_new: &'a AtomicUsize,
    /// A new patient taken for the last bundle that did not fit in it: it opens the next one.
    carried: Option<usize>,
}

/// A request and the resources it carries (bundles only).
fn prepare(op: Op, rng: &mut Rng, plan: &mut Plan) -> (Request, usize) {
    let get = |path: String| (Request::Get(path), 0);
    let post = |path: &'static str, body: &serde_json::Value, n: usize| {
        (
            Request::Post(path, serde_json::to_vec(body).unwrap_or_default()),
            n,
        )
    };
    match op {
        Op::Read => get(format!("Patient/{}", rng.pick(plan.ids))),
        Op::Search => get(search_path(rng.pick::<String>(plan.ids))),
        Op::Create => {
            let subject = format!("Patient/{}", rng.pick(plan.ids));
            post("Observation", &data::random_observation(rng, &subject), 0)
        }
        Op::Import => {
            let entries: Vec<data::Entry> = (0..plan.args.batch)
                .map(|_| {
                    let subject = format!("Patient/{}", rng.pick(plan.ids));
                    let resource = data::random_observation(rng, &subject);
                    data::Entry {
                        uuid: rng.uuid(),
                        resource,
                    }
                })
                .collect();
            post("", &data::transaction(entries), plan.args.batch)
        }
        Op::Migrate => {
            let entries = migration_entries(plan);
            let n = entries.len();
            post("", &data::transaction(entries), n)
        }
    }
}

/// Whole records of patients not in the server yet, packed as the loader packs them: up to
/// --batch resources, and a record never spans two bundles. Re-running the workload generates
/// the same patients again: new resources, with the names and identifiers of the earlier run's.
fn migration_entries(plan: &mut Plan) -> Vec<data::Entry> {
    let (seed, per) = (plan.args.seed, plan.args.observations_per_patient);
    let mut entries = Vec::new();
    loop {
        let i = match plan.carried.take() {
            Some(i) => i,
            None => plan.next_new.fetch_add(1, Ordering::Relaxed),
        };
        if !entries.is_empty() && entries.len() + data::record_len(seed, i, per) > plan.args.batch {
            plan.carried = Some(i);
            return entries;
        }
        entries.extend(Record::generate(seed, i, per).into_entries());
    }
}

async fn send(target: &Target, request: Request) -> Answer {
    match request {
        Request::Get(path) => target.get(&path, false).await,
        Request::Post(path, body) => target.post(path, body, false).await,
    }
}

pub async fn run(target: Arc<Target>, args: Arc<Args>, patients: &[Patient]) -> Report {
    let ids: Arc<Vec<String>> = Arc::new(patients.iter().map(|p| p.id.clone()).collect());
    let next_new = Arc::new(AtomicUsize::new(args.patients));
    let measure_from = Instant::now() + WARMUP;
    let end = measure_from + Duration::from_secs(args.duration);
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..args.concurrency {
        let (target, args, ids) = (target.clone(), args.clone(), ids.clone());
        let next_new = next_new.clone();
        tasks.spawn(async move {
            let mut rng = Rng::stream(args.seed, data::TASK_STREAM, task as u64);
            let mut tallies: [Tally; 5] = Default::default();
            let mut plan = Plan {
                ids: &ids,
                args: &args,
                next_new: &next_new,
                carried: None,
            };
            while Instant::now() < end {
                let op = pick(args.workload, &mut rng);
                let (request, resources) = prepare(op, &mut rng, &mut plan);
                let started = Instant::now();
                let answer = send(&target, request).await;
                let done = Instant::now();
                if done >= measure_from && done <= end {
                    tallies[op as usize].record(
                        answer.status,
                        done - started,
                        &answer.body,
                        resources,
                    );
                }
            }
            tallies
        });
    }
    let mut tallies: [Tally; 5] = Default::default();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(part) = joined {
            for (all, one) in tallies.iter_mut().zip(&part) {
                all.merge(one);
            }
        }
    }
    Report {
        tallies,
        seconds: args.duration as f64,
    }
}

/// Before measuring searches, check that they answer what was loaded: a server that indexes
/// nothing answers fast and wrongly. Prints what it found; measuring goes on either way.
pub async fn search_check(target: &Target, args: &Args, patients: &[Patient]) {
    let known = patients.iter().find(|p| p.index.is_some());
    let Some(p) = known.or(patients.first()) else {
        return;
    };
    let a = target
        .get(&format!("{}&_count=1000", search_path(&p.id)), true)
        .await;
    if !a.ok() {
        println!(
            "search check: the search answered {}: {}",
            a.status,
            excerpt(&a.body)
        );
        return;
    }
    let json = a.json().unwrap_or_default();
    let got = json["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["resource"]["resourceType"] == "Observation")
        .count();
    match p.index {
        Some(i) => {
            let want =
                Record::generate(args.seed, i, args.observations_per_patient).search_matches();
            let verdict = match got.cmp(&want) {
                std::cmp::Ordering::Equal => "as loaded",
                std::cmp::Ordering::Greater => "more than loaded (creates of earlier runs?)",
                std::cmp::Ordering::Less => "FEWER than loaded: the search is wrong",
            };
            println!(
                "search check: Patient/{} has {want} matching Observations in the generated data, the server returned {got}: {verdict}",
                p.id
            );
        }
        None => println!(
            "search check: Patient/{} has {got} matching Observations (loaded data unknown)",
            p.id
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_is_mostly_reads() {
        let mut rng = Rng::stream(1, 2, 3);
        let mut n = [0usize; 4];
        for _ in 0..10_000 {
            n[pick(Workload::Mixed, &mut rng) as usize] += 1;
        }
        assert!((7_700..8_300).contains(&n[Op::Read as usize]), "{n:?}");
        assert!((800..1_200).contains(&n[Op::Search as usize]), "{n:?}");
        assert!((800..1_200).contains(&n[Op::Create as usize]), "{n:?}");
        assert_eq!(n[Op::Import as usize], 0);
    }

    fn test_args(batch: usize) -> Args {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: Args,
        }
        let batch = batch.to_string();
        Cli::parse_from([
            "t",
            "--url",
            "http://x",
            "--workload",
            "migrate",
            "--batch",
            &batch,
        ])
        .args
    }

    #[test]
    fn migration_bundles_carry_whole_new_records_up_to_the_batch() {
        let args = test_args(120);
        let next_new = AtomicUsize::new(args.patients);
        let mut plan = Plan {
            ids: &[],
            args: &args,
            next_new: &next_new,
            carried: None,
        };
        let mut rng = Rng::stream(1, 2, 3);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3 {
            let (Request::Post("", body), n) = prepare(Op::Migrate, &mut rng, &mut plan) else {
                panic!("a migration is a POST to the base");
            };
            let bundle: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let entry = bundle["entry"].as_array().unwrap();
            assert_eq!(entry.len(), n);
            assert!(n <= 120 && n > 120 - 52, "{n}");
            let patients: Vec<&str> = entry
                .iter()
                .filter(|e| e["resource"]["resourceType"] == "Patient")
                .map(|e| e["fullUrl"].as_str().unwrap())
                .collect();
            // Every reference points at a patient of the same bundle, never at a loaded one.
            for e in entry {
                if let Some(r) = e["resource"]["subject"]["reference"].as_str() {
                    assert!(patients.contains(&r), "{r}");
                }
            }
            for p in patients {
                assert!(seen.insert(p.to_owned()), "{p} sent twice");
            }
        }
        // The patient that did not fit in the last bundle opens the next one.
        let carried = plan.carried.expect("the last bundle left a patient over");
        assert_eq!(carried, args.patients + seen.len());
        assert_eq!(next_new.load(Ordering::Relaxed), carried + 1);
    }

    #[test]
    fn import_bundles_hold_batch_observations_of_loaded_patients() {
        let ids = vec!["a".to_owned(), "b".to_owned()];
        let mut rng = Rng::stream(1, 2, 3);
        let mut args = test_args(7);
        args.workload = Workload::Import;
        let next_new = AtomicUsize::new(0);
        let mut plan = Plan {
            ids: &ids,
            args: &args,
            next_new: &next_new,
            carried: None,
        };
        let (Request::Post("", body), 7) = prepare(Op::Import, &mut rng, &mut plan) else {
            panic!("an import is a POST to the base");
        };
        let bundle: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let entry = bundle["entry"].as_array().unwrap();
        assert_eq!(entry.len(), 7);
        for e in entry {
            let r = e["resource"]["subject"]["reference"].as_str().unwrap();
            assert!(r == "Patient/a" || r == "Patient/b");
        }
    }
}
