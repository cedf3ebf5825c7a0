//! The anamnesis (medical history) forms and their pure checks: remote history (past
//! conditions, surgeries, hospitalisations), recent history (the current complaint with its
//! onset and course) and family history (relative by HL7 v3 RoleCode, condition, age at onset,
//! deceased). Dates of a history are often partial (`1985`, `1985-03`), so they are FHIR
//! partial dates, never in the future. ICD-10-CM codes are checked by the server against the
//! shipped release and merged with these problems, so a form gets every problem at once.

mod dates;
mod inputs;
pub mod relationships;

pub use dates::{PartialDate, partial_date};
pub use inputs::*;

#[cfg(test)]
mod tests;
