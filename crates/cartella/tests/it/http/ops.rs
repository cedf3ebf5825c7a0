//! Operations endpoints: `/health`, `/ready` and `/metrics`.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn health_reports_ok_with_database_up() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let r = send(app.client.get(app.url("/health"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", w.name);
        let ct = r.header("content-type").unwrap_or_default();
        assert!(
            ct.starts_with("application/json"),
            "{}: content type {ct}",
            w.name
        );
        let body = r.json();
        assert_eq!(body["status"], "ok", "{}: {body}", w.name);
        assert!(
            body["uptime"].is_u64(),
            "{}: uptime is a number of seconds: {body}",
            w.name
        );
        let ts = body["timestamp"].as_str().unwrap_or_default();
        assert!(
            ts.len() >= 20 && ts.starts_with("20") && ts.contains('T'),
            "{}: timestamp is an instant: {body}",
            w.name
        );
        assert_eq!(
            body["services"]["database"]["status"], "up",
            "{}: {body}",
            w.name
        );
    }
}

#[tokio::test]
async fn ready_when_database_is_migrated() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let r = send(app.client.get(app.url("/ready"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", w.name);
        assert_eq!(r.json()["ready"], true, "{}: {r:?}", w.name);
    }
}

#[tokio::test]
async fn metrics_label_routes_by_pattern_not_by_id() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let created = app
            .create(
                "Patient",
                &patient("Metrici", "Ada", "1990-01-02", "MRN-M1"),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let read = app.get(&format!("Patient/{id}")).await;
        assert_eq!(read.status, StatusCode::OK, "{}: {read:?}", w.name);

        let r = send(app.client.get(app.url("/metrics"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", w.name);
        let ct = r.header("content-type").unwrap_or_default();
        assert!(
            ct.starts_with("text/plain"),
            "{}: Prometheus text, got {ct}",
            w.name
        );
        let text = &r.text;
        let requests: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("http_requests_total{"))
            .collect();
        let has = |route: &str, method: &str, status: &str| {
            requests.iter().any(|l| {
                l.contains(&format!("route=\"{route}\""))
                    && l.contains(&format!("method=\"{method}\""))
                    && l.contains(&format!("status=\"{status}\""))
            })
        };
        assert!(
            has("/fhir/R4/{rtype}", "POST", "201"),
            "{}: no create counted by pattern in:\n{}",
            w.name,
            requests.join("\n")
        );
        assert!(
            has("/fhir/R4/{rtype}/{id}", "GET", "200"),
            "{}: no read counted by pattern in:\n{}",
            w.name,
            requests.join("\n")
        );
        assert!(
            !text.contains(&id),
            "{}: a concrete id leaked into /metrics",
            w.name
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("http_request_duration_seconds")),
            "{}: no latency histogram",
            w.name
        );
        assert!(
            text.lines().any(|l| l.starts_with("job_queue_depth{")),
            "{}: no job_queue_depth in:\n{text}",
            w.name
        );
        assert!(
            text.lines().any(|l| l.starts_with("db_pool_connections{")),
            "{}: no db_pool_connections in:\n{text}",
            w.name
        );
    }
}
