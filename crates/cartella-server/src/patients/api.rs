//! `/api/v1/patients`: the registry as JSON, in the API envelope.
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | GET | `/patients` | `q`, `active` (`true`/`false`), `count`, `cursor`, `total` | 200 `{patients, next_cursor, total, kind}` |
//! | POST | `/patients` | `PatientInput` + `confirm_duplicate` | 201 `PatientRecord` (+ `Location`) |
//! | GET | `/patients/{id}` | | 200 `PatientRecord` (+ `ETag`) |
//! | PUT | `/patients/{id}` | `PatientInput` + `version` (or `If-Match`) | 200 `PatientRecord` |
//! | POST | `/patients/{id}/deactivate` | optional `version` (or `If-Match`) | 200 `PatientRecord` |
//! | POST | `/patients/{id}/merge` | `{into}` (administrators) | 200 `{target, source, moved_identifiers}` |
//!
//! Errors: 422 VALIDATION_ERROR with `details.fields = [{field, code, message}]`; 409 CONFLICT
//! with `details.duplicates` (repeat with `confirm_duplicate: true`) or, for a stale version,
//! `details = {current_version, changed_by, changed_at}`; 403 FORBIDDEN; 404 NOT_FOUND.

use super::{PatientError, SearchQuery};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use cartella_core::patient::PatientInput;
use cartella_store::AccessContext;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, ApiError>;

impl From<PatientError> for ApiError {
    fn from(e: PatientError) -> Self {
        let message = e.to_string();
        match e {
            PatientError::Validation(fields) => ApiError {
                details: Box::new(json!({ "fields": fields.iter().map(|f| json!({
                    "field": f.field, "code": f.code, "message": f.message_en(),
                })).collect::<Vec<_>>() })),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "VALIDATION_ERROR",
                    message,
                )
            },
            PatientError::Duplicate(found) => ApiError {
                details: Box::new(
                    json!({ "duplicates": found, "confirm_with": "confirm_duplicate" }),
                ),
                ..ApiError::new(StatusCode::CONFLICT, "CONFLICT", message)
            },
            PatientError::Stale {
                current_version,
                by,
                at,
            } => ApiError {
                details: Box::new(json!({
                    "current_version": current_version,
                    "changed_by": by,
                    "changed_at": at.to_string(),
                })),
                ..ApiError::new(StatusCode::CONFLICT, "CONFLICT", message)
            },
            PatientError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message),
            PatientError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", m),
            PatientError::Invalid(m) => ApiError::validation(m),
            PatientError::Store(s) => s.into(),
        }
    }
}

async fn context(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Result<AccessContext> {
    Ok(authenticate(state, headers, Some(peer), &method).await?.ctx)
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn with_etag(mut resp: Response, version: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("W/\"{version}\"")) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// `If-Match: W/"3"`, `"3"` or `3`.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = raw.to_str().unwrap_or("").trim();
    let v = v.strip_prefix("W/").unwrap_or(v).trim_matches('"');
    v.parse()
        .map(Some)
        .map_err(|_| ApiError::validation("If-Match must be a version, e.g. W/\"3\""))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    q: String,
    active: Option<bool>,
    count: Option<usize>,
    cursor: Option<String>,
    total: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: std::result::Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let Query(p) = params.map_err(|e| ApiError::validation(e.body_text()))?;
    let query = SearchQuery {
        text: p.q,
        active: p.active,
        count: p.count,
        cursor: p.cursor,
        total: p.total,
    };
    let results = super::search(&state.store, &ctx, &query).await?;
    Ok(ok(to_value(&results)))
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(flatten)]
    input: PatientInput,
    #[serde(default)]
    confirm_duplicate: bool,
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let req: CreateBody = body(&raw)?;
    let record = super::create(&state.store, &ctx, &req.input, req.confirm_duplicate).await?;
    let mut resp = with_etag(ok(to_value(&record)), record.version);
    *resp.status_mut() = StatusCode::CREATED;
    let location = format!("{}/api/v1/patients/{}", state.config.public_url, record.id);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let record = super::get(&state.store, &ctx, &id).await?;
    Ok(with_etag(ok(to_value(&record)), record.version))
}

#[derive(Deserialize)]
struct UpdateBody {
    #[serde(flatten)]
    input: PatientInput,
    #[serde(default)]
    version: Option<i64>,
}

pub async fn update(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::PUT).await?;
    let req: UpdateBody = body(&raw)?;
    let version = if_match(&headers)?.or(req.version).ok_or_else(|| {
        ApiError::validation("send the version you edited: If-Match header or \"version\"")
    })?;
    let record = super::update(&state.store, &ctx, &id, version, &req.input).await?;
    Ok(with_etag(ok(to_value(&record)), record.version))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionBody {
    version: Option<i64>,
}

pub async fn deactivate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let req: VersionBody = if raw.is_empty() {
        VersionBody::default()
    } else {
        body(&raw)?
    };
    let version = if_match(&headers)?.or(req.version);
    let record = super::deactivate(&state.store, &ctx, &id, version).await?;
    Ok(with_etag(ok(to_value(&record)), record.version))
}

#[derive(Deserialize)]
struct MergeBody {
    into: String,
}

pub async fn merge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let req: MergeBody = body(&raw)?;
    let outcome = super::merge(&state.store, &ctx, &id, &req.into).await?;
    Ok(ok(to_value(&outcome)))
}
