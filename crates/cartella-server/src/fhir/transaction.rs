//! `POST /fhir/R4` with a Bundle: `transaction` (all or nothing: new ids assigned up front,
//! `urn:uuid:` and conditional references resolved, conditional create/update/delete decided by
//! search, then one atomic store write) and `batch` (each entry on its own).

use super::handlers::parse_body;
use super::interactions::{self, Done, Target};
use super::outcome::{FHIR_JSON, FhirError, outcome};
use super::query::query_pairs;
use crate::AppState;
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_core::{ResourceId, ResourceType};
use cartella_store::store::{Write, Written};
use cartella_store::{AccessContext, StoredResource};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, FhirError>;

/// One entry's request, parsed.
struct Entry {
    full_url: Option<String>,
    method: String,
    rtype: &'static str,
    /// `Some(id)` for `Type/id`; `None` for a type-level or conditional URL.
    id: Option<String>,
    /// Search parameters of a conditional URL (`Type?…`).
    condition: Vec<(String, String)>,
    if_none_exist: Vec<(String, String)>,
    if_match: Option<i64>,
    resource: Option<Value>,
}

/// `Patient/1`, `Patient`, or an absolute URL ending so: the last resource type in the path and
/// the segment after it.
fn type_and_id(path: &str) -> Option<(&'static str, Option<&str>)> {
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.split_once('/').map_or("", |(_, p)| p)
    });
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for i in (0..segments.len()).rev() {
        if let Ok(t) = ResourceType::parse(segments[i]) {
            return Some((t.as_str(), segments.get(i + 1).copied()));
        }
    }
    None
}

fn bad(i: usize, msg: impl std::fmt::Display) -> FhirError {
    FhirError::invalid(format!("entry {i}: {msg}"))
}

/// The same error, saying which entry caused it.
fn at(i: usize, mut e: FhirError) -> FhirError {
    e.message = format!("entry {i}: {}", e.message);
    e
}

fn parse_entry(i: usize, e: &Value) -> Result<Entry> {
    let req = e
        .get("request")
        .ok_or_else(|| bad(i, "request is missing"))?;
    let method = req
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(i, "request.method is missing"))?
        .to_uppercase();
    let url = req
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(i, "request.url is missing"))?;
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (url, None),
    };
    let (rtype, id) = type_and_id(path).ok_or_else(|| {
        bad(
            i,
            format!(
                "request.url '{}' names no resource type",
                path.chars().take(80).collect::<String>()
            ),
        )
    })?;
    if let Some(op) = id.filter(|s| s.starts_with('$')) {
        return Err(FhirError::new(
            StatusCode::NOT_IMPLEMENTED,
            "not-supported",
            format!("entry {i}: the operation {op} is not supported"),
        ));
    }
    let id = id
        .map(|s| ResourceId::parse(s).map(|r| r.to_string()))
        .transpose()
        .map_err(|e| bad(i, e))?;
    let if_match = match req.get("ifMatch").and_then(Value::as_str) {
        Some(v) => Some(
            v.trim_start_matches("W/")
                .trim_matches('"')
                .parse()
                .map_err(|_| bad(i, "ifMatch must be a version ETag"))?,
        ),
        None => None,
    };
    // `ifNoneExist` is a query, sometimes written with its type in front (`Patient?identifier=…`).
    let if_none_exist = req
        .get("ifNoneExist")
        .and_then(Value::as_str)
        .map(|q| {
            query_pairs(Some(
                q.split_once('?').map_or(q, |(_, after)| after).to_owned(),
            ))
        })
        .unwrap_or_default();
    Ok(Entry {
        full_url: e.get("fullUrl").and_then(Value::as_str).map(str::to_owned),
        method,
        rtype,
        id,
        condition: query_pairs(query),
        if_none_exist,
        if_match,
        resource: e.get("resource").cloned(),
    })
}

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

/// Ids of the current resources matching a condition (at most two are needed to decide).
async fn matches(
    state: &AppState,
    ctx: &AccessContext,
    rtype: &str,
    cond: &[(String, String)],
) -> Result<Vec<String>> {
    let found = interactions::matching(state, ctx, rtype, cond).await?;
    Ok(found.into_iter().map(|r| r.id).collect())
}

fn precondition(i: usize, rtype: &str) -> FhirError {
    FhirError::new(
        StatusCode::PRECONDITION_FAILED,
        "multiple-matches",
        format!("entry {i}: the condition on {rtype} matches more than one resource"),
    )
}

/// Replace references through `map` (fullUrl → Type/id), and conditional references by search.
fn rewrite<'a>(
    value: &'a mut Value,
    map: &'a HashMap<String, String>,
    unresolved: &mut Vec<String>,
) {
    match value {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("reference") {
                if let Some(to) = map.get(r.as_str()) {
                    *r = to.clone();
                } else if r.contains('?') || r.starts_with("urn:uuid:") || r.starts_with("urn:oid:")
                {
                    unresolved.push(r.clone());
                }
            }
            o.values_mut().for_each(|v| rewrite(v, map, unresolved));
        }
        Value::Array(a) => a.iter_mut().for_each(|v| rewrite(v, map, unresolved)),
        _ => {}
    }
}

async fn transaction(state: &AppState, ctx: &AccessContext, raw: &[Value]) -> Result<Value> {
    // A read that cannot be parsed (an operation such as `$lookup`) fails alone; a write fails
    // the transaction.
    let mut entries = Vec::with_capacity(raw.len());
    let mut unreadable = HashMap::new();
    for (i, e) in raw.iter().enumerate() {
        match parse_entry(i, e) {
            Ok(p) => entries.push(p),
            Err(err)
                if e["request"]["method"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case("GET")) =>
            {
                unreadable.insert(entries.len(), err);
                entries.push(Entry {
                    full_url: None,
                    method: "GET".into(),
                    rtype: "Basic",
                    id: None,
                    condition: Vec::new(),
                    if_none_exist: Vec::new(),
                    if_match: None,
                    resource: None,
                });
            }
            Err(err) => return Err(err),
        }
    }
    let mut map = HashMap::new();
    // Decide every entry's target first: new ids for creates, matches for conditions.
    let mut targets: Vec<Option<(String, bool)>> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let target = match e.method.as_str() {
            "POST" => {
                let existing = if e.if_none_exist.is_empty() {
                    Vec::new()
                } else {
                    matches(state, ctx, e.rtype, &e.if_none_exist)
                        .await
                        .map_err(|err| at(i, err))?
                };
                match existing.as_slice() {
                    [] => Some((ResourceId::new_v7().to_string(), true)),
                    [one] => Some((one.clone(), false)),
                    _ => return Err(precondition(i, e.rtype)),
                }
            }
            "PUT" => match &e.id {
                Some(id) => Some((id.clone(), true)),
                None => match matches(state, ctx, e.rtype, &e.condition)
                    .await
                    .map_err(|err| at(i, err))?
                    .as_slice()
                {
                    // No match: created, at the body's id when it has one.
                    [] => Some((
                        e.resource
                            .as_ref()
                            .and_then(|r| r.get("id"))
                            .and_then(Value::as_str)
                            .map_or_else(|| ResourceId::new_v7().to_string(), str::to_owned),
                        true,
                    )),
                    [one] => Some((one.clone(), true)),
                    _ => return Err(precondition(i, e.rtype)),
                },
            },
            "DELETE" => match &e.id {
                Some(id) => Some((id.clone(), true)),
                None => match matches(state, ctx, e.rtype, &e.condition)
                    .await
                    .map_err(|err| at(i, err))?
                    .as_slice()
                {
                    [] => None,
                    [one] => Some((one.clone(), true)),
                    _ => return Err(precondition(i, e.rtype)),
                },
            },
            "GET" => None,
            other => {
                return Err(bad(
                    i,
                    format!("method {other} is not supported in a transaction"),
                ));
            }
        };
        if let (Some(full), Some((id, _))) = (&e.full_url, &target) {
            map.insert(full.clone(), format!("{}/{id}", e.rtype));
            // An absolute fullUrl also stands for its relative form (`Patient/a2`).
            if full.contains("://")
                && let Some((t, Some(old))) = type_and_id(full)
            {
                map.insert(format!("{t}/{old}"), format!("{}/{id}", e.rtype));
            }
        }
        targets.push(target);
    }
    let mut writes = Vec::new();
    let mut plan = Vec::new();
    for (i, (e, target)) in entries.iter_mut().zip(&targets).enumerate() {
        match (e.method.as_str(), target) {
            ("POST" | "PUT", Some((id, true))) => {
                let mut body = e
                    .resource
                    .take()
                    .ok_or_else(|| bad(i, "resource is missing"))?;
                let mut unresolved = Vec::new();
                rewrite(&mut body, &map, &mut unresolved);
                for r in unresolved {
                    if r.starts_with("urn:") {
                        return Err(bad(
                            i,
                            format!(
                                "the reference {} is the fullUrl of no entry in this bundle",
                                r.chars().take(80).collect::<String>()
                            ),
                        ));
                    }
                    let (t, q) = r.split_once('?').unwrap_or((&r, ""));
                    let rt = ResourceType::parse(t).map_err(|e| bad(i, e))?.as_str();
                    match matches(state, ctx, rt, &query_pairs(Some(q.to_owned())))
                        .await
                        .map_err(|err| at(i, err))?
                        .as_slice()
                    {
                        [one] => {
                            let mut single = HashMap::new();
                            single.insert(r.clone(), format!("{rt}/{one}"));
                            rewrite(&mut body, &single, &mut Vec::new());
                        }
                        [] => {
                            return Err(bad(
                                i,
                                format!("the conditional reference {r} matches nothing"),
                            ));
                        }
                        _ => return Err(precondition(i, rt)),
                    }
                }
                if let Value::Object(o) = &mut body {
                    // A create gets its new id whatever the body says; an update must name the
                    // resource it updates.
                    let named = o.get("id").and_then(Value::as_str);
                    if e.method == "PUT" && named.is_some_and(|n| n != id) {
                        return Err(bad(
                            i,
                            format!(
                                "the id in the resource does not match the request URL's ('{id}')"
                            ),
                        ));
                    }
                    o.insert("id".into(), Value::String(id.clone()));
                }
                writes.push(Write::Put {
                    rtype: e.rtype.to_owned(),
                    id: id.clone(),
                    body,
                    if_match: e.if_match,
                });
                plan.push(Some(writes.len() - 1));
            }
            ("DELETE", Some((id, _))) => {
                writes.push(Write::Delete {
                    rtype: e.rtype.to_owned(),
                    id: id.clone(),
                });
                plan.push(Some(writes.len() - 1));
            }
            _ => plan.push(None),
        }
    }
    let if_match: Vec<bool> = writes
        .iter()
        .map(|w| {
            matches!(
                w,
                Write::Put {
                    if_match: Some(_),
                    ..
                }
            )
        })
        .collect();
    let entry_of: Vec<usize> = plan
        .iter()
        .enumerate()
        .filter_map(|(entry, w)| w.map(|_| entry))
        .collect();
    let written = state
        .store
        .write_all_indexed(ctx, writes)
        .await
        .map_err(|e| match e.index {
            Some(w) => at(
                entry_of[w],
                interactions::precondition_if(if_match[w], e.error),
            ),
            None => FhirError::from(e.error),
        })?;
    let base = format!("{}/fhir/R4", state.config.public_url);
    let mut out = Vec::new();
    for (i, (e, p)) in entries.iter().zip(plan).enumerate() {
        let entry = match p.map(|k| &written[k]) {
            Some(Written::Put { resource, created }) => put_entry(
                &base,
                resource,
                if *created { "201 Created" } else { "200 OK" },
            ),
            Some(Written::Deleted { .. }) => json!({"response": {"status": "204 No Content"}}),
            None if e.method == "POST" => {
                let (id, _) = targets[i].clone().unwrap_or_default();
                json!({"response": {"status": "200 OK", "location": format!("{}/{id}", e.rtype)}})
            }
            None if e.method == "GET" => match unreadable.remove(&i) {
                Some(err) => error_entry(err),
                None => read_entry(state, ctx, &base, e).await,
            },
            None => json!({"response": {"status": "204 No Content"}}),
        };
        out.push(entry);
    }
    Ok(json!({"resourceType": "Bundle", "type": "transaction-response", "entry": out}))
}

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

/// Each entry on its own: one failing entry does not stop the others. Writes follow the same
/// rules as the REST interactions, conditional ones included.
async fn batch(state: &AppState, ctx: &AccessContext, raw: &[Value]) -> Value {
    let base = format!("{}/fhir/R4", state.config.public_url);
    let mut out = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let entry = match parse_entry(i, e) {
            Err(err) => error_entry(err),
            Ok(e) if e.method == "GET" => read_entry(state, ctx, &base, &e).await,
            Ok(e) => match batch_write(state, ctx, i, e).await {
                Ok(Done::Created(r)) => put_entry(&base, &r, "201 Created"),
                Ok(Done::Updated(r) | Done::Existing(r)) => put_entry(&base, &r, "200 OK"),
                Ok(Done::Deleted(_)) => json!({"response": {"status": "204 No Content"}}),
                Err(err) => error_entry(err),
            },
        };
        out.push(entry);
    }
    json!({"resourceType": "Bundle", "type": "batch-response", "entry": out})
}

async fn batch_write(state: &AppState, ctx: &AccessContext, i: usize, e: Entry) -> Result<Done> {
    let target = match &e.id {
        Some(id) => Target::Id(id),
        None => Target::Search(&e.condition),
    };
    let body = || {
        e.resource
            .clone()
            .ok_or_else(|| FhirError::invalid("resource is missing"))
    };
    let done = match e.method.as_str() {
        "POST" => {
            let cond = (!e.if_none_exist.is_empty()).then_some(e.if_none_exist.as_slice());
            interactions::create(state, ctx, e.rtype, body()?, cond).await
        }
        "PUT" => interactions::update(state, ctx, e.rtype, target, body()?, e.if_match).await,
        "DELETE" => interactions::delete(state, ctx, e.rtype, target).await,
        other => Err(FhirError::invalid(format!(
            "method {other} is not supported in a batch"
        ))),
    };
    done.map_err(|err| at(i, err))
}
