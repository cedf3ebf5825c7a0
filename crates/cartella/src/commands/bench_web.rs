//! `cartella bench web`: the staff UI under load on SQLite. A practice of N patients, S signed-in
//! sessions, then the as-you-type patient search and the chart page over real HTTP with the
//! session cookies, and the compressed weight of a page with its CSS and JavaScript.

use super::bench_fhir::stats::Histogram;
use cartella_auth::service::{LoginRequest, NewUser};
use cartella_auth::{Auth, AuthConfig};
use cartella_core::TenantSlug;
use cartella_server::{AppState, ServerConfig};
use cartella_store::crypto::MasterKey;
use cartella_store::{AccessContext, Store, StoreOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Password-42!";
const FAMILIES: &[&str] = &[
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
];
const GIVEN: &[&str] = &[
    "Giulia", "Marco", "Sofia", "Luca", "Aurora", "Matteo", "Chiara", "Paolo", "Camille", "Louis",
    "Emma", "Hugo", "Lea", "Jonas", "Anna", "Felix", "Marie", "Paul", "Elena", "Tommaso",
];

/// A deterministic pseudo-random sequence (no dependency, same data every run).
pub(super) fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn patient(i: u64) -> Value {
    let mut s = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let family = FAMILIES[(next(&mut s) % FAMILIES.len() as u64) as usize];
    let given = GIVEN[(next(&mut s) % GIVEN.len() as u64) as usize];
    let year = 1930 + next(&mut s) % 90;
    let (month, day) = (1 + next(&mut s) % 12, 1 + next(&mut s) % 28);
    json!({
        "resourceType": "Patient", "active": true,
        "name": [{"family": family, "given": [given]}],
        "gender": if i.is_multiple_of(2) { "female" } else { "male" },
        "birthDate": format!("{year:04}-{month:02}-{day:02}"),
        "identifier": [{"system": "urn:cartella:practice-id", "value": format!("P{i:06}")}],
        "telecom": [{"system": "phone", "value": format!("+39 06 {:07}", next(&mut s) % 10_000_000)}],
    })
}

async fn practice(
    n: usize,
    sessions: usize,
) -> anyhow::Result<(
    Arc<Store>,
    Arc<Auth>,
    Vec<String>,
    Vec<String>,
    std::path::PathBuf,
)> {
    let dir = std::env::temp_dir().join(format!("cartella-bench-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let backend = Arc::new(cartella_store_sqlite::SqliteBackend::open(
        &dir.join("bench.db"),
        8,
    )?);
    let store = Store::open(backend, MasterKey::generate(), StoreOptions::default()).await?;
    let tenant = store
        .create_tenant(&TenantSlug::parse("bench")?, "Studio Bench", "bench")
        .await?;
    let ctx = AccessContext::system(tenant.id.clone(), "bench");
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n as u64).collect::<Vec<_>>().chunks(500) {
        let items = chunk
            .iter()
            .map(|i| ("Patient".to_owned(), patient(*i)))
            .collect();
        ids.extend(store.import(&ctx, items).await?.into_iter().map(|r| r.id));
    }
    println!("loaded {n} patients in {:.1} s", t.elapsed().as_secs_f64());
    let auth = Auth::new(
        store.clone(),
        AuthConfig {
            login_per_ip_per_minute: 0,
            login_per_identifier_per_minute: 0,
            per_client_per_hour: 0,
            ..Default::default()
        },
    )
    .await?;
    let users = sessions.min(20);
    for u in 0..users {
        let new = NewUser {
            email: format!("staff{u}@bench.test"),
            name: format!("Staff {u}"),
            roles: "doctor,secretary".into(),
            password: Some(PASSWORD.into()),
            patient_id: None,
            expires_at: None,
        };
        auth.create_user(&ctx, new)
            .await
            .map_err(super::user::explain)?;
    }
    let t = Instant::now();
    let mut cookies = Vec::with_capacity(sessions);
    for s in 0..sessions {
        let login = auth
            .login(LoginRequest {
                email: format!("staff{}@bench.test", s % users),
                password: PASSWORD.into(),
                practice: None,
                client_ip: None,
                user_agent: None,
            })
            .await
            .map_err(super::user::explain)?;
        cookies.push(format!("cartella_session={}", login.cookie));
    }
    println!(
        "signed in {sessions} sessions in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok((store, auth, ids, cookies, dir))
}

/// One loop per session requesting `path(i)` for `seconds`; each session pauses `think` (±50 %)
/// between requests, as a person reading the page does (zero: as fast as the server answers).
pub(super) async fn load(
    base: &str,
    cookies: &[String],
    seconds: u64,
    think: Duration,
    path: impl Fn(u64) -> String + Send + Sync + 'static,
) -> (Histogram, u64, f64) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(cookies.len())
        .build()
        .expect("client");
    let path = Arc::new(path);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (n, cookie) in cookies.iter().enumerate() {
        let (http, base, cookie, path) =
            (http.clone(), base.to_owned(), cookie.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let (mut h, mut errors, mut seed) = (Histogram::default(), 0u64, n as u64 * 7919 + 1);
            // Sessions start spread over one pause, not all at once.
            tokio::time::sleep(think.mul_f64((n % 100) as f64 / 100.0)).await;
            while Instant::now() < deadline {
                let url = format!("{base}{}", path(next(&mut seed)));
                let t = Instant::now();
                match http.get(&url).header("cookie", &cookie).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        h.record(t.elapsed());
                    }
                    _ => errors += 1,
                }
                let jitter = 0.5 + (next(&mut seed) % 1000) as f64 / 1000.0;
                tokio::time::sleep(think.mul_f64(jitter)).await;
            }
            (h, errors)
        }));
    }
    let (mut all, mut errors) = (Histogram::default(), 0);
    for t in tasks {
        if let Ok((h, e)) = t.await {
            all.merge(&h);
            errors += e;
        }
    }
    (all, errors, start.elapsed().as_secs_f64())
}

fn report(name: &str, (h, errors, secs): (Histogram, u64, f64)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} {:>8.0} req/s  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  ({} ok, {errors} errors)",
        h.count() as f64 / secs,
        ms(h.quantile(0.5)),
        ms(h.quantile(0.95)),
        ms(h.quantile(0.99)),
        h.count()
    );
}

/// Compressed bytes of a page and the stylesheet and scripts it loads.
async fn page_weight(base: &str, cookie: &str, path: &str) -> anyhow::Result<usize> {
    let http = reqwest::Client::new();
    let get = |url: String| {
        http.get(url)
            .header("cookie", cookie)
            .header("accept-encoding", "gzip")
            .send()
    };
    // Without its gzip feature reqwest hands over the compressed bytes as they came.
    let mut total = get(format!("{base}{path}")).await?.bytes().await?.len();
    let text = http
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await?
        .text()
        .await?;
    for asset in text
        .split("\"/assets/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        if asset.ends_with(".css") || asset.ends_with(".js") {
            total += get(format!("{base}/assets/{asset}"))
                .await?
                .bytes()
                .await?
                .len();
        }
    }
    Ok(total)
}

pub async fn run(
    patients: usize,
    sessions: usize,
    seconds: u64,
    think_ms: u64,
) -> anyhow::Result<std::process::ExitCode> {
    let (store, auth, ids, cookies, dir) = practice(patients, sessions).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState {
        store: store.clone(),
        auth,
        config: Arc::new(ServerConfig {
            max_body_bytes: 1 << 20,
            service_token: None,
            public_url: base.clone(),
        }),
        started: Instant::now(),
    };
    tokio::spawn(cartella_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let prefix = |i: u64| {
        let f = FAMILIES[(i % FAMILIES.len() as u64) as usize].to_lowercase();
        let len = 3 + (i / 7 % 3) as usize;
        format!(
            "/patients/search?q={}",
            f.chars().take(len).collect::<String>().replace(' ', "+")
        )
    };
    let ids = Arc::new(ids);
    for think in [Duration::from_millis(think_ms), Duration::ZERO] {
        if think.is_zero() {
            println!(
                "saturation: {sessions} sessions without pauses (latency is queueing at full load)"
            );
        } else {
            println!(
                "{sessions} sessions, each a request every {think_ms} ms ±50 %, {seconds} s per workload, SQLite, server and load on this machine"
            );
        }
        report(
            "search as you type",
            load(&base, &cookies, seconds, think, prefix).await,
        );
        let chart_ids = ids.clone();
        let chart = move |i: u64| {
            format!(
                "/patients/{}",
                chart_ids[(i % chart_ids.len() as u64) as usize]
            )
        };
        report(
            "chart page (timeline)",
            load(&base, &cookies, seconds, think, chart).await,
        );
        let list = |_| "/patients".to_owned();
        report(
            "registry list page",
            load(&base, &cookies, seconds, think, list).await,
        );
    }
    for path in ["/", &format!("/patients/{}", ids[0]), "/patients"] {
        let kb = page_weight(&base, &cookies[0], path).await? as f64 / 1024.0;
        println!("page weight {path:<45} {kb:>6.1} KB compressed (HTML + CSS + JS)");
    }
    store.flush_audit().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(std::process::ExitCode::SUCCESS)
}
