//! One Bundle entry's request, parsed and checked: method, URL (type, id or condition), ifMatch
//! and ifNoneExist.

use super::Result;
use crate::fhir::outcome::FhirError;
use crate::fhir::query::query_pairs;
use axum::http::StatusCode;
use cartella_core::{ResourceId, ResourceType};
use serde_json::Value;

/// One entry's request, parsed.
pub(super) struct Entry {
    pub(super) full_url: Option<String>,
    pub(super) method: String,
    pub(super) rtype: &'static str,
    /// `Some(id)` for `Type/id`; `None` for a type-level or conditional URL.
    pub(super) id: Option<String>,
    /// Search parameters of a conditional URL (`Type?…`).
    pub(super) condition: Vec<(String, String)>,
    pub(super) if_none_exist: Vec<(String, String)>,
    pub(super) if_match: Option<i64>,
    pub(super) resource: Option<Value>,
}

/// `Patient/1`, `Patient`, or an absolute URL ending so: the last resource type in the path and
/// the segment after it.
pub(super) fn type_and_id(path: &str) -> Option<(&'static str, Option<&str>)> {
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

pub(super) fn bad(i: usize, msg: impl std::fmt::Display) -> FhirError {
    FhirError::invalid(format!("entry {i}: {msg}"))
}

/// The same error, saying which entry caused it.
pub(super) fn at(i: usize, mut e: FhirError) -> FhirError {
    e.message = format!("entry {i}: {}", e.message);
    e
}

/// Parses entry `i`, taking its resource out of `e` once the request is found valid.
pub(super) fn parse_entry(i: usize, e: &mut Value) -> Result<Entry> {
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
        resource: e.get_mut("resource").map(Value::take),
    })
}
