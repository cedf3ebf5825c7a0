//! Handlers of visits: open, list, read, note (draft or amendment), close, history.

use super::{Result, body_or_default, context, created, to_value};
use crate::AppState;
use crate::api::envelope::{body, ok};
use crate::clinical::encounters as svc;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::clinical::inputs::EncounterInput;
use cartella_core::clinical::notes::SoapInput;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

type Ctx = (State<AppState>, ConnectInfo<SocketAddr>, HeaderMap);

pub async fn open(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: EncounterInput = body_or_default(&raw)?;
    let v = svc::open(&state.store, &ctx, &patient, &input).await?;
    let location = Some(format!("/encounters/{}", v.id));
    Ok(created(&state, to_value(&v), location))
}

pub async fn list(
    (State(state), ConnectInfo(peer), headers): Ctx,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let list = svc::list(&state.store, &ctx, &patient).await?;
    Ok(ok(json!(list)))
}

pub async fn get(
    (State(state), ConnectInfo(peer), headers): Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(to_value(&svc::get(&state.store, &ctx, &id).await?)))
}

#[derive(Deserialize)]
struct NoteBody {
    #[serde(flatten)]
    note: SoapInput,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn note(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::PUT).await?;
    let b: NoteBody = body(&raw)?;
    let v = svc::document(&state.store, &ctx, &id, &b.note, b.reason.as_deref()).await?;
    Ok(ok(to_value(&v)))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CloseBody {
    end: Option<String>,
}

pub async fn close(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: CloseBody = body_or_default(&raw)?;
    let v = svc::close(&state.store, &ctx, &id, b.end.as_deref()).await?;
    Ok(ok(to_value(&v)))
}

pub async fn history(
    (State(state), ConnectInfo(peer), headers): Ctx,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(svc::history(&state.store, &ctx, &id).await?))
}
