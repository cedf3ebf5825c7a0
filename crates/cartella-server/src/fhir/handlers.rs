//! FHIR interaction handlers: authenticate, turn the request into store calls, render.

use super::bundle::{self, Link};
use super::interactions::{self, Done, Target};
use super::outcome::{FHIR_JSON, FhirError};
use super::query::{encode, query_pairs};
use super::response::{self, if_match, prefer_return};
use crate::AppState;
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_core::Timestamp;
use cartella_store::{AccessContext, HistoryQuery};
use std::net::SocketAddr;

pub(super) type Result<T> = std::result::Result<T, FhirError>;
pub(super) type Peer = ConnectInfo<SocketAddr>;

pub(super) async fn ctx(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<AccessContext> {
    ctx_for(state, headers, peer, &axum::http::Method::GET).await
}

/// Authenticate a state-changing request (sessions must show their CSRF token).
pub(super) async fn ctx_write(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<AccessContext> {
    ctx_for(state, headers, peer, &axum::http::Method::POST).await
}

async fn ctx_for(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: &axum::http::Method,
) -> Result<AccessContext> {
    Ok(authenticate(state, headers, Some(peer), method).await?.ctx)
}

/// The request body, or the OperationOutcome for one that is too large or unreadable.
pub(super) fn body_bytes(body: std::result::Result<Bytes, BytesRejection>) -> Result<Bytes> {
    body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => FhirError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-costly",
            "the request body is larger than the server accepts",
        ),
        s => FhirError::new(s, "invalid", e.body_text()),
    })
}

/// Parse a request body as a JSON resource, with a precise message when it is not one.
pub(super) fn parse_body(
    headers: &HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<serde_json::Value> {
    let body = body_bytes(body)?;
    if let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let mime = ct.split(';').next().unwrap_or("").trim();
        if mime != "application/fhir+json" && mime != "application/json" {
            return Err(FhirError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not-supported",
                format!("content type '{mime}' is not supported; send application/fhir+json"),
            ));
        }
    }
    serde_json::from_slice(&body)
        .map_err(|e| FhirError::invalid(format!("the body is not valid JSON: {e}")))
}

pub(super) fn base(state: &AppState) -> String {
    format!("{}/fhir/R4", state.config.public_url)
}

pub async fn read(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let stored = state.store.read(&ctx, &rtype, &id).await?;
    Ok(response::resource(
        StatusCode::OK,
        stored,
        response::Return::Representation,
        None,
    ))
}

pub async fn vread(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id, vid)): Path<(String, String, String)>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let version: i64 = vid.parse().map_err(|_| {
        FhirError::invalid(format!(
            "version '{}' is not a number",
            vid.chars().take(20).collect::<String>()
        ))
    })?;
    let stored = state.store.vread(&ctx, &rtype, &id, version).await?;
    if stored.deleted {
        return Err(FhirError::new(
            StatusCode::GONE,
            "deleted",
            format!("{rtype}/{id} version {version} is a deletion"),
        ));
    }
    Ok(response::resource(
        StatusCode::OK,
        stored,
        response::Return::Representation,
        None,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    let value = parse_body(&headers, body)?;
    // Conditional create: with `If-None-Exist`, an existing match is returned instead.
    let cond = headers
        .get("if-none-exist")
        .map(|v| {
            v.to_str()
                .map(|c| query_pairs(Some(c.trim_start_matches('?').to_owned())))
                .map_err(|_| FhirError::invalid("If-None-Exist is not a valid query"))
        })
        .transpose()?;
    let done = interactions::create(&state, &ctx, &rtype, value, cond.as_deref()).await?;
    Ok(respond(&state, &headers, done))
}

pub async fn update(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id)): Path<(String, String)>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    let expected = if_match(&headers)?;
    let value = parse_body(&headers, body)?;
    let target = Target::Id(&id);
    let done = interactions::update(&state, &ctx, &rtype, target, value, expected).await?;
    Ok(respond(&state, &headers, done))
}

/// `PUT /{type}?search`: conditional update.
pub async fn conditional_update(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    RawQuery(query): RawQuery,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    let expected = if_match(&headers)?;
    let value = parse_body(&headers, body)?;
    let cond = query_pairs(query);
    let target = Target::Search(&cond);
    let done = interactions::update(&state, &ctx, &rtype, target, value, expected).await?;
    Ok(respond(&state, &headers, done))
}

pub async fn delete(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    let done = interactions::delete(&state, &ctx, &rtype, Target::Id(&id)).await?;
    Ok(respond(&state, &headers, done))
}

/// `DELETE /{type}?search`: conditional delete of the single match.
pub async fn conditional_delete(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let ctx = ctx_write(&state, &headers, peer).await?;
    let cond = query_pairs(query);
    let done = interactions::delete(&state, &ctx, &rtype, Target::Search(&cond)).await?;
    Ok(respond(&state, &headers, done))
}

/// The HTTP answer to a write: status, `Location`, `ETag` and the body `Prefer` asks for.
fn respond(state: &AppState, headers: &HeaderMap, done: Done) -> Response {
    let (status, resource) = match done {
        Done::Created(r) => (StatusCode::CREATED, r),
        Done::Updated(r) => (StatusCode::OK, r),
        Done::Existing(r) => {
            return response::resource(StatusCode::OK, r, prefer_return(headers), None);
        }
        Done::Deleted(version) => {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            if let Some(v) = version.and_then(|v| HeaderValue::from_str(&format!("W/\"{v}\"")).ok())
            {
                resp.headers_mut().insert(header::ETAG, v);
            }
            return resp;
        }
    };
    let loc = format!(
        "{}/{}/{}/_history/{}",
        base(state),
        resource.rtype,
        resource.id,
        resource.version
    );
    response::resource(status, resource, prefer_return(headers), Some(loc))
}

pub(super) fn bundle_response(body: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    resp
}

async fn history(
    state: AppState,
    peer: SocketAddr,
    headers: HeaderMap,
    rtype: Option<String>,
    id: Option<String>,
    query: Option<String>,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let params = query_pairs(query);
    let mut q = HistoryQuery {
        tenant: ctx.tenant.clone(),
        rtype: rtype.clone(),
        id: id.clone(),
        since: None,
        before_row: None,
        limit: 50,
    };
    for (k, v) in &params {
        match k.as_str() {
            "_count" => {
                q.limit = v
                    .parse::<usize>()
                    .map_err(|_| FhirError::invalid("_count must be a whole number"))?
                    .clamp(1, 1000)
            }
            "_since" => {
                q.since = Some(
                    Timestamp::parse(v)
                        .ok_or_else(|| {
                            FhirError::invalid(format!("_since must be an instant, got '{v}'"))
                        })?
                        .micros(),
                )
            }
            "_cursor" => {
                q.before_row = Some(
                    v.parse()
                        .map_err(|_| FhirError::invalid("invalid _cursor"))?,
                )
            }
            _ => {}
        }
    }
    let limit = q.limit;
    // One more than the page tells whether a next page exists.
    q.limit += 1;
    let mut entries = state.store.history(&ctx, q).await?;
    let more = entries.len() > limit;
    entries.truncate(limit);
    let base = base(&state);
    let path = match (&rtype, &id) {
        (Some(t), Some(i)) => format!("{base}/{t}/{i}/_history"),
        (Some(t), None) => format!("{base}/{t}/_history"),
        _ => format!("{base}/_history"),
    };
    let kept: Vec<String> = params
        .iter()
        .filter(|(k, _)| k != "_cursor" && k != "_count")
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let mut self_url = path.clone();
    if !kept.is_empty() {
        self_url = format!("{path}?{}", kept.join("&"));
    }
    let mut links = vec![Link {
        relation: "self",
        url: self_url,
    }];
    if let (true, Some(last)) = (more, entries.last()) {
        let mut next = kept.clone();
        next.push(format!("_count={limit}"));
        next.push(format!("_cursor={}", last.row_id));
        links.push(Link {
            relation: "next",
            url: format!("{path}?{}", next.join("&")),
        });
    }
    Ok(bundle_response(bundle::history(&base, &entries, &links)))
}

pub async fn history_instance(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path((rtype, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    history(state, peer, headers, Some(rtype), Some(id), q).await
}

pub async fn history_type(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(rtype): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    history(state, peer, headers, Some(rtype), None, q).await
}

pub async fn history_system(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    history(state, peer, headers, None, None, q).await
}

pub async fn not_supported() -> FhirError {
    FhirError::new(
        StatusCode::NOT_FOUND,
        "not-supported",
        "no such FHIR interaction",
    )
}

pub async fn method_not_allowed() -> FhirError {
    FhirError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "not-supported",
        "this interaction is not supported on this path",
    )
}

/// `Patient/{id}/$everything`: the compartment as a searchset, paged by `_count` and `_cursor`.
pub async fn everything(
    State(state): State<AppState>,
    ConnectInfo(peer): Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let ctx = ctx(&state, &headers, peer).await?;
    let params = query_pairs(query);
    let mut count = 100;
    let mut after = None;
    for (k, v) in &params {
        match k.as_str() {
            "_count" => {
                count = v
                    .parse()
                    .map_err(|_| FhirError::invalid("_count must be a whole number"))?
            }
            "_cursor" => {
                after = Some(
                    v.parse()
                        .map_err(|_| FhirError::invalid("invalid _cursor"))?,
                )
            }
            _ => {}
        }
    }
    let page = state.store.everything(&ctx, &id, count, after).await?;
    let base = base(&state);
    let path = format!("{base}/Patient/{id}/$everything");
    let mut links = vec![Link {
        relation: "self",
        url: path.clone(),
    }];
    if let Some(next) = &page.next {
        links.push(Link {
            relation: "next",
            url: format!("{path}?_count={count}&_cursor={next}"),
        });
    }
    Ok(bundle_response(bundle::searchset(&base, &page, &links)))
}
