//! Bulk Data `$export` (FHIR Bulk Data Access 1.0): kick-off at the system, `Patient` and
//! `Group/{id}` levels answers 202 with a status URL; the status URL answers 202 with
//! `X-Progress` while the job runs and 200 with the manifest when done; files download as
//! NDJSON; `DELETE` on the status URL cancels or deletes. Only the requester may follow up.

use super::handlers::{Peer, Result, base, ctx, ctx_write};
use super::outcome::FhirError;
use super::query::query_pairs;
use super::search::strict;
use crate::AppState;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_core::Timestamp;
use cartella_store::export::ExportState;
use cartella_store::store::{ExportLevel, ExportRequest};
use serde_json::json;

const OUTPUT_FORMATS: [&str; 3] = ["application/fhir+ndjson", "application/ndjson", "ndjson"];

async fn kick_off(
    state: AppState,
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    level: ExportLevel,
    path: &str,
    query: Option<String>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !prefer.contains("respond-async") {
        return Err(FhirError::invalid(
            "$export needs the header 'Prefer: respond-async'",
        ));
    }
    let mut req = ExportRequest {
        level,
        types: Vec::new(),
        since: None,
        url: format!("{}/{path}", base(&state)),
    };
    if let Some(q) = &query {
        req.url = format!("{}?{q}", req.url);
    }
    for (k, v) in query_pairs(query) {
        match k.as_str() {
            "_type" => req
                .types
                .extend(v.split(',').filter(|t| !t.is_empty()).map(str::to_owned)),
            "_since" => {
                req.since = Some(
                    Timestamp::parse(&v)
                        .ok_or_else(|| {
                            FhirError::invalid(format!("_since must be an instant, got '{v}'"))
                        })?
                        .micros(),
                )
            }
            "_outputFormat" if OUTPUT_FORMATS.contains(&v.as_str()) => {}
            "_outputFormat" => {
                return Err(FhirError::invalid(format!(
                    "_outputFormat '{v}' is not supported; use application/fhir+ndjson"
                )));
            }
            // Lenient: other parameters (e.g. _typeFilter) are ignored unless the client is strict.
            _ if strict(&headers) => {
                return Err(FhirError::invalid(format!(
                    "$export parameter '{k}' is not supported"
                )));
            }
            _ => {}
        }
    }
    let id = state.store.start_export(&ctx, req).await?;
    let mut resp = StatusCode::ACCEPTED.into_response();
    let status_url = format!("{}/$export-status/{id}", base(&state));
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        resp.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    Ok(resp)
}

pub async fn system(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    kick_off(state, peer, headers, ExportLevel::System, "$export", q).await
}

pub async fn patient(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    kick_off(
        state,
        peer,
        headers,
        ExportLevel::Patient,
        "Patient/$export",
        q,
    )
    .await
}

pub async fn group(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let path = format!("Group/{id}/$export");
    kick_off(state, peer, headers, ExportLevel::Group(id), &path, q).await
}

pub async fn status(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let (record, files) = state.store.export_status(&ctx, &id).await?;
    match record.state {
        ExportState::Queued | ExportState::Running => {
            let mut resp = StatusCode::ACCEPTED.into_response();
            let progress = record
                .message
                .unwrap_or_else(|| record.state.as_str().to_owned());
            if let Ok(v) = HeaderValue::from_str(&progress) {
                resp.headers_mut().insert("x-progress", v);
            }
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            Ok(resp)
        }
        ExportState::Failed => Err(FhirError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            format!("the export failed: {}", record.message.unwrap_or_default()),
        )),
        ExportState::Done => {
            let base = base(&state);
            let manifest = json!({
                "transactionTime": Timestamp::from_micros(record.transaction_time).to_string(),
                "request": record.request,
                "requiresAccessToken": true,
                "output": files.iter().map(|f| json!({
                    "type": f.rtype, "url": format!("{base}/$export-file/{id}/{}", f.n), "count": f.count,
                })).collect::<Vec<_>>(),
                "error": [],
            });
            let mut resp = (StatusCode::OK, manifest.to_string()).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            let expires = super::response::http_date(Timestamp::from_micros(record.expires_at));
            if let Ok(v) = HeaderValue::from_str(&expires) {
                resp.headers_mut().insert(header::EXPIRES, v);
            }
            Ok(resp)
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    state.store.delete_export(&ctx, &id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

pub async fn file(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let n: i64 = n
        .parse()
        .map_err(|_| FhirError::new(StatusCode::NOT_FOUND, "not-found", "no such export file"))?;
    let (_, body) = state.store.export_file(&ctx, &id, n).await?;
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+ndjson"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
