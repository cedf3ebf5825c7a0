//! The clinical record as JSON under `/api/v1`, in the API envelope.
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | POST | `/patients/{id}/encounters` | `{class?, reason?, start?}` | 201 visit |
//! | GET | `/patients/{id}/encounters` | | 200 `[Encounter]`, newest first |
//! | GET | `/encounters/{id}` | | 200 `{id, version, status, encounter, note, note_version}` |
//! | PUT | `/encounters/{id}/note` | `{subjective?, objective?, assessment?, plan?, reason?}` | 200 visit |
//! | POST | `/encounters/{id}/close` | `{end?}` | 200 visit |
//! | GET | `/encounters/{id}/history` | | 200 `{note: [...], encounter: [...]}`, newest first |
//! | POST | `/patients/{id}/vitals` | `{effective?, encounter?, device?, systolic?, diastolic?, heart_rate?, respiratory_rate?, temperature?, spo2?, weight?, height?, bmi?, pain?}` (number, or `{value, unit}`) | 201 `{effective, values, alerts}` |
//! | GET | `/patients/{id}/vitals/series` | `code` (LOINC or field), `from?`, `to?` | 200 `{code, display, unit, band, points}` |
//! | GET | `/patients/{id}/alerts` | | 200 active alerts |
//! | POST | `/alerts/{id}/acknowledge` | | 200 Flag |
//! | POST | `/patients/{id}/conditions` | `ConditionInput` | 201 problem row |
//! | GET | `/patients/{id}/conditions` | `status?` (`active`, `resolved`, …, `all`), `category?` | 200 rows |
//! | POST | `/conditions/{id}/status` | `{clinical_status, abatement?}` | 200 row |
//! | POST | `/patients/{id}/allergies` | `AllergyInput` | 201 row |
//! | GET | `/patients/{id}/allergies` | | 200 active rows |
//! | POST | `/patients/{id}/prescriptions` | `PrescriptionInput` (+ `override_reason`) | 201 `{prescription, overridden, detected_issue}` |
//! | GET | `/patients/{id}/prescriptions` | | 200 active rows |
//! | POST | `/prescriptions/{id}/stop` | | 200 row |
//! | GET | `/terminology/icd10` | `q`, `limit?` (≤ 50), `lang?` | 200 `[{code, description, billable}]` |
//!
//! Errors: 422 VALIDATION_ERROR with `details.fields = [{field, code, message}]` (nothing
//! saved); 409 CONFLICT with `details.alerts` for prescribing alerts (repeat with
//! `override_reason`) or for a record in the wrong state; 403 FORBIDDEN; 404 NOT_FOUND.

pub mod encounters;
pub mod records;
pub mod vitals;

use super::ClinicalError;
use crate::AppState;
use crate::api::envelope::{ApiError, ok};
use crate::auth::authenticate;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use cartella_store::AccessContext;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub(crate) type Result<T> = std::result::Result<T, ApiError>;

impl From<ClinicalError> for ApiError {
    fn from(e: ClinicalError) -> Self {
        let message = e.to_string();
        match e {
            ClinicalError::Validation(fields) => ApiError {
                details: Box::new(json!({ "fields": fields })),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "VALIDATION_ERROR",
                    message,
                )
            },
            ClinicalError::Alerts(alerts) => ApiError {
                details: Box::new(json!({ "alerts": alerts, "override_with": "override_reason" })),
                ..ApiError::new(StatusCode::CONFLICT, "CONFLICT", message)
            },
            ClinicalError::State(m) => ApiError::new(StatusCode::CONFLICT, "CONFLICT", m),
            ClinicalError::NotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
            }
            ClinicalError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", m),
            ClinicalError::Invalid(m) => ApiError::validation(m),
            ClinicalError::Store(s) => s.into(),
        }
    }
}

pub(crate) async fn context(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Result<AccessContext> {
    Ok(authenticate(state, headers, Some(peer), &method).await?.ctx)
}

pub(crate) fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// 201 with the data and, when given, a `Location` below `/api/v1`.
pub(crate) fn created(state: &AppState, data: Value, location: Option<String>) -> Response {
    let mut resp = ok(data);
    *resp.status_mut() = StatusCode::CREATED;
    if let Some(path) = location
        && let Ok(v) = HeaderValue::from_str(&format!("{}/api/v1{path}", state.config.public_url))
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// A JSON body, or `{}` when the body is empty.
pub(crate) fn body_or_default<T: serde::de::DeserializeOwned + Default>(raw: &[u8]) -> Result<T> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        crate::api::envelope::body(raw)
    }
}
