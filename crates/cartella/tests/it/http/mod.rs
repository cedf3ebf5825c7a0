//! HTTP tests against the real server: each test opens a store on every world, binds
//! `127.0.0.1:0`, serves the real router on it and talks to it with a real HTTP client.

mod anamnesis;
mod audit;
mod auth;
mod bad_input;
mod clinical_api;
mod clinical_pages;
mod corruption;
mod cross_tenant;
mod exams;
mod fhir_bundles;
mod fhir_conditional;
mod fhir_conditional_races;
mod fhir_crud;
mod fhir_everything;
mod fhir_examples;
mod fhir_export;
mod fhir_has;
mod fhir_include;
mod fhir_modifiers;
mod fhir_sort;
mod fhir_spec_params;
mod fhir_validate;
mod identity;
mod isolation;
mod labs;
mod ops;
mod password_reset;
mod patients_api;
mod planning;
mod planning_more;
mod rbac;
mod scheduling_pages;
mod search;
mod web;

use crate::support::{self, World};
use cartella_server::auth::Secret;
use cartella_server::{AppState, ServerConfig};
use cartella_store::crypto::MasterKey;
use cartella_store::{AccessContext, Store};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::oneshot;

/// The service token every test server accepts.
pub const TOKEN: &str = "http-test-service-token-0123456789abcdef";
/// The practice requests act in unless they say otherwise.
pub const TENANT_A: &str = "clinic-a";
pub const TENANT_B: &str = "clinic-b";

/// A running server on one world, with its store and an HTTP client.
pub struct TestApp {
    pub auth_service: Arc<cartella_auth::Auth>,
    /// The backend's name, for assertion messages.
    pub backend: &'static str,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` (also the server's public URL).
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<Store>,
    pub tenant_a: AccessContext,
    pub tenant_b: AccessContext,
    shutdown: Option<oneshot::Sender<()>>,
}

pub async fn spawn_app(world: &World) -> TestApp {
    spawn_app_with_limit(world, 64 * 1024).await
}

/// A server that accepts bodies up to `max_body_bytes` (the official examples hold bundles of
/// 35 MB).
pub async fn spawn_app_with_limit(world: &World, max_body_bytes: usize) -> TestApp {
    spawn_app_configured(world, max_body_bytes, test_auth_config()).await
}

/// A server with its own identity settings (timeouts, limits).
pub async fn spawn_app_configured(
    world: &World,
    max_body_bytes: usize,
    auth_config: cartella_auth::AuthConfig,
) -> TestApp {
    let store = support::open_store(world, &MasterKey::generate()).await;
    let tenant_a = support::tenant(&store, TENANT_A).await;
    let tenant_b = support::tenant(&store, TENANT_B).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let base = format!("http://{addr}");
    let auth = cartella_auth::Auth::new(store.clone(), auth_config)
        .await
        .expect("auth service");
    let state = AppState {
        store: store.clone(),
        auth: auth.clone(),
        config: Arc::new(ServerConfig {
            max_body_bytes,
            service_token: Some(Secret::new(TOKEN.to_owned())),
            public_url: base.clone(),
        }),
        started: Instant::now(),
    };
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        if let Err(e) = cartella_server::serve(listener, state, shutdown).await {
            eprintln!("test server stopped with an error: {e}");
        }
    });
    // The listener is bound before `serve` runs, so connections queue until it accepts them:
    // nothing to wait for.
    TestApp {
        auth_service: auth,
        backend: world.name,
        addr,
        base,
        client: reqwest::Client::new(),
        store,
        tenant_a,
        tenant_b,
        shutdown: Some(tx),
    }
}

impl TestApp {
    pub fn auth(&self) -> &cartella_auth::Auth {
        &self.auth_service
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A response read in full, so that assertions can show the body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}), status {}: {:?}",
                self.status, self.text
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The diagnostics of the first issue, after checking that the body is an OperationOutcome.
    pub fn outcome_diagnostics(&self) -> String {
        let body = self.json();
        assert_eq!(
            body["resourceType"], "OperationOutcome",
            "expected an OperationOutcome, got {}",
            self.text
        );
        let issue = &body["issue"][0];
        assert!(
            issue["severity"].is_string() && issue["code"].is_string(),
            "issue lacks severity/code: {}",
            self.text
        );
        issue["diagnostics"].as_str().unwrap_or_default().to_owned()
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text)
    }
}

pub async fn send(req: RequestBuilder) -> Reply {
    let resp = req
        .send()
        .await
        .expect("request failed at the transport level");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("read body");
    Reply {
        status,
        headers,
        text,
    }
}

impl TestApp {
    /// `path` is either absolute (a link the server returned) or relative to the server.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") {
            path.to_owned()
        } else {
            format!("http://{}{path}", self.addr)
        }
    }

    pub fn fhir_url(&self, path: &str) -> String {
        format!("{}/fhir/R4/{}", self.base, path.trim_start_matches('/'))
    }

    /// A request with the token, acting in `tenant`; `path` is below `/fhir/R4/` unless it is
    /// an absolute URL.
    pub fn request_as(&self, tenant: &str, method: Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http://") {
            path.to_owned()
        } else {
            self.fhir_url(path)
        };
        self.client
            .request(method, url)
            .bearer_auth(TOKEN)
            .header("X-Cartella-Tenant", tenant)
    }

    /// A request with the token, acting in clinic-a.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.request_as(TENANT_A, method, path)
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    pub async fn get_as(&self, tenant: &str, path: &str) -> Reply {
        send(self.request_as(tenant, Method::GET, path)).await
    }

    pub fn post(&self, path: &str, body: &Value) -> RequestBuilder {
        self.request(Method::POST, path)
            .header("Content-Type", "application/fhir+json")
            .body(body.to_string())
    }

    pub fn put(&self, path: &str, body: &Value) -> RequestBuilder {
        self.request(Method::PUT, path)
            .header("Content-Type", "application/fhir+json")
            .body(body.to_string())
    }

    /// Create a resource in clinic-a, expecting 201; returns the stored body.
    pub async fn create(&self, rtype: &str, body: &Value) -> Value {
        let r = send(self.post(rtype, body)).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}: create {rtype}: {r:?}",
            self.backend
        );
        r.json()
    }

    /// Create and return the server's id.
    pub async fn create_id(&self, rtype: &str, body: &Value) -> String {
        let created = self.create(rtype, body).await;
        created["id"]
            .as_str()
            .expect("created resource has an id")
            .to_owned()
    }

    /// GET /health must answer 200: the server is still serving.
    pub async fn assert_healthy(&self, after: &str) {
        let r = send(self.client.get(self.url("/health"))).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: /health after {after}: {r:?}",
            self.backend
        );
    }

    /// Every version the system history of clinic-a lists, as `Type/id/version`.
    pub async fn all_versions(&self) -> Vec<String> {
        let r = self.get("_history?_count=1000").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: system history: {r:?}",
            self.backend
        );
        entries(&r.json())
            .iter()
            .map(|e| {
                let url = e["fullUrl"].as_str().unwrap_or_default();
                let tail = url.rsplit("/fhir/R4/").next().unwrap_or_default();
                format!(
                    "{tail}/{}",
                    e["response"]["etag"].as_str().unwrap_or_default()
                )
            })
            .collect()
    }

    /// Follow a search through every `next` link; returns the ids of every match, in order,
    /// and how many pages it took.
    pub async fn search_all(&self, tenant: &str, query: &str) -> (Vec<String>, usize) {
        let mut url = self.fhir_url(query);
        let mut ids = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            assert!(
                pages <= 200,
                "{}: paging does not end ({query})",
                self.backend
            );
            let r = self.get_as(tenant, &url).await;
            assert_eq!(r.status, StatusCode::OK, "{}: {url}: {r:?}", self.backend);
            let bundle = r.json();
            ids.extend(match_ids(&bundle));
            match next_link(&bundle) {
                Some(next) => url = next,
                None => break,
            }
        }
        (ids, pages)
    }
}

/// The entries of a bundle (an empty list when there are none).
pub fn entries(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["resourceType"], "Bundle", "not a bundle: {bundle}");
    bundle["entry"].as_array().cloned().unwrap_or_default()
}

/// The `response.status` of every entry of a batch or transaction response.
pub fn entry_statuses(bundle: &Value) -> Vec<String> {
    entries(bundle)
        .iter()
        .map(|e| {
            e["response"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Ids of the entries that are search matches.
pub fn match_ids(bundle: &Value) -> Vec<String> {
    entries(bundle)
        .iter()
        .filter(|e| e["search"]["mode"] != "outcome")
        .map(|e| e["resource"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub fn next_link(bundle: &Value) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == "next")
        .and_then(|l| l["url"].as_str())
        .map(str::to_owned)
}

/// The ids a search (one page) matches; it must answer 200.
pub async fn ids(app: &TestApp, query: &str) -> HashSet<String> {
    let r = app.get(query).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {query}: {r:?}", app.backend);
    set(&match_ids(&r.json()))
}

pub fn set(ids: &[String]) -> HashSet<String> {
    ids.iter().cloned().collect()
}

pub fn patient(family: &str, given: &str, birth_date: &str, mrn: &str) -> Value {
    serde_json::json!({
        "resourceType": "Patient",
        "identifier": [{"system": "http://example.org/mrn", "value": mrn}],
        "name": [{"family": family, "given": [given]}],
        "gender": "female",
        "birthDate": birth_date,
    })
}

pub fn observation(patient_id: &str, system: &str, code: &str, when: &str) -> Value {
    serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": format!("Patient/{patient_id}")},
        "effectiveDateTime": when,
        "valueQuantity": {"value": 72, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"},
    })
}

pub const LOINC: &str = "http://loinc.org";
pub const HEART_RATE: &str = "8867-4";

/// Production rules with a cheaper Argon2 (the hashing cost is measured by the benchmark, not
/// by tests).
pub fn test_auth_config() -> cartella_auth::AuthConfig {
    cartella_auth::AuthConfig {
        argon2_memory_kib: 1024,
        hash_parallelism: 2,
        ..Default::default()
    }
}
