//! Cartella's domain vocabulary: typed identifiers, validation and time, with no I/O.
#![forbid(unsafe_code)]

pub mod access;
pub mod anamnesis;
pub mod clinical;
pub mod error;
pub mod exams;
pub mod ids;
pub mod labs;
pub mod patient;
pub mod resource_types;
pub mod scheduling;
pub mod time;

pub use error::DomainError;
pub use ids::{ResourceId, ResourceType, TenantId, TenantSlug};
pub use time::Timestamp;
