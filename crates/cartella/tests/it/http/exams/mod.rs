//! Guided examinations, labs, anamnesis and device imports over HTTP on every backend.

mod pages;
mod templates_api;

use super::*;
use crate::http::clinical_api::{call, count, field_errors, new_patient};
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
