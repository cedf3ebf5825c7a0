//! Examinations as JSON under `/api/v1`, in the API envelope.
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | GET | `/exam-templates` | `all?` (drafts too), `lang?` | 200 `[{id, url, version, title, status, shipped}]` |
//! | GET | `/exam-templates/{id}` | | 200 the Questionnaire |
//! | POST | `/exam-templates` | a Questionnaire (administrators) | 201 the Questionnaire |
//! | PUT | `/exam-templates/{id}` | a Questionnaire | 200 the Questionnaire (version + 1) |
//! | POST | `/patients/{id}/exams` | `{template, encounter?, answers: {linkId: value or [values]}}` | 201 response row |
//! | GET | `/patients/{id}/exams` | `encounter?` | 200 rows, newest first |
//! | GET | `/exams/{id}` | `lang?` | 200 `{response, template, rows}` |
//!
//! Errors: 422 VALIDATION_ERROR with `details.fields = [{field, code, message}]` where
//! `field` is the item's `linkId` (answers) or the JSON path (templates); 403; 404.

use super::{responses, templates};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::clinical::api::{Result, context, created};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

type Q<T> = std::result::Result<Query<T>, QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::validation(e.body_text()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    all: bool,
    lang: Option<String>,
    encounter: Option<String>,
}

pub async fn list_templates(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Q<ListParams>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let p = query(params)?;
    let lang = p.lang.as_deref().unwrap_or("en");
    Ok(ok(json!(
        templates::list(&state.store, &ctx, p.all, lang).await?
    )))
}

pub async fn get_template(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(templates::get(&state.store, &ctx, &id).await?))
}

pub async fn create_template(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let q: Value = body(&raw)?;
    let saved = templates::save(&state.store, &ctx, None, q, None).await?;
    let at = format!("/exam-templates/{}", saved["id"].as_str().unwrap_or(""));
    Ok(created(&state, saved, Some(at)))
}

pub async fn update_template(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::PUT).await?;
    let q: Value = body(&raw)?;
    Ok(ok(
        templates::save(&state.store, &ctx, Some(&id), q, None).await?
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let s: responses::Submission = body(&raw)?;
    let answers = responses::raw_answers(&s.answers);
    let row = responses::submit(
        &state.store,
        &ctx,
        &patient,
        &s.template,
        s.encounter.as_deref(),
        &answers,
    )
    .await?;
    let at = format!("/exams/{}", row["id"].as_str().unwrap_or(""));
    Ok(created(&state, row, Some(at)))
}

pub async fn list_responses(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    params: Q<ListParams>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let p = query(params)?;
    let lang = p.lang.as_deref().unwrap_or("en");
    let rows = responses::list(&state.store, &ctx, &patient, p.encounter.as_deref(), lang).await?;
    Ok(ok(json!(rows)))
}

pub async fn get_response(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Q<ListParams>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let p = query(params)?;
    let lang = p.lang.as_deref().unwrap_or("en");
    let rb = responses::get(&state.store, &ctx, &id, lang, ("yes", "no")).await?;
    Ok(ok(json!({
        "response": rb.response,
        "template": rb.template["id"],
        "title": cartella_core::exams::title_in(&rb.template, lang),
        "rows": rb.rows,
    })))
}
