//! `cartella bench planning`: scheduling on SQLite with the double-booking constraint on. A
//! practice of 50 practitioners, 20 rooms and 5 theatres with 3 months of bookings, then over
//! real HTTP: booking throughput (`/planning/book`, concurrent clients, each on free time) and
//! slot search / availability latency. Prints figures; asserts nothing.

use super::bench_fhir::stats::Histogram;
use cartella_core::TenantSlug;
use cartella_server::auth::Secret;
use cartella_server::{AppState, ServerConfig};
use cartella_store::crypto::MasterKey;
use cartella_store::store::Write;
use cartella_store::{AccessContext, Store, StoreOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

const TOKEN: &str = "bench-planning-service-token-0123456789";
const PRACTITIONERS: usize = 50;
const ROOMS: usize = 20;
const THEATRES: usize = 5;
/// Visits per practitioner per working day in the preloaded months (30 min every 40 min).
const PER_DAY: usize = 12;
const PATIENTS: usize = PRACTITIONERS * PER_DAY;

fn schedule(actor: &str, role: &str) -> Value {
    json!({
        "resourceType": "Schedule", "active": true, "actor": [{"reference": actor}],
        "serviceType": [{"coding": [{"system": "https://cartella.dev/fhir/CodeSystem/resource-role", "code": role}]}],
        "extension": [{"url": "https://cartella.dev/fhir/StructureDefinition/weekly-hours", "valueString": "mon-fri 08:00-18:00"}],
    })
}

/// Working days (Mon–Fri) from 2027-01-04 on.
fn working_days(n: usize) -> Vec<jiff::civil::Date> {
    let mut d = jiff::civil::date(2027, 1, 4);
    let mut out = Vec::new();
    while out.len() < n {
        if d.weekday().to_monday_one_offset() <= 5 {
            out.push(d);
        }
        d = d.tomorrow().expect("date in range");
    }
    out
}

fn visit(p: usize, patient: &str, day: jiff::civil::Date, k: usize) -> Value {
    let start = day.at(8, 0, 0, 0) + jiff::Span::new().minutes(40 * k as i64);
    let end = start + jiff::Span::new().minutes(30);
    json!({
        "resourceType": "Appointment", "status": "booked",
        "start": format!("{}+01:00", start.strftime("%Y-%m-%dT%H:%M:%S")),
        "end": format!("{}+01:00", end.strftime("%Y-%m-%dT%H:%M:%S")),
        "appointmentType": {"coding": [{"system": "https://cartella.dev/fhir/CodeSystem/appointment-type", "code": "visit"}]},
        "participant": [
            {"actor": {"reference": format!("Patient/{patient}")}, "status": "accepted"},
            {"actor": {"reference": format!("Practitioner/p{p}")}, "status": "accepted"},
        ],
    })
}

async fn practice(
    dir: &std::path::Path,
) -> anyhow::Result<(Arc<Store>, AccessContext, Vec<String>)> {
    let backend = Arc::new(cartella_store_sqlite::SqliteBackend::open(
        &dir.join("bench.db"),
        8,
    )?);
    let store = Store::open(backend, MasterKey::generate(), StoreOptions::default()).await?;
    let tenant = store
        .create_tenant(&TenantSlug::parse("bench")?, "Studio Bench", "bench")
        .await?;
    let ctx = AccessContext::system(tenant.id.clone(), "bench");
    let mut items: Vec<(String, Value)> = Vec::new();
    items.extend((0..PRACTITIONERS).map(|i| {
        (
            "Schedule".to_owned(),
            schedule(&format!("Practitioner/p{i}"), "visit"),
        )
    }));
    items.extend((0..ROOMS).map(|i| {
        (
            "Schedule".to_owned(),
            schedule(&format!("Location/room{i}"), "room"),
        )
    }));
    items.extend((0..THEATRES).map(|i| {
        (
            "Schedule".to_owned(),
            schedule(&format!("Location/theatre{i}"), "theatre"),
        )
    }));
    items.push(("ActivityDefinition".to_owned(), json!({"resourceType": "ActivityDefinition", "status": "active", "kind": "Appointment",
        "code": {"coding": [{"code": "visit"}]}, "timingDuration": {"value": 30, "unit": "min"},
        "extension": [{"url": "https://cartella.dev/fhir/StructureDefinition/required-role", "valueCode": "visit"}]})));
    store.import(&ctx, items).await?;
    let patients: Vec<(String, Value)> = (0..PATIENTS)
        .map(|i| ("Patient".to_owned(), json!({"resourceType": "Patient", "name": [{"family": format!("Bench{i}"), "given": ["Test"]}], "birthDate": "1970-01-01"})))
        .collect();
    let ids: Vec<String> = store
        .import(&ctx, patients)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    // Three months of visits (65 working days), written like any booking (bookings rows and all).
    let t = Instant::now();
    let mut batch = Vec::new();
    let mut count = 0;
    for day in working_days(65) {
        for p in 0..PRACTITIONERS {
            for k in 0..PER_DAY {
                let id = cartella_core::ResourceId::new_v7().as_str().to_owned();
                let mut body = visit(p, &ids[p * PER_DAY + k], day, k);
                body["id"] = json!(id);
                batch.push(Write::Put {
                    rtype: "Appointment".into(),
                    id,
                    body,
                    if_match: None,
                });
                if batch.len() == 500 {
                    count += batch.len();
                    store.write_all(&ctx, std::mem::take(&mut batch)).await?;
                }
            }
        }
    }
    count += batch.len();
    store.write_all(&ctx, batch).await?;
    println!(
        "preloaded {count} appointments (3 months) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok((store, ctx, ids))
}

fn report(name: &str, h: &Histogram, errors: u64, secs: f64) {
    println!(
        "{name:<34} {:>6} req  {:>7.0}/s  p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms  errors {errors}",
        h.count(),
        h.count() as f64 / secs,
        h.quantile(0.50).as_secs_f64() * 1e3,
        h.quantile(0.95).as_secs_f64() * 1e3,
        h.quantile(0.99).as_secs_f64() * 1e3,
    );
}

/// `n` requests from `clients` concurrent clients; `make(i)` gives (path, body) of request i.
async fn load(
    base: &str,
    clients: usize,
    n: usize,
    make: Arc<dyn Fn(usize) -> (String, Option<Value>) + Send + Sync>,
) -> (Histogram, u64, f64) {
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, make) = (http.clone(), base.to_owned(), make.clone());
        tasks.push(tokio::spawn(async move {
            let (mut h, mut errors) = (Histogram::default(), 0u64);
            let mut i = c;
            while i < n {
                let (path, body) = make(i);
                let req = match &body {
                    Some(b) => http.post(format!("{base}{path}")).json(b),
                    None => http.get(format!("{base}{path}")),
                };
                let s = Instant::now();
                let ok = match req
                    .bearer_auth(TOKEN)
                    .header("X-Cartella-Tenant", "bench")
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                h.record(s.elapsed());
                errors += u64::from(!ok);
                i += clients;
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
    (all, errors, t.elapsed().as_secs_f64())
}

pub async fn run(
    bookings: usize,
    searches: usize,
    clients: usize,
) -> anyhow::Result<std::process::ExitCode> {
    let dir = std::env::temp_dir().join(format!("cartella-bench-planning-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (store, _ctx, ids) = practice(&dir).await?;
    let auth = cartella_auth::Auth::new(
        store.clone(),
        cartella_auth::AuthConfig {
            per_client_per_hour: 0,
            ..Default::default()
        },
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState {
        store: store.clone(),
        auth,
        config: Arc::new(ServerConfig {
            max_body_bytes: 1 << 20,
            service_token: Some(Secret::new(TOKEN.to_owned())),
            public_url: base.clone(),
        }),
        started: Instant::now(),
    };
    tokio::spawn(cartella_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    println!(
        "{PRACTITIONERS} practitioners, {ROOMS} rooms, {THEATRES} theatres, SQLite, {clients} clients, server and load on this machine"
    );

    // Bookings on free time after the preloaded months: each (practitioner, day, slot) once.
    let later =
        Arc::new(working_days(65 + bookings / (PRACTITIONERS * PER_DAY) + 1)[65..].to_vec());
    let patients = Arc::new(ids);
    let (days, pats) = (later.clone(), patients.clone());
    let book = Arc::new(move |i: usize| {
        let (p, k, d) = (
            i % PRACTITIONERS,
            i / PRACTITIONERS % PER_DAY,
            i / (PRACTITIONERS * PER_DAY),
        );
        let start = days[d].at(8, 0, 0, 0) + jiff::Span::new().minutes(40 * k as i64);
        let body = json!({"type": "visit", "start": start.strftime("%Y-%m-%dT%H:%M").to_string(),
            "patient": format!("Patient/{}", pats[p * PER_DAY + k]), "resources": [format!("Practitioner/p{p}")]});
        ("/api/v1/planning/book".to_owned(), Some(body))
    });
    let (h, e, s) = load(&base, clients, bookings, book).await;
    report("book (HTTP, constraint on)", &h, e, s);

    let pats = patients.clone();
    let slots = Arc::new(move |i: usize| {
        let day = working_days(20 + i % 40)[19 + i % 40];
        let to = day + jiff::Span::new().days(6);
        let body = json!({"type": "visit", "from": day.to_string(), "to": to.to_string(), "limit": 10,
            "patient": format!("Patient/{}", pats[i % pats.len()]), "preferred": [format!("Practitioner/p{}", i % PRACTITIONERS)]});
        ("/api/v1/planning/slots".to_owned(), Some(body))
    });
    let (h, e, s) = load(&base, clients, searches, slots).await;
    report("slot search (1 week, 50 practitioners)", &h, e, s);
    let avail = Arc::new(move |i: usize| {
        let day = working_days(20 + i % 40)[19 + i % 40];
        let to = day + jiff::Span::new().days(6);
        (
            format!(
                "/api/v1/planning/availability?resource=Practitioner/p{}&resource=Location/room{}&from={day}&to={to}",
                i % PRACTITIONERS,
                i % ROOMS
            ),
            None,
        )
    });
    let (h, e, s) = load(&base, clients, searches, avail).await;
    report("availability (2 resources, 1 week)", &h, e, s);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(std::process::ExitCode::SUCCESS)
}
