//! The anamnesis (issue #6, item 2): the patient's history as FHIR resources through the
//! store (audited, visible at `/fhir/R4`), added section by section and read back as the
//! *current anamnesis* that carries the latest of each section forward to the next visit.
//!
//! Resource shapes (every one tagged with the Cartella anamnesis code system
//! `https://cartella.dev/fhir/CodeSystem/anamnesis`, `remote` or `recent`, so the history is
//! told apart from diagnoses and visits recorded in the practice):
//! - past condition: `Condition`, category `problem-list-item` + `anamnesis#remote`,
//!   `clinicalStatus` resolved (default), inactive or active, `onsetDateTime` /
//!   `abatementDateTime` as partial dates, `code` ICD-10-CM coded when a code is given (the
//!   text kept), free text otherwise;
//! - surgery: `Procedure` (`completed`), `category` `anamnesis#remote`, `code.text` with an
//!   optional SNOMED CT coding, `performedDateTime` (partial date);
//! - hospitalisation: `Encounter` class `IMP`, status `finished`, `type` `anamnesis#remote`,
//!   `period`, `reasonCode` (ICD-10-CM or text), `location[0].location.display`;
//! - current complaint: `Condition`, category `encounter-diagnosis` + `anamnesis#recent`,
//!   `clinicalStatus` active, `verificationStatus` unconfirmed (the patient's account),
//!   `code.text` the complaint (ICD-10-CM coding when given), `onsetDateTime`, the course as
//!   the extension [`EXT_COURSE`] (`improving`, `stable`, …) with the narrative in `note`,
//!   `encounter` when told at a visit;
//! - family history: `FamilyMemberHistory` (`completed`), `relationship` v3 RoleCode,
//!   `condition[0]` with `code` and `onsetAge` (UCUM `a`), `deceasedBoolean`.
//!
//! "Current" means: every remote and family entry, the latest per condition (same code or
//! text) replacing earlier ones, and the most recent complaint.

pub mod api;
pub mod read;
mod support;
pub mod write;

/// On a complaint Condition: how it evolved since the onset.
pub const EXT_COURSE: &str = "https://cartella.dev/fhir/StructureDefinition/complaint-course";
pub const SNOMED: &str = "http://snomed.info/sct";

/// The sections of the anamnesis code system.
pub const REMOTE: &str = "remote";
pub const RECENT: &str = "recent";
