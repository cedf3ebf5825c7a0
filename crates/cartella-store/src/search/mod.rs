//! Search: the backend-neutral plan ([`plan`]) and the parsing of FHIR-style query parameters
//! into it ([`parse`]), including blind-token expansion for identifying parameters.

pub mod dates;
pub mod parse;
pub mod plan;
mod values;

pub use plan::*;
