//! The lab JSON API under `/api/v1`, in the envelope (errors as in `crate::clinical::api`).
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | GET | `/lab-catalog` | `lang?` | 200 `[{code, display, panel, unit, members}]` |
//! | POST | `/patients/{id}/lab-orders` | `{tests: [LOINC], priority?, encounter?, note?}` | 201 `[order]` |
//! | GET | `/patients/{id}/lab-orders` | | 200 `[order]`, newest first |
//! | GET | `/lab-orders/{id}` | `lang?` | 200 `{order, tests}` |
//! | POST | `/lab-orders/{id}/results` | `{effective?, conclusion?, results: [{code, value, unit?, low?, high?, note?}]}` | 201 report |
//! | GET | `/patients/{id}/lab-reports` | `lang?` | 200 `[report]`, newest first |
//! | GET | `/lab-reports/{id}` | `lang?` | 200 report |
//! | GET | `/labs/critical` | `lang?` | 200 critical results of the caller's orders |
//! | GET | `/patients/{id}/lab-trend` | `code`, `lang?` | 200 `{code, display, unit, band, points, chart}` |

use super::{catalog, orders, reads, results};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::clinical::api::{Result, context, created, to_value};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::labs::{OrderInput, ResultsInput};
use cartella_terminology::Lang;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LangQuery {
    lang: String,
    code: String,
}

impl LangQuery {
    fn lang(&self) -> Lang {
        Lang::from_tag(&self.lang)
    }
}

type Q = std::result::Result<Query<LangQuery>, axum::extract::rejection::QueryRejection>;

fn query(q: Q) -> Result<LangQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::validation(e.body_text()))
}

pub async fn catalogue(q: Q) -> Result<Response> {
    Ok(ok(to_value(&catalog::list(query(q)?.lang()))))
}

pub async fn place(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: OrderInput = body(&raw)?;
    let placed = orders::order(&state.store, &ctx, &patient, &input).await?;
    Ok(created(&state, json!(placed), None))
}

pub async fn list_orders(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(orders::list(&state.store, &ctx, &patient).await?)))
}

pub async fn get_order(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Q,
) -> Result<Response> {
    let lang = query(q)?.lang();
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let (_, sr) = orders::get(&state.store, &ctx, &id).await?;
    let view = orders::view(&sr);
    let tests: Vec<_> = catalog::reported_tests(view["code"].as_str().unwrap_or_default())
        .iter()
        .map(|t| json!({"code": t.code, "display": t.display_in(lang), "unit": t.unit}))
        .collect();
    Ok(ok(json!({"order": view, "tests": tests})))
}

pub async fn post_results(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let input: ResultsInput = body(&raw)?;
    let report = results::record(&state.store, &ctx, &id, &input).await?;
    let location = report["id"].as_str().map(|r| format!("/lab-reports/{r}"));
    Ok(created(&state, report, location))
}

pub async fn list_reports(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    q: Q,
) -> Result<Response> {
    let lang = query(q)?.lang();
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(
        reads::reports(&state.store, &ctx, &patient, lang).await?
    )))
}

pub async fn get_report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Q,
) -> Result<Response> {
    let lang = query(q)?.lang();
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(reads::report_in(&state.store, &ctx, &id, lang).await?))
}

pub async fn critical(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    q: Q,
) -> Result<Response> {
    let lang = query(q)?.lang();
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!(
        reads::critical_for_me(&state.store, &ctx, lang).await?
    )))
}

pub async fn trend(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(patient): Path<String>,
    q: Q,
) -> Result<Response> {
    let q = query(q)?;
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(reads::trend(
        &state.store,
        &ctx,
        &patient,
        &q.code,
        q.lang(),
    )
    .await?))
}
