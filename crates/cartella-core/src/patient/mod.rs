//! The patient registry's domain: the form a user fills in ([`PatientInput`]), its validation
//! into a [`ValidPatient`] with every problem reported at once ([`FieldError`]), identifiers
//! with real check digits ([`identifiers`]), and the mapping to and from FHIR `Patient` JSON.
//!
//! Typical use (the server's patient service does exactly this):
//! ```
//! use cartella_core::patient::{PatientInput, fhir};
//! let input = PatientInput {
//!     given: "Maria".into(),
//!     family: "Rossi".into(),
//!     sex: "female".into(),
//!     birth_date: "10/12/1985".into(),
//!     ..Default::default()
//! };
//! let valid = input.validate().expect("valid");
//! let resource = fhir::to_fhir(&valid, None);
//! assert_eq!(resource["birthDate"], "1985-12-10");
//! assert_eq!(fhir::to_input(&resource).family, "Rossi");
//! ```

mod errors;
pub mod fhir;
pub mod identifiers;
mod input;
mod validate;
mod values;

pub use errors::FieldError;
pub use fhir::PatientSummary;
pub use identifiers::{Identifier, IdentifierKind};
pub use input::{AddressInput, EmergencyContactInput, GpInput, IdentifierInput, PatientInput};
pub use validate::{Address, EmergencyContact, GeneralPractitioner, ValidPatient};
pub use values::{Email, Language, PhoneNumber, Sex, parse_date};

#[cfg(test)]
mod tests;
