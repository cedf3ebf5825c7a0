//! Handlers of vital signs: record a set, a series for charts, active alerts, acknowledge.

use super::{Result, context, created, to_value};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::clinical::vitals::{self as svc, series::series};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::clinical::vitals::VitalsInput;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

pub async fn record(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: VitalsInput = body(&raw)?;
    let rec = svc::record(&state.store, &ctx, &patient, &input).await?;
    Ok(created(&state, to_value(&rec), None))
}

/// A device export: `text/csv` (`time,code,value,unit,device`) or a FHIR Bundle of Observations.
pub async fn import_readings(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    use crate::clinical::vitals::import;
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    let (rows, problems) = if csv {
        let text = std::str::from_utf8(&raw)
            .map_err(|_| ApiError::validation("the CSV is not UTF-8 text"))?;
        import::parse_csv(text)
    } else {
        import::parse_bundle(&body::<serde_json::Value>(&raw)?)
    };
    let done = import::import(&state.store, &ctx, &patient, rows, problems).await?;
    Ok(created(&state, to_value(&done), None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SeriesParams {
    code: String,
    from: Option<String>,
    to: Option<String>,
}

pub async fn get_series(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    params: std::result::Result<Query<SeriesParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let Query(p) = params.map_err(|e| ApiError::validation(e.body_text()))?;
    let s = series(
        &state.store,
        &ctx,
        &patient,
        &p.code,
        p.from.as_deref(),
        p.to.as_deref(),
    )
    .await?;
    Ok(ok(to_value(&s)))
}

pub async fn alerts(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(
        svc::active_alerts(&state.store, &ctx, &patient).await?
    )))
}

pub async fn acknowledge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    Ok(ok(svc::acknowledge(&state.store, &ctx, &id).await?))
}
