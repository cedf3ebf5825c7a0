//! [`PatientError`]: everything a registry call can refuse, rendered by each surface its own
//! way (JSON envelope in [`super::api`], inline form messages in the HTML pages).

use cartella_core::Timestamp;
use cartella_core::patient::{FieldError, PatientSummary};
use cartella_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PatientError {
    /// 422: every field problem of the form at once.
    #[error("some fields are not valid")]
    Validation(Vec<FieldError>),
    /// 409: patients with the same family name, first given name and birth date exist; repeat
    /// the create with `confirm_duplicate` to register anyway.
    #[error("possible duplicate of {} existing patient(s)", .0.len())]
    Duplicate(Vec<PatientSummary>),
    /// 409: the patient changed since `expected` was read. `by` is the display name (or actor
    /// id) of whoever wrote `current_version`, when the audit trail names them.
    #[error("the patient was changed at {at} (now version {current_version})")]
    Stale {
        current_version: i64,
        by: Option<String>,
        at: Timestamp,
    },
    /// 404: no such patient in this practice (also for malformed ids and deleted patients).
    #[error("patient not found")]
    NotFound,
    /// 403: the caller's roles do not allow this (the store audited the refusal).
    #[error("{0}")]
    Forbidden(String),
    /// 400: a request that cannot be run as asked (merge a patient into itself, …).
    #[error("{0}")]
    Invalid(String),
    /// Whatever the store reported otherwise (mapped by the store error's own rules).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PatientError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) | StoreError::Deleted(_) | StoreError::Erased(_) => {
                PatientError::NotFound
            }
            StoreError::Forbidden(m) => PatientError::Forbidden(format!("not allowed: {m}")),
            StoreError::InvalidSearch(m) => PatientError::Invalid(m),
            e => PatientError::Store(e),
        }
    }
}
