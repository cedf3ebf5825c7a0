//! Search interactions (`GET /{type}?…` and `POST /{type}/_search`): the store's page rendered
//! as a searchset, shaped by `_summary`/`_elements`, with keyset paging links. Lenient handling
//! (the default) reports ignored parameters in an OperationOutcome entry; `Prefer:
//! handling=strict` refuses them with 400.

use super::bundle::{self, Link};
use super::handlers::{Peer, Result, base, body_bytes, bundle_response, ctx};
use super::outcome::FhirError;
use super::query::{encode, query_pairs};
use super::shape::{self, Shape};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

pub fn strict(headers: &HeaderMap) -> bool {
    headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.contains("handling=strict"))
}

pub async fn search(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    run(state, peer, headers, rtype, query_pairs(query)).await
}

/// `POST /{type}/_search`: the parameters in a form body (and the URL).
pub async fn search_post(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    RawQuery(query): RawQuery,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let mut params = query_pairs(query);
    let form = String::from_utf8(body_bytes(body)?.to_vec())
        .map_err(|_| FhirError::invalid("the _search body is not UTF-8 form data"))?;
    params.extend(query_pairs(Some(form)));
    run(state, peer, headers, rtype, params).await
}

async fn run(
    state: AppState,
    peer: std::net::SocketAddr,
    headers: HeaderMap,
    rtype: String,
    params: Vec<(String, String)>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let (how, count_only) = shape::from_params(&rtype, &params).map_err(FhirError::invalid)?;
    let mut store_params = params.clone();
    if count_only {
        // `_summary=count`: the total only.
        store_params.retain(|(k, _)| k != "_count" && k != "_total" && k != "_include");
        store_params.push(("_count".into(), "0".into()));
        store_params.push(("_total".into(), "accurate".into()));
    }
    let mut page = state.store.search(&ctx, &rtype, &store_params).await?;
    if strict(&headers) && !page.warnings.is_empty() {
        return Err(FhirError::invalid(page.warnings.join("; ")));
    }
    if how != Shape::Full {
        for r in &mut page.resources {
            if let Some(json) = shape::shape(&r.rtype, &r.json, &how) {
                r.json = json;
            }
        }
    }
    let base = base(&state);
    let own: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "_cursor").collect();
    let query_of = |extra: Option<&str>| {
        let mut parts: Vec<String> = own
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if let Some(c) = extra {
            parts.push(format!("_cursor={c}"));
        }
        parts.join("&")
    };
    let mut links = vec![Link {
        relation: "self",
        url: format!("{base}/{rtype}?{}", query_of(None)),
    }];
    if let Some(next) = &page.next {
        links.push(Link {
            relation: "next",
            url: format!("{base}/{rtype}?{}", query_of(Some(next))),
        });
    }
    Ok(bundle_response(bundle::searchset(&base, &page, &links)))
}
