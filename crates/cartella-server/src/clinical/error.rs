//! [`ClinicalError`]: everything a clinical-record call can refuse; each variant names the
//! HTTP status the JSON API gives it (see [`super::api`]).

use cartella_core::clinical::ClinicalFieldError;
use cartella_store::StoreError;
use cartella_terminology::Alert;

#[derive(Debug, thiserror::Error)]
pub enum ClinicalError {
    /// 422: every field problem at once; nothing was saved.
    #[error("some fields are not valid")]
    Validation(Vec<ClinicalFieldError>),
    /// 409: prescribing alerts; repeat with `override_reason` to prescribe anyway.
    #[error("the prescription raised {} alert(s); give an override_reason to proceed", .0.len())]
    Alerts(Vec<Alert>),
    /// 409: the record is not in a state that allows this (closing a closed visit, …).
    #[error("{0}")]
    State(String),
    /// 404: no such record in this practice (also for malformed ids and deleted records).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 403: the caller's roles do not allow this (the refusal was audited).
    #[error("{0}")]
    Forbidden(String),
    /// 400: a request that cannot be run as asked.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(StoreError),
}

impl ClinicalError {
    /// A single field problem.
    pub fn field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        ClinicalError::Validation(vec![ClinicalFieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }])
    }
}

impl From<StoreError> for ClinicalError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Forbidden(m) => ClinicalError::Forbidden(format!("not allowed: {m}")),
            StoreError::InvalidSearch(m) => ClinicalError::Invalid(m),
            StoreError::VersionConflict { resource, .. } => ClinicalError::State(format!(
                "{resource} was changed meanwhile; reload and try again"
            )),
            e => ClinicalError::Store(e),
        }
    }
}

impl From<Vec<ClinicalFieldError>> for ClinicalError {
    fn from(v: Vec<ClinicalFieldError>) -> Self {
        ClinicalError::Validation(v)
    }
}
