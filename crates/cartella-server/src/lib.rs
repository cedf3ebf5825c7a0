//! Cartella's HTTP server: one module per surface, each exporting `router()`; they all call the
//! same [`Store`], so the surfaces can never disagree.
#![forbid(unsafe_code)]

pub mod anamnesis;
pub mod api;
pub mod auth;
pub mod clinical;
pub mod exams;
pub mod fhir;
pub mod jobs;
pub mod labs;
pub mod metrics;
pub mod oauth;
pub mod ops;
pub mod patients;
pub mod scheduling;
pub mod web;

use axum::Router;
use cartella_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// What the server needs from the settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest accepted request body; larger bodies get 413.
    pub max_body_bytes: usize,
    /// Bearer token of the built-in service account (until OAuth2 clients exist).
    pub service_token: Option<auth::Secret>,
    /// Absolute base URL used in `Location` headers and bundle links (no trailing slash).
    pub public_url: String,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub auth: Arc<cartella_auth::Auth>,
    pub config: Arc<ServerConfig>,
    pub started: Instant,
}

pub fn router(state: AppState) -> Router {
    // Install the recorder before the first request is counted.
    metrics::handle();
    Router::new()
        .merge(ops::router())
        .merge(fhir::base_router(state.config.max_body_bytes))
        .nest("/fhir/R4", fhir::router(state.config.max_body_bytes))
        .nest("/api/v1", api::router())
        .merge(oauth::router())
        .merge(web::router())
        .layer(axum::middleware::from_fn(metrics::track))
        // A panicking handler costs its request a 500, never the connection or the server.
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// Serve until `shutdown` resolves; returns once in-flight requests are done.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
