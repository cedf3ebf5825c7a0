//! The clinical record (issue #6): visits with SOAP notes and amendments, vital signs with
//! alerts and series, diagnoses, allergies and prescriptions with prescribing alerts. Every
//! item is a FHIR R4 resource written through the store (so `/fhir/R4` exposes it and every
//! write has its audit row); the services take `(&Store, &AccessContext, …)` and the JSON API
//! ([`api`]) renders them in the `/api/v1` envelope.
//!
//! Resource shapes:
//! - visit: `Encounter` (`in-progress` → `finished`, participant = the author by user
//!   identifier with role and period); its note is `Composition/<encounter id>` (LOINC 11506-3,
//!   SOAP sections); amendments of a closed visit's note are new versions with status
//!   `amended` and the reason extension, plus a `Provenance` (who, when, revised version);
//! - vitals: `Observation` per measure (vital-signs profile, LOINC, UCUM, interpretation,
//!   reference range), BP as panel 85354-9 with components, BMI computed with `derivedFrom`;
//!   alerts as active `Flag`s pointing at their Observation;
//! - diagnoses: `Condition` (ICD-10-CM), problem list by `clinicalStatus`;
//! - allergies: `AllergyIntolerance` (drug/class coded when recognised);
//! - prescriptions: `MedicationRequest`; an overridden alert is a `DetectedIssue` with the
//!   override as mitigation, written in the same transaction.

pub mod api;
pub(crate) mod common;
pub mod encounters;
mod error;
mod notes;
pub mod prescriptions;
pub mod records;
pub mod vitals;

pub use error::ClinicalError;
