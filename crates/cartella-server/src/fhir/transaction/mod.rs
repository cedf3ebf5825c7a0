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
use super::response::{Return, prefer_return};
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
    let mut bundle = parse_body(&headers, body)?;
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(FhirError::invalid(
            "POST to the base accepts a Bundle of type transaction or batch",
        ));
    }
    // Taken, not copied: a bundle of 500 entries is the largest value the server handles.
    let entries = match bundle.get_mut("entry") {
        Some(Value::Array(entries)) => std::mem::take(entries),
        _ => Vec::new(),
    };
    // `Prefer: return=` chooses what each written entry carries, as for a single write.
    let ret = prefer_return(&headers);
    let (kind, out) = match bundle.get("type").and_then(Value::as_str) {
        Some("transaction") => (
            "transaction-response",
            transaction(&state, &ctx, entries, ret).await?,
        ),
        Some("batch") => ("batch-response", batch(&state, &ctx, entries, ret).await),
        _ => {
            return Err(FhirError::invalid(
                "Bundle.type must be transaction or batch",
            ));
        }
    };
    let mut resp = (StatusCode::OK, response_bundle(kind, &out)).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    Ok(resp)
}

/// The response Bundle around its entries, each already serialized.
fn response_bundle(kind: &str, entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + entries.iter().map(|e| e.len() + 1).sum::<usize>());
    out.extend_from_slice(
        format!(r#"{{"resourceType":"Bundle","type":"{kind}","entry":["#).as_bytes(),
    );
    for (n, e) in entries.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A written or read resource as a response entry. With `Return::Representation` the stored
/// JSON is copied in as it is (as search bundles do) rather than parsed and serialized again;
/// `Minimal` leaves the resource out, `OperationOutcome` puts an outcome in its place.
fn put_entry(base: &str, r: &StoredResource, status: &str, ret: Return) -> Vec<u8> {
    let full_url = Value::String(format!("{base}/{}/{}", r.rtype, r.id)).to_string();
    let mut response = json!({"status": status, "location": format!("{}/{}/_history/{}", r.rtype, r.id, r.version),
                              "etag": format!("W/\"{}\"", r.version), "lastModified": r.last_updated.to_string()});
    if ret == Return::OperationOutcome {
        let text = format!("{}/{} version {}", r.rtype, r.id, r.version);
        response["outcome"] = outcome(&[("information", "informational", &text)]);
    }
    let mut out = Vec::with_capacity(full_url.len() + r.json.len() + 200);
    out.extend_from_slice(format!(r#"{{"fullUrl":{full_url}"#).as_bytes());
    if ret == Return::Representation {
        out.extend_from_slice(br#","resource":"#);
        out.extend_from_slice(&r.json);
    }
    out.extend_from_slice(format!(r#","response":{response}}}"#).as_bytes());
    out
}

/// An entry that is only a response (no resource body), or any other entry built as a value.
fn value_entry(entry: &Value) -> Vec<u8> {
    entry.to_string().into_bytes()
}

fn error_entry(e: FhirError) -> Vec<u8> {
    value_entry(
        &json!({"response": {"status": format!("{} {}", e.status.as_u16(), e.status.canonical_reason().unwrap_or("")),
        "outcome": outcome(&[("error", e.code, &e.message)])}}),
    )
}

async fn read_entry(state: &AppState, ctx: &AccessContext, base: &str, e: &Entry) -> Vec<u8> {
    let result = match &e.id {
        Some(id) => state.store.read(ctx, e.rtype, id).await.map(|r| put_entry(base, &r, "200 OK", Return::Representation)),
        None => state.store.search(ctx, e.rtype, &e.condition).await.map(|p| {
            let items: Vec<Value> = p.resources.iter().map(|r| serde_json::from_slice(&r.json).unwrap_or(Value::Null)).collect();
            value_entry(&json!({"resource": {"resourceType": "Bundle", "type": "searchset", "entry": items.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()},
                   "response": {"status": "200 OK"}}))
        }),
    };
    result.unwrap_or_else(|err| error_entry(err.into()))
}
