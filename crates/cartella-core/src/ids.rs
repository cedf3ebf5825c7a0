//! Typed identifiers, each built by a fallible constructor so invalid values cannot exist.

use crate::{DomainError, resource_types::R4_RESOURCE_TYPES};
use std::fmt;

/// A FHIR resource type known to R4, e.g. `Patient`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceType(&'static str);

impl ResourceType {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        R4_RESOURCE_TYPES
            .binary_search(&raw)
            .map(|i| ResourceType(R4_RESOURCE_TYPES[i]))
            .map_err(|_| DomainError::UnknownResourceType(truncate(raw)))
    }
    pub fn as_str(&self) -> &'static str {
        self.0
    }
    pub const PATIENT: ResourceType = ResourceType("Patient");
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A FHIR logical id: `[A-Za-z0-9\-\.]{1,64}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(String);

impl ResourceId {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if ok {
            Ok(ResourceId(raw.to_owned()))
        } else {
            Err(DomainError::InvalidResourceId(truncate(raw)))
        }
    }
    /// A new server-assigned id: UUIDv7, so ids sort roughly by creation time.
    pub fn new_v7() -> Self {
        ResourceId(uuid::Uuid::now_v7().to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The internal id of a tenant (practice): a UUID, stable for the tenant's life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        uuid::Uuid::parse_str(raw)
            .map(|u| TenantId(u.to_string()))
            .map_err(|_| DomainError::InvalidTenantId(truncate(raw)))
    }
    pub fn new() -> Self {
        TenantId(uuid::Uuid::now_v7().to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TenantId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The human-chosen short name of a tenant, used on the command line and in URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = (2..=40).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(TenantSlug(raw.to_owned()))
        } else {
            Err(DomainError::InvalidTenantSlug(truncate(raw)))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Echo at most 64 characters of rejected input, so messages stay small.
fn truncate(raw: &str) -> String {
    raw.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_type_accepts_r4_types_only() {
        assert_eq!(ResourceType::parse("Patient").unwrap().as_str(), "Patient");
        assert!(ResourceType::parse("VisionPrescription").is_ok());
        assert!(ResourceType::parse("patient").is_err());
        assert!(ResourceType::parse("Foo").is_err());
        assert!(ResourceType::parse("").is_err());
    }

    #[test]
    fn resource_id_follows_fhir_rule() {
        assert!(ResourceId::parse("abc-1.2").is_ok());
        assert!(ResourceId::parse(&"a".repeat(64)).is_ok());
        assert!(ResourceId::parse(&"a".repeat(65)).is_err());
        assert!(ResourceId::parse("a b").is_err());
        assert!(ResourceId::parse("a_b").is_err());
        assert!(ResourceId::parse("").is_err());
        assert!(ResourceId::parse("è").is_err());
    }

    #[test]
    fn tenant_slug_rules() {
        assert!(TenantSlug::parse("studio-rossi").is_ok());
        assert!(TenantSlug::parse("1abc").is_err());
        assert!(TenantSlug::parse("Abc").is_err());
        assert!(TenantSlug::parse("a").is_err());
    }
}
