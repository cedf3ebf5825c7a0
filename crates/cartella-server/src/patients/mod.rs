//! The patient registry: one service ([`service`]) that the HTML pages, the JSON API
//! (`/api/v1/patients`, [`api`]) and later features all call, over the same store as the FHIR
//! API, so every surface sees the same Patients.
//!
//! Public API (all take the [`cartella_store::Store`] and the caller's
//! [`cartella_store::AccessContext`]; access is checked by the store's permission matrix):
//! - [`search`]`(store, ctx, &SearchQuery)` → [`SearchResults`] of `PatientSummary` rows
//! - [`create`]`(store, ctx, &input, confirm_duplicate)` → [`PatientRecord`]
//! - [`get`]`(store, ctx, id)` → [`PatientRecord`] (its `input` prefills the edit form)
//! - [`update`]`(store, ctx, id, expected_version, &input)` → [`PatientRecord`]
//! - [`deactivate`]`(store, ctx, id, expected_version)` → [`PatientRecord`]
//! - [`merge`]`(store, ctx, source, target)` → [`MergeOutcome`] (administrators only)
//!
//! Every failure is one [`PatientError`]; each variant documents the status it maps to.

pub mod api;
mod error;
mod merge;
mod search;
pub mod service;
mod stale;

pub use error::PatientError;
pub use merge::{MergeOutcome, merge};
pub use search::{QueryKind, SearchQuery, SearchResults, search};
pub use service::{PatientRecord, create, deactivate, get, update};
