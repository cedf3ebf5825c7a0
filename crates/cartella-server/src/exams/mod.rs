//! Guided examinations (issue #6, item 4): templates are FHIR `Questionnaire`s, answers
//! `QuestionnaireResponse`s, both written through the store (so `/fhir/R4` exposes them and
//! every write has its audit row). The rules (structure check, conditional items, answer
//! types, totals, reading back) are pure and live in `cartella_core::exams`.
//!
//! Resource shapes:
//! - template: `Questionnaire` with `url` = `https://cartella.dev/fhir/Questionnaire/<id>`,
//!   `version`, `title` (+ `_title` translations), `status`, `item`s. The shipped templates
//!   (`data/questionnaires/*.json`) are seeded into a practice with fixed ids the first time its
//!   templates are listed; administrators may create and edit templates (Knowledge group);
//! - answers: `QuestionnaireResponse` (`status` completed, `questionnaire` = `url|version`,
//!   `subject`, optional `encounter`, `author` = the user by identifier with role, `authored`,
//!   `item` tree; numeric answers with a unit are `valueQuantity` (UCUM), totals are the answer
//!   of the total item).
//!
//! Errors are [`ClinicalError`]s, so the JSON API renders them like the rest of the record.

pub mod api;
pub mod responses;
pub(crate) mod support;
pub mod templates;

pub use crate::clinical::ClinicalError;
