//! Lab orders and results (issue #6, item 8), written through the store (audited, exposed on
//! `/fhir/R4`). The input rules, unit conversions and chart geometry are pure and live in
//! `cartella_core::labs`; codes, units and ranges come from `cartella_terminology::loinc`.
//!
//! Resource shapes:
//! - order: one `ServiceRequest` per ordered test or panel (`status` active → completed,
//!   `intent` order, `category` laboratory (SNOMED 108252007), `code` LOINC, `priority`,
//!   `requisition` shared by the tests ordered together, `requester` = the user by identifier,
//!   optional `encounter`, `note`);
//! - results: one `Observation` per reported test (`category` laboratory, `code` LOINC,
//!   `valueQuantity` in the test's UCUM unit (converted when the lab sent another unit of the
//!   same dimension) or `valueString` for qualitative tests, `interpretation` N/L/H/LL/HH,
//!   `referenceRange` (the lab's own when given, else the shipped one for the age group),
//!   `basedOn` the order) and one `DiagnosticReport` (`code` = the order's, `basedOn`,
//!   `result`s, `conclusion`), written with the order's completion in one transaction;
//! - a critical value (LL/HH) also carries the category `critical-result-for|<ordering user>`
//!   (system [`CRITICAL_FOR`]), which is what the "critical results for me" list searches
//!   (the store indexes Observation categories, not ServiceRequest requesters).

pub mod api;
pub mod catalog;
pub mod orders;
pub mod reads;
pub mod results;

pub use crate::clinical::ClinicalError;

/// Marks a critical result with the user who ordered it (code = user id).
pub const CRITICAL_FOR: &str = "https://cartella.dev/fhir/CodeSystem/critical-result-for";
/// The requisition identifier shared by the tests of one order.
pub const REQUISITION_SYSTEM: &str = "https://cartella.dev/fhir/sid/lab-requisition";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const DIAGNOSTIC_SERVICE: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";

/// `category` of a lab ServiceRequest.
pub fn order_category() -> serde_json::Value {
    serde_json::json!([{"coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]}])
}

/// The age group at the time of the specimen; adults when the birth date is unknown (lab
/// ranges ship for adults, the elderly fall back to them).
pub fn age_group(
    birth: Option<jiff::civil::Date>,
    at: jiff::Timestamp,
) -> cartella_terminology::loinc::AgeGroup {
    use cartella_terminology::loinc::AgeGroup;
    birth
        .and_then(|b| cartella_core::clinical::time::age_days(b, at))
        .map_or(AgeGroup::Adult, AgeGroup::from_age_days)
}
