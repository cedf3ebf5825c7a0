//! Errors raised when raw input does not form a valid domain value.

/// A value from outside failed validation. Maps to HTTP 400 / 422 at the surfaces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("unknown resource type '{0}'")]
    UnknownResourceType(String),
    #[error("invalid resource id '{0}': ids are 1-64 characters of A-Z, a-z, 0-9, '-' and '.'")]
    InvalidResourceId(String),
    #[error(
        "invalid tenant slug '{0}': use 2-40 characters of a-z, 0-9 and '-', starting with a letter"
    )]
    InvalidTenantSlug(String),
    #[error("invalid tenant id '{0}'")]
    InvalidTenantId(String),
    #[error("{0}")]
    Invalid(String),
}
