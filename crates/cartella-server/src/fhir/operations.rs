//! The FHIR operations this server implements: the router mounts them and the
//! CapabilityStatement declares them from this one table.

use serde_json::{Value, json};

/// `(name, canonical definition)`.
pub const OPERATIONS: [(&str, &str); 5] = [
    (
        "everything",
        "http://hl7.org/fhir/OperationDefinition/Patient-everything",
    ),
    (
        "export",
        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
    ),
    (
        "patient-export",
        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
    ),
    (
        "group-export",
        "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
    ),
    (
        "validate",
        "http://hl7.org/fhir/OperationDefinition/Resource-validate",
    ),
];

pub fn declared() -> Vec<Value> {
    OPERATIONS
        .iter()
        .map(|(name, definition)| json!({"name": name, "definition": definition}))
        .collect()
}
