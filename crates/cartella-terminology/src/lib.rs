//! Clinical terminologies shipped inside the Cartella binary, with no I/O at run time: ICD-10-CM
//! (code lookup, hierarchy and a word/code search), a curated LOINC subset (vital signs and common
//! lab tests with reference ranges), the common UCUM units, and drug classes with allergy and
//! interaction rules for prescribing alerts. Sources and licences are listed in `NOTICE.md`.
#![forbid(unsafe_code)]

pub mod drugs;
mod error;
pub mod icd10;
pub mod loinc;
mod text;
pub mod ucum;

pub use drugs::{Alert, AlertKind, Rules, Severity, check_prescription};
pub use error::TermError;
pub use icd10::{Icd10, Icd10Code, Icd10Entry, Icd10Kind};

pub use loinc::{LoincCode, LoincTerm};
pub use text::Lang;
