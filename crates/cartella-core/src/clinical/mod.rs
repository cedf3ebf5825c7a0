//! The clinical record's pure rules, free of I/O and of any terminology table: vital-sign
//! kinds and their physiological checks, BMI, sharp-change alert thresholds, SOAP notes and
//! amendment reasons, and the inputs of diagnoses, allergies and prescriptions. The server adds
//! what needs the terminology crate (UCUM units, LOINC plausible and reference ranges, ICD-10
//! codes, drug rules) and merges its field errors with these, so a form gets every problem in
//! one answer.

pub mod change;
pub mod codes;
mod errors;
pub mod inputs;
pub mod notes;
pub mod time;
pub mod vitals;

pub use errors::{ClinicalFieldError, Problems};

#[cfg(test)]
mod tests;
