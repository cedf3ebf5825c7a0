//! The planning features around booking, on every backend: therapy series, reminders through
//! the outbox (real SMTP listener, real HTTP receiver for SMS) with single-use cancellation
//! links, calendar feeds, day optimisation and the waiting list.

mod feeds;
mod optimise;
mod pages;
mod reminders;
mod series;

use super::planning::{appointment_type, planning, schedule};
use super::*;
use serde_json::json;

/// A GET on the planning API in clinic-a.
pub(super) async fn planning_get(app: &TestApp, path: &str) -> Reply {
    send(
        app.client
            .get(app.url(&format!("/api/v1/planning{path}")))
            .bearer_auth(TOKEN)
            .header("X-Cartella-Tenant", TENANT_A),
    )
    .await
}

/// The `data` of a successful reply (panics with the reply otherwise).
pub(super) fn data(r: &Reply, want: StatusCode) -> Value {
    assert_eq!(r.status, want, "{r:?}");
    r.json()["data"].clone()
}
