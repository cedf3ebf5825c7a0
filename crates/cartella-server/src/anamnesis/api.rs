//! The anamnesis as JSON under `/api/v1`, in the API envelope.
//!
//! | method | path | body | success |
//! |---|---|---|---|
//! | GET | `/patients/{id}/anamnesis` | | 200 current anamnesis ([`super::read::current`]) |
//! | GET | `/patients/{id}/anamnesis/{section}` | | 200 rows, newest first |
//! | POST | `/patients/{id}/anamnesis/conditions` | `PastConditionInput` | 201 row |
//! | POST | `/patients/{id}/anamnesis/surgeries` | `SurgeryInput` | 201 row |
//! | POST | `/patients/{id}/anamnesis/hospitalisations` | `HospitalisationInput` | 201 row |
//! | POST | `/patients/{id}/anamnesis/complaints` | `ComplaintInput` | 201 row |
//! | POST | `/patients/{id}/anamnesis/family` | `FamilyInput` | 201 row |
//!
//! Errors as the clinical API: 422 with `details.fields` (nothing saved), 403, 404 (also for
//! an unknown section).

use super::{read, write};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::clinical::ClinicalError;
use crate::clinical::api::{context, created};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::{Value, json};
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, ApiError>;

pub async fn current(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(read::current(&state.store, &ctx, &patient).await?))
}

pub async fn list(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((patient, section)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    match read::section(&state.store, &ctx, &patient, &section).await? {
        Some(rows) => Ok(ok(json!(rows))),
        None => Err(ClinicalError::NotFound("anamnesis section").into()),
    }
}

/// Adds one entry to `section` from its input as JSON (a body, or a form turned into one).
pub async fn add_entry(
    store: &cartella_store::Store,
    ctx: &cartella_store::AccessContext,
    patient: &str,
    section: &str,
    input: Value,
) -> std::result::Result<Value, ClinicalError> {
    fn parse<T: serde::de::DeserializeOwned>(v: Value) -> std::result::Result<T, ClinicalError> {
        serde_json::from_value(v).map_err(|e| ClinicalError::Invalid(e.to_string()))
    }
    match section {
        "conditions" => write::add_past_condition(store, ctx, patient, &parse(input)?).await,
        "surgeries" => write::add_surgery(store, ctx, patient, &parse(input)?).await,
        "hospitalisations" => write::add_hospitalisation(store, ctx, patient, &parse(input)?).await,
        "complaints" => write::add_complaint(store, ctx, patient, &parse(input)?).await,
        "family" => write::add_family(store, ctx, patient, &parse(input)?).await,
        _ => Err(ClinicalError::NotFound("anamnesis section")),
    }
}

pub async fn add(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((patient, section)): Path<(String, String)>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: Value = body(&raw)?;
    let row = add_entry(&state.store, &ctx, &patient, &section, input).await?;
    Ok(created(&state, row, None))
}
