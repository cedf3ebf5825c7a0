//! Errors on the FHIR surface: always an OperationOutcome with the status the error maps to.
//! Messages are safe for the client; causes go to the log, without patient data.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_store::StoreError;
use serde_json::json;

pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

#[derive(Debug)]
pub struct FhirError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
    /// Further issues after the first (e.g. every clash of a refused double booking).
    pub more: Vec<String>,
}

impl FhirError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        FhirError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            more: Vec::new(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", message)
    }
}

/// An OperationOutcome body with one issue per `(severity, code, text)`.
pub fn outcome(issues: &[(&str, &str, &str)]) -> serde_json::Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": issues.iter().map(|(severity, code, text)| json!({
            "severity": severity, "code": code, "diagnostics": text,
        })).collect::<Vec<_>>(),
    })
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let mut issues = vec![("error", self.code, self.message.as_str())];
        issues.extend(self.more.iter().map(|m| ("error", self.code, m.as_str())));
        let body = outcome(&issues).to_string();
        let mut resp = (self.status, body).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cartella\""),
            );
        }
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// A handler that panicked still answers with an OperationOutcome; the panic's text stays out
/// of the response and the log (it could hold request data).
pub fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a FHIR handler panicked");
    FhirError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "exception",
        "internal error; the incident was logged",
    )
    .into_response()
}

impl From<StoreError> for FhirError {
    fn from(e: StoreError) -> Self {
        use StoreError::*;
        match &e {
            Domain(_) | InvalidResource(_) | InvalidSearch(_) => FhirError::invalid(e.to_string()),
            NotFound(_) => FhirError::new(StatusCode::NOT_FOUND, "not-found", e.to_string()),
            Forbidden(_) => FhirError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            Deleted(_) | Erased(_) => FhirError::new(StatusCode::GONE, "deleted", e.to_string()),
            VersionConflict { .. } | Conflict(_) | ConditionMatched(_) | KeyRace => {
                FhirError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            // One issue per clash, after a summary, so a client can show each one.
            BookingConflict(clashes) => FhirError {
                more: clashes.iter().map(ToString::to_string).collect(),
                ..FhirError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("double booking refused: {} conflict(s)", clashes.len()),
                )
            },
            Database(_) | Contention(_) => {
                tracing::error!(error = %e, "database error");
                FhirError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "transient",
                    "the database is unavailable; try again",
                )
            }
            WrongMasterKey { .. }
            | Corrupted(_)
            | NotCartellaDatabase(_)
            | SchemaTooNew { .. }
            | Internal(_) => {
                tracing::error!(error = %e, "internal error");
                FhirError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "exception",
                    "internal error; the incident was logged",
                )
            }
        }
    }
}

impl From<cartella_auth::AuthError> for FhirError {
    fn from(e: cartella_auth::AuthError) -> Self {
        use cartella_auth::AuthError::*;
        match e {
            Unauthenticated | InvalidCredentials | MfaRequired | InvalidCode | InvalidClient => {
                FhirError::new(
                    StatusCode::UNAUTHORIZED,
                    "login",
                    "missing, invalid or expired bearer token or session",
                )
            }
            Forbidden(m) => FhirError::new(StatusCode::FORBIDDEN, "forbidden", m),
            RateLimited { retry_after } => FhirError {
                retry_after: Some(retry_after),
                ..FhirError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    format!("rate limit exceeded: retry in {retry_after} s"),
                )
            },
            Invalid(fields) => FhirError::invalid(
                fields
                    .iter()
                    .map(|(f, m)| format!("{f}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Conflict(m) => FhirError::new(StatusCode::CONFLICT, "conflict", m),
            InvalidGrant(m) | OAuth(_, m) => FhirError::invalid(m),
            Store(e) => e.into(),
        }
    }
}
