//! Building FHIR responses for single resources: body, `ETag`, `Last-Modified`, `Location`, and
//! the `Prefer: return=` choice.

use super::outcome::{FHIR_JSON, outcome};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_store::StoredResource;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Return {
    Minimal,
    Representation,
    OperationOutcome,
}

pub fn prefer_return(headers: &HeaderMap) -> Return {
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if prefer.contains("return=minimal") {
        Return::Minimal
    } else if prefer.contains("return=OperationOutcome") {
        Return::OperationOutcome
    } else {
        Return::Representation
    }
}

pub fn http_date(ts: cartella_core::Timestamp) -> String {
    jiff::Timestamp::from_microsecond(ts.micros())
        .map(|t| t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

pub fn resource(
    status: StatusCode,
    stored: StoredResource,
    ret: Return,
    location: Option<String>,
) -> Response {
    let body = match ret {
        Return::Representation => stored.json,
        Return::Minimal => Vec::new(),
        Return::OperationOutcome => outcome(&[(
            "information",
            "informational",
            &format!("{}/{} version {}", stored.rtype, stored.id, stored.version),
        )])
        .to_string()
        .into_bytes(),
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    if ret != Return::Minimal {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    }
    if let Ok(v) = HeaderValue::from_str(&format!("W/\"{}\"", stored.version)) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&http_date(stored.last_updated)) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LOCATION, loc.clone());
        h.insert(header::CONTENT_LOCATION, loc);
    }
    resp
}

/// `If-Match: W/"3"` (or `"3"`, or `3`) → 3.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, super::outcome::FhirError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or("");
    let v = text.trim().trim_start_matches("W/").trim_matches('"');
    v.parse::<i64>().map(Some).map_err(|_| {
        super::outcome::FhirError::invalid(format!(
            "If-Match must be a version ETag like W/\"1\", got '{}'",
            text.chars().take(40).collect::<String>()
        ))
    })
}
