//! `cartella bench auth`: what authentication costs a request (token and session checks, in
//! process), and how many logins per second (Argon2id at production parameters, on the bounded
//! pool) the machine sustains while other requests keep being served, with their latency.

use cartella_auth::service::{ClientRegistration, LoginRequest, NewUser};
use cartella_auth::{Auth, AuthConfig};
use cartella_core::TenantSlug;
use cartella_server::{AppState, ServerConfig};
use cartella_store::crypto::MasterKey;
use cartella_store::{Store, StoreOptions};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Password-42!";

fn pct(mut v: Vec<Duration>, q: f64) -> f64 {
    v.sort_unstable();
    v.get(((v.len() as f64 - 1.0) * q) as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub async fn run(seconds: u64) -> anyhow::Result<std::process::ExitCode> {
    let dir = std::env::temp_dir().join(format!("cartella-bench-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let backend = Arc::new(cartella_store_sqlite::SqliteBackend::open(
        &dir.join("bench.db"),
        8,
    )?);
    let store = Store::open(backend, MasterKey::generate(), StoreOptions::default()).await?;
    let tenant = store
        .create_tenant(&TenantSlug::parse("bench")?, "Bench", "bench")
        .await?;
    let ctx = cartella_store::AccessContext::system(tenant.id.clone(), "bench");
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
    for i in 0..8 {
        let u = NewUser {
            email: format!("user{i}@bench.test"),
            name: "Bench".into(),
            roles: "doctor".into(),
            password: Some(PASSWORD.into()),
            patient_id: None,
            expires_at: None,
        };
        auth.create_user(&ctx, u)
            .await
            .map_err(super::user::explain)?;
    }
    let patient = store
        .create(
            &ctx,
            "Patient",
            json!({"resourceType": "Patient", "name": [{"family": "Bench"}]}),
            Default::default(),
        )
        .await?
        .resource
        .id;
    let reg = ClientRegistration {
        name: "bench".into(),
        scopes: "system/*.read".into(),
        redirect_uris: vec![],
        public: false,
        rate_limit: Some(0),
    };
    let (client, secret) = auth
        .register_client(&ctx, reg)
        .await
        .map_err(super::user::explain)?;
    let token = auth
        .client_credentials(&client.id, secret.as_deref(), None)
        .await
        .map_err(super::user::explain)?
        .access_token;
    let login = auth
        .login(LoginRequest {
            email: "user0@bench.test".into(),
            password: PASSWORD.into(),
            practice: None,
            client_ip: None,
            user_agent: None,
        })
        .await
        .map_err(super::user::explain)?;

    // 1. The checks alone.
    let mut token_lat = Vec::new();
    let mut session_lat = Vec::new();
    for _ in 0..5_000 {
        let t = Instant::now();
        auth.authenticate_token(&token, None, None)
            .await
            .map_err(super::user::explain)?;
        token_lat.push(t.elapsed());
        let t = Instant::now();
        let info = auth
            .session(&login.cookie, false)
            .await
            .map_err(super::user::explain)?;
        auth.session_context(&info)
            .await
            .map_err(super::user::explain)?;
        session_lat.push(t.elapsed());
    }
    println!(
        "auth overhead per request: bearer token p50 {:.3} ms p99 {:.3} ms | session cookie p50 {:.3} ms p99 {:.3} ms",
        pct(token_lat.clone(), 0.5),
        pct(token_lat, 0.99),
        pct(session_lat.clone(), 0.5),
        pct(session_lat, 0.99)
    );

    // 2. Logins against reads over HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState {
        store: store.clone(),
        auth: auth.clone(),
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
    let http = reqwest::Client::new();
    for logins in [0usize, 1, 2, 4] {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..logins {
            let (http, base, stop, done) = (http.clone(), base.clone(), stop.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let r = http.post(format!("{base}/api/v1/auth/login")).json(&json!({"email": format!("user{}@bench.test", i % 8), "password": PASSWORD})).send().await;
                    if r.is_ok_and(|r| r.status().is_success()) {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        let mut reads = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(seconds) {
            let t = Instant::now();
            let r = http
                .get(format!("{base}/fhir/R4/Patient/{patient}"))
                .bearer_auth(&token)
                .send()
                .await?;
            r.bytes().await?;
            reads.push(t.elapsed());
        }
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "{logins} login loop(s): {:>6.1} logins/s while reads p50 {:.2} ms p95 {:.2} ms ({} reads)",
            done.load(Ordering::Relaxed) as f64 / elapsed,
            pct(reads.clone(), 0.5),
            pct(reads.clone(), 0.95),
            reads.len()
        );
    }
    store.flush_audit().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(std::process::ExitCode::SUCCESS)
}
