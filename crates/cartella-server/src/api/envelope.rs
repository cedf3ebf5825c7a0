//! The JSON API envelope: `{success, data, error: {code, message, details}, meta}` with stable
//! error codes, built from the same errors as the other surfaces.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_auth::AuthError;
use cartella_core::Timestamp;
use cartella_store::StoreError;
use serde_json::{Value, json};

pub fn ok(data: Value) -> Response {
    envelope(StatusCode::OK, Some(data), None)
}

fn envelope(status: StatusCode, data: Option<Value>, error: Option<Value>) -> Response {
    let body = json!({
        "success": error.is_none(),
        "data": data,
        "error": error,
        "meta": { "timestamp": Timestamp::now().to_string(), "version": env!("CARGO_PKG_VERSION") },
    });
    (status, Json(body)).into_response()
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Box<Value>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Box::new(Value::Null),
            retry_after: None,
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = json!({ "code": self.code, "message": self.message, "details": self.details });
        let mut resp = envelope(self.status, None, Some(error));
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        use AuthError::*;
        match e {
            InvalidCredentials | InvalidCode | Unauthenticated | InvalidClient => {
                ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", e.to_string())
            }
            MfaRequired => ApiError {
                details: Box::new(json!({ "mfa_required": true })),
                ..ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", e.to_string())
            },
            Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", m),
            RateLimited { retry_after } => ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMIT_EXCEEDED",
                    format!("too many requests: retry in {retry_after} s"),
                )
            },
            Invalid(fields) => ApiError {
                details: Box::new(
                    json!({ "fields": fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>() }),
                ),
                ..ApiError::validation("some fields are not valid")
            },
            Conflict(m) => ApiError::new(StatusCode::CONFLICT, "CONFLICT", m),
            InvalidGrant(m) | OAuth(_, m) => ApiError::validation(m),
            Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        use StoreError::*;
        match &e {
            Domain(_) | InvalidResource(_) | InvalidSearch(_) => {
                ApiError::validation(e.to_string())
            }
            Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", e.to_string()),
            NotFound(_) | Deleted(_) | Erased(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", e.to_string())
            }
            VersionConflict { .. } | Conflict(_) | KeyRace => {
                ApiError::new(StatusCode::CONFLICT, "CONFLICT", e.to_string())
            }
            // Same shape as the planning service's own conflict list.
            BookingConflict(clashes) => ApiError {
                details: Box::new(json!({ "conflicts": clashes.iter().map(|c| json!({
                    "kind": "booked",
                    "resource": c.existing.actor,
                    "appointment": c.existing.appointment_id,
                    "start": Timestamp::from_micros(c.existing.start).to_string(),
                    "end": Timestamp::from_micros(c.existing.end).to_string(),
                    "refused": c.appointment_id,
                })).collect::<Vec<_>>() })),
                ..ApiError::new(StatusCode::CONFLICT, "CONFLICT", e.to_string())
            },
            _ => {
                tracing::error!(error = %e, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "internal error; the incident was logged",
                )
            }
        }
    }
}

/// Parse a JSON body into `T` with a precise message when it does not fit.
pub fn body<T: serde::de::DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(raw)
        .map_err(|e| ApiError::validation(format!("invalid request body: {e}")))
}
