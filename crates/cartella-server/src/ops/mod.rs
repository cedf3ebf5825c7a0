//! Operations endpoints: `/health` (liveness and service status), `/ready` (database reachable
//! and schema current) and `/metrics` (Prometheus text).

use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cartella_core::Timestamp;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

async fn health(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    let database = backend.ping().await.is_ok();
    let jobs = backend.job_counts().await.is_ok();
    let up = database && jobs;
    let body = json!({
        "status": if up { "ok" } else { "degraded" },
        "uptime": state.started.elapsed().as_secs(),
        "timestamp": Timestamp::now().to_string(),
        "version": env!("CARGO_PKG_VERSION"),
        "services": {
            "database": { "status": if database { "up" } else { "down" }, "backend": backend.name() },
            "jobs": { "status": if jobs { "up" } else { "down" } },
        },
    });
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    let (ok, detail) = match backend.schema_status().await {
        Ok(s) if s.is_current() => (
            true,
            json!({ "database": "reachable", "schema": s.applied }),
        ),
        Ok(s) => (
            false,
            json!({ "database": "reachable", "schema": s.applied, "expected": s.latest }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (false, json!({ "database": "unreachable" }))
        }
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(json!({ "ready": ok, "checks": detail }))).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    let (open, idle) = backend.pool_stats();
    metrics::gauge!("db_pool_connections", "state" => "open").set(open as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    if let Ok(counts) = backend.job_counts().await {
        use cartella_store::{JobState, Lane};
        for lane in [Lane::Interactive, Lane::Bulk] {
            for st in [
                JobState::Queued,
                JobState::Running,
                JobState::Done,
                JobState::Dead,
            ] {
                metrics::gauge!("job_queue_depth", "lane" => lane.as_str(), "state" => st.as_str())
                    .set(0.0);
            }
        }
        for c in counts {
            metrics::gauge!("job_queue_depth", "lane" => c.lane.as_str(), "state" => c.state.as_str()).set(c.count as f64);
        }
    }
    metrics::gauge!("process_uptime_seconds").set(state.started.elapsed().as_secs_f64());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::handle().render(),
    )
        .into_response()
}
