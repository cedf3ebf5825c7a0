//! Content negotiation: Cartella speaks FHIR JSON only. A request that accepts only XML
//! (`Accept: application/fhir+xml`, `_format=xml`) gets 406 with an OperationOutcome (in
//! JSON, the one format there is) instead of a body it did not ask for.

use super::outcome::FhirError;
use super::query::query_pairs;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

fn is_xml(mime: &str) -> bool {
    let m = mime.split(';').next().unwrap_or("").trim();
    matches!(
        m,
        "xml" | "text/xml" | "application/xml" | "application/fhir+xml"
    )
}

/// Whether the request insists on XML.
pub fn wants_xml(req: &Request) -> bool {
    let format = query_pairs(req.uri().query().map(str::to_owned))
        .into_iter()
        .find(|(k, _)| k == "_format")
        .map(|(_, v)| v);
    if let Some(f) = format {
        return is_xml(&f);
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Only when every acceptable type is XML: `application/fhir+xml, */*;q=0.1` still gets JSON.
    let types: Vec<&str> = accept
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    !types.is_empty() && types.iter().all(|t| is_xml(t))
}

pub async fn json_only(req: Request, next: Next) -> Response {
    if wants_xml(&req) {
        return FhirError::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-supported",
            "XML is not supported: ask for application/fhir+json",
        )
        .into_response();
    }
    next.run(req).await
}
