//! Lab orders and results, anamnesis and device imports over HTTP on every backend.

mod orders_api;
mod pages;

use super::*;
use crate::http::clinical_api::{count, field_errors, new_patient};
use crate::http::rbac::{Session, call as call_as, new_user, sign_in};
use crate::support::worlds;
use serde_json::json;

/// `call_as` expecting `status`; returns `data`.
pub(super) async fn expect_as(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: Option<&Value>,
    status: StatusCode,
) -> Value {
    let r = call_as(app, s, method.clone(), &format!("/api/v1{path}"), body).await;
    assert_eq!(r.status, status, "{}: {method} {path}: {r:?}", app.backend);
    r.json()["data"].clone()
}

/// `call_as` to `/api/v1{path}`, the raw reply.
pub(super) async fn reply_as(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: &Value,
) -> Reply {
    call_as(app, s, method, &format!("/api/v1{path}"), Some(body)).await
}
