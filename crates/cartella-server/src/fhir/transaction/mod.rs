//! `POST /fhir/R4` with a Bundle: `transaction` (all or nothing: new ids assigned up front,
//! `urn:uuid:` and conditional references resolved, conditional create/update/delete decided by
//! search, then one atomic store write) and `batch` (each entry on its own).

mod atomic;
mod batch;
mod entry;

use atomic::transaction;
use batch::batch;
use entry::Entry;

use super::handlers::parse_body;
use super::outcome::{FHIR_JSON, FhirError, outcome};
use crate::AppState;
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_store::{AccessContext, StoredResource};
use serde_json::{Value, json};
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, FhirError>;

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let ctx = authenticate(&state, &headers, Some(peer), &Method::POST)
        .await?
        .ctx;
    let bundle = parse_body(&headers, body)?;
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(FhirError::invalid(
            "POST to the base accepts a Bundle of type transaction or batch",
        ));
    }
    let entries = bundle
        .get("entry")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let out = match bundle.get("type").and_then(Value::as_str) {
        Some("transaction") => transaction(&state, &ctx, &entries).await?,
        Some("batch") => batch(&state, &ctx, &entries).await,
        _ => {
            return Err(FhirError::invalid(
                "Bundle.type must be transaction or batch",
            ));
        }
    };
    let mut resp = (StatusCode::OK, out.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    Ok(resp)
}

/// A written resource as a response entry.
fn put_entry(base: &str, r: &StoredResource, status: &str) -> Value {
    let resource: Value = serde_json::from_slice(&r.json).unwrap_or(Value::Null);
    json!({
        "fullUrl": format!("{base}/{}/{}", r.rtype, r.id),
        "resource": resource,
        "response": {"status": status, "location": format!("{}/{}/_history/{}", r.rtype, r.id, r.version),
                     "etag": format!("W/\"{}\"", r.version), "lastModified": r.last_updated.to_string()},
    })
}

fn error_entry(e: FhirError) -> Value {
    json!({"response": {"status": format!("{} {}", e.status.as_u16(), e.status.canonical_reason().unwrap_or("")),
        "outcome": outcome(&[("error", e.code, &e.message)])}})
}

async fn read_entry(state: &AppState, ctx: &AccessContext, base: &str, e: &Entry) -> Value {
    let result = match &e.id {
        Some(id) => state.store.read(ctx, e.rtype, id).await.map(|r| put_entry(base, &r, "200 OK")),
        None => state.store.search(ctx, e.rtype, &e.condition).await.map(|p| {
            let items: Vec<Value> = p.resources.iter().map(|r| serde_json::from_slice(&r.json).unwrap_or(Value::Null)).collect();
            json!({"resource": {"resourceType": "Bundle", "type": "searchset", "entry": items.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()},
                   "response": {"status": "200 OK"}})
        }),
    };
    result.unwrap_or_else(|err| error_entry(err.into()))
}
