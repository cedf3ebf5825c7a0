//! `cartella bench store`: single-resource create/read latency and batched import throughput on
//! a fresh database, with encryption on and with a null cipher, to show what sealing costs.
//! Prints figures; asserts nothing.

use crate::settings::Settings;
use cartella_core::TenantSlug;
use cartella_store::crypto::{Cipher, MasterKey};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Backend, Store, StoreOptions};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Authentication overhead per request, and logins/s against the latency of other requests
    Auth {
        /// Seconds per load level
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// The staff UI: as-you-type search and chart page with many signed-in sessions, page weight
    Web {
        #[arg(long, default_value_t = 10_000)]
        patients: usize,
        #[arg(long, default_value_t = 200)]
        sessions: usize,
        /// Seconds per workload
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Pause of each session between requests (a person reading the page)
        #[arg(long, default_value_t = 1000)]
        think_ms: u64,
    },
    /// One patient with ten years of history: chart page, clinical tab and vitals charts under load
    Chart {
        #[arg(long, default_value_t = 8)]
        sessions: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Store create/read latency and import throughput, encryption on and off
    Store {
        /// sqlite or postgres
        #[arg(long, default_value = "sqlite")]
        backend: String,
        /// Sequential creates and reads to time
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// Resources to import in batches of 1,000
        #[arg(long, default_value_t = 50_000)]
        import: usize,
        /// PostgreSQL server for --backend postgres (a fresh database is created on it)
        #[arg(
            long,
            env = "CARTELLA_TEST_PG_URL",
            default_value = "postgres://postgres@127.0.0.1/test"
        )]
        pg_url: String,
    },
    /// Load synthetic patients into a FHIR server over HTTP and measure read, create, search,
    /// import or mixed requests (plain FHIR, so other servers can be measured the same way)
    Fhir(super::bench_fhir::Args),
    /// Scheduling: booking throughput with the double-booking constraint, slot search latency
    Planning {
        #[arg(long, default_value_t = 3000)]
        bookings: usize,
        #[arg(long, default_value_t = 300)]
        searches: usize,
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
}

pub async fn run(_settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let (backend, n, import, pg_url) = match command {
        Command::Auth { seconds } => return super::bench_auth::run(seconds).await,
        Command::Web {
            patients,
            sessions,
            seconds,
            think_ms,
        } => {
            return super::bench_web::run(patients, sessions, seconds, think_ms).await;
        }
        Command::Chart { sessions, seconds } => {
            return super::bench_chart::run(sessions, seconds).await;
        }
        Command::Fhir(args) => return super::bench_fhir::run(args).await,
        Command::Planning {
            bookings,
            searches,
            clients,
        } => {
            return super::bench_planning::run(bookings, searches, clients).await;
        }
        Command::Store {
            backend,
            n,
            import,
            pg_url,
        } => (backend, n, import, pg_url),
    };
    println!(
        "store benchmark: backend {backend}, {n} creates and reads, {import} imported, one client at a time"
    );
    // Two interleaved rounds per cipher on fresh databases; the better round of each is kept, so
    // a noisy moment on a shared two-core machine does not decide the comparison.
    let mut best: Vec<Option<Figures>> = vec![None, None];
    for round in 0..2 {
        for (slot, cipher) in [Cipher::Aes256Gcm, Cipher::Null].into_iter().enumerate() {
            let (db, cleanup) = fresh_backend(&backend, &pg_url).await?;
            let r = measure(db, cipher, n, import).await?;
            if let Some(path) = cleanup {
                let _ = std::fs::remove_dir_all(path);
            }
            println!(
                "round {} {:<8} create p50 {:>7.3} ms  p99 {:>7.3} ms | read p50 {:>7.3} ms  p99 {:>7.3} ms | import {:>8.0} resources/s",
                round + 1,
                if cipher == Cipher::Null {
                    "null"
                } else {
                    "aes-gcm"
                },
                r.create.0,
                r.create.1,
                r.read.0,
                r.read.1,
                r.import_per_s
            );
            best[slot] = Some(match best[slot].take() {
                None => r,
                Some(b) => b.best(r),
            });
        }
    }
    let results: Vec<Figures> = best.into_iter().flatten().collect();
    for (name, r) in ["aes-gcm", "null"].iter().zip(&results) {
        println!(
            "best {name:<8} create p50 {:>7.3} ms  p99 {:>7.3} ms | read p50 {:>7.3} ms  p99 {:>7.3} ms | import {:>8.0} resources/s",
            r.create.0, r.create.1, r.read.0, r.read.1, r.import_per_s
        );
    }
    let (enc, null) = (&results[0], &results[1]);
    let pct = |a: f64, b: f64| (a / b - 1.0) * 100.0;
    let (seal_us, open_us, bytes) = crypto_cost();
    println!(
        "AES-256-GCM on a {bytes}-byte Observation: seal {seal_us:.2} µs, open {open_us:.2} µs ({:.1}% of the best encrypted read p50)",
        open_us / (results[0].read.0 * 1000.0) * 100.0
    );
    println!(
        "encryption overhead: create p50 {:+.1}%, read p50 {:+.1}%, import {:+.1}%",
        pct(enc.create.0, null.create.0),
        pct(enc.read.0, null.read.0),
        pct(null.import_per_s, enc.import_per_s)
    );
    Ok(ExitCode::SUCCESS)
}

/// The cipher alone, without the store around it: microseconds per seal and per open.
fn crypto_cost() -> (f64, f64, usize) {
    let key = [7u8; 32];
    let json = serde_json::to_vec(&observation("p1", 1)).unwrap_or_default();
    let rounds = 100_000;
    let t = Instant::now();
    let mut sealed = Vec::new();
    for _ in 0..rounds {
        sealed = Cipher::Aes256Gcm.seal(&key, b"tenant|Observation|id|1|key", &json);
    }
    let seal = t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    let t = Instant::now();
    for _ in 0..rounds {
        let _ = std::hint::black_box(Cipher::Aes256Gcm.open(
            &key,
            b"tenant|Observation|id|1|key",
            &sealed,
        ));
    }
    let open = t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    (seal, open, json.len())
}

struct Figures {
    create: (f64, f64),
    read: (f64, f64),
    import_per_s: f64,
}

impl Figures {
    /// Each figure from whichever run did better.
    fn best(self, other: Figures) -> Figures {
        let min = |a: (f64, f64), b: (f64, f64)| if a.0 <= b.0 { a } else { b };
        Figures {
            create: min(self.create, other.create),
            read: min(self.read, other.read),
            import_per_s: self.import_per_s.max(other.import_per_s),
        }
    }
}

async fn fresh_backend(
    kind: &str,
    pg_url: &str,
) -> anyhow::Result<(Arc<dyn Backend>, Option<std::path::PathBuf>)> {
    match kind {
        "postgres" => {
            let url = cartella_store_pg::testing::fresh_database(pg_url).await?;
            Ok((
                Arc::new(cartella_store_pg::PgBackend::connect(&url, 8).await?),
                None,
            ))
        }
        "sqlite" => {
            let dir = std::env::temp_dir().join(format!(
                "cartella-bench-{}-{}",
                std::process::id(),
                rand::random::<u32>()
            ));
            std::fs::create_dir_all(&dir)?;
            let db = cartella_store_sqlite::SqliteBackend::open(&dir.join("bench.db"), 4)?;
            Ok((Arc::new(db), Some(dir)))
        }
        other => anyhow::bail!("unknown backend '{other}': use sqlite or postgres"),
    }
}

fn observation(patient: &str, i: usize) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": format!("2024-{:02}-{:02}T10:{:02}:00Z", 1 + i % 12, 1 + i % 28, i % 60),
        "valueQuantity": {"value": 60 + (i % 40), "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"},
    })
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    (at(0.50), at(0.99))
}

async fn measure(
    backend: Arc<dyn Backend>,
    cipher: Cipher,
    n: usize,
    import: usize,
) -> anyhow::Result<Figures> {
    let store = Store::open(
        backend,
        MasterKey::generate(),
        StoreOptions {
            cipher,
            ..Default::default()
        },
    )
    .await?;
    let tenant = store
        .create_tenant(&TenantSlug::parse("bench")?, "Bench", "bench")
        .await?;
    let ctx = AccessContext::system(tenant.id, "bench");
    let mut patients = Vec::new();
    for i in 0..50 {
        let p = json!({"resourceType": "Patient", "name": [{"family": format!("Bench{i}"), "given": ["Test"]}], "birthDate": "1970-01-01"});
        patients.push(
            store
                .create(&ctx, "Patient", p, WriteOptions::default())
                .await?
                .resource
                .id,
        );
    }
    for i in 0..200 {
        let body = observation(&patients[i % patients.len()], i);
        store
            .create(&ctx, "Observation", body, WriteOptions::default())
            .await?;
    }
    let mut created = Vec::with_capacity(n);
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let body = observation(&patients[i % patients.len()], i);
        let t = Instant::now();
        let out = store
            .create(&ctx, "Observation", body, WriteOptions::default())
            .await?;
        lat.push(t.elapsed());
        created.push(out.resource.id);
    }
    let create = percentiles(lat);
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let id = &created[(i * 7919) % created.len()];
        let t = Instant::now();
        store.read(&ctx, "Observation", id).await?;
        lat.push(t.elapsed());
    }
    let read = percentiles(lat);
    // Two batches in flight, as an importer pipelines them: one is prepared and sealed while
    // the writer commits the other.
    let t = Instant::now();
    let batches: Vec<Vec<(String, Value)>> = (0..import)
        .step_by(1000)
        .map(|start| {
            (start..(start + 1000).min(import))
                .map(|i| {
                    (
                        "Observation".to_owned(),
                        observation(&patients[i % patients.len()], i),
                    )
                })
                .collect()
        })
        .collect();
    let mut in_flight = tokio::task::JoinSet::new();
    for batch in batches {
        if in_flight.len() == 2 {
            in_flight
                .join_next()
                .await
                .expect("a batch is in flight")??;
        }
        let (store, ctx) = (store.clone(), ctx.clone());
        in_flight.spawn(async move { store.import(&ctx, batch).await.map(|_| ()) });
    }
    while let Some(r) = in_flight.join_next().await {
        r??;
    }
    let import_per_s = import as f64 / t.elapsed().as_secs_f64();
    store.flush_audit().await;
    Ok(Figures {
        create,
        read,
        import_per_s,
    })
}
