//! The anamnesis over HTTP on every backend: sections added with per-field errors and
//! nothing saved on bad input, the current anamnesis carrying the latest entries forward,
//! FHIR visibility, 403 for a secretary; and the anamnesis page.

mod api;
mod pages;

use super::*;
use crate::http::clinical_api::{count, field_errors, new_patient};
use crate::http::rbac::{Session, call as call_as, new_user, sign_in};
use crate::support::worlds;
use serde_json::json;

/// `call_as` to `/api/v1{path}`, the raw reply.
pub(super) async fn reply_as(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    call_as(app, s, method, &format!("/api/v1{path}"), body).await
}

/// POST an entry to a section, expecting 201; returns the row.
pub(super) async fn add(
    app: &TestApp,
    s: &Session,
    pid: &str,
    section: &str,
    body: Value,
) -> Value {
    let r = reply_as(
        app,
        s,
        Method::POST,
        &format!("/patients/{pid}/anamnesis/{section}"),
        Some(&body),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}: {section}: {r:?}",
        app.backend
    );
    r.json()["data"].clone()
}
