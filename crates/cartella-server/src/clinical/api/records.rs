//! Handlers of diagnoses, allergies, prescriptions and the ICD-10-CM search.

use super::{Result, context, created, to_value};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::clinical::{ClinicalError, prescriptions, records};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::clinical::inputs::{AllergyInput, ConditionInput, PrescriptionInput};
use cartella_terminology::{Icd10, Lang};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

type Q<T> = std::result::Result<Query<T>, QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::validation(e.body_text()))
}

pub async fn add_condition(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: ConditionInput = body(&raw)?;
    let row = records::add_condition(
        &state.store,
        &ctx,
        &patient,
        &input,
        &records::DIAGNOSIS_CATEGORIES,
    )
    .await?;
    Ok(created(&state, row, None))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConditionParams {
    status: Option<String>,
    category: Option<String>,
}

pub async fn conditions(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    params: Q<ConditionParams>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let p = query(params)?;
    // The problem list by default: active conditions.
    let status = match p.status.as_deref() {
        Some("all") => None,
        Some(s) => Some(s),
        None => Some("active"),
    };
    let rows =
        records::conditions(&state.store, &ctx, &patient, status, p.category.as_deref()).await?;
    Ok(ok(json!(rows)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    clinical_status: String,
    #[serde(default)]
    abatement: Option<String>,
}

pub async fn condition_status(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: StatusBody = body(&raw)?;
    let row = records::set_condition_status(
        &state.store,
        &ctx,
        &id,
        &b.clinical_status,
        b.abatement.as_deref(),
    )
    .await?;
    Ok(ok(row))
}

pub async fn add_allergy(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: AllergyInput = body(&raw)?;
    let row = records::add_allergy(&state.store, &ctx, &patient, &input).await?;
    Ok(created(&state, row, None))
}

pub async fn allergies(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(
        records::active_allergies(&state.store, &ctx, &patient).await?
    )))
}

pub async fn prescribe(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: PrescriptionInput = body(&raw)?;
    let out = prescriptions::prescribe(&state.store, &ctx, &patient, &input).await?;
    Ok(created(&state, to_value(&out), None))
}

pub async fn prescriptions_list(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(
        prescriptions::active(&state.store, &ctx, &patient).await?
    )))
}

pub async fn stop_prescription(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    Ok(ok(prescriptions::stop(&state.store, &ctx, &id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Icd10Params {
    q: String,
    limit: Option<usize>,
    lang: Option<String>,
}

/// Search needs a signed-in caller but no patient: the classification is public.
pub async fn icd10(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Q<Icd10Params>,
) -> Result<Response> {
    context(&state, &headers, peer, Method::GET).await?;
    let p = query(params)?;
    if p.q.trim().is_empty() {
        return Err(ClinicalError::field("q", "required", "Type a code or some words.").into());
    }
    let lang = p.lang.as_deref().map_or(Lang::En, Lang::from_tag);
    let hits: Vec<_> = Icd10::search(&p.q, p.limit.unwrap_or(20).clamp(1, 50))
        .into_iter()
        .map(|e| json!({"code": e.code(), "description": e.description_in(lang), "billable": e.is_billable()}))
        .collect();
    Ok(ok(json!(hits)))
}
