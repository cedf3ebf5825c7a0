//! Guided examinations: templates are FHIR R4 Questionnaires, answers QuestionnaireResponses.
//! Pure rules, no I/O: the structure check of a template ([`check_template`], every problem
//! with its JSON path), conditional display (`enableWhen`), the answers of a form checked per
//! item and turned into response items with scores and totals ([`answer`]), and a response
//! read back as question → answer rows ([`readable`]).
//!
//! Supported item types: `group`, `display`, `string`, `text`, `integer`, `decimal`,
//! `boolean`, `choice`, `open-choice` (answered as choice or free text), `date`. Extensions:
//! units (`questionnaire-unit`), bounds (`minValue`, `maxValue`), option weights
//! (`ordinalValue` on the option's `valueCoding`), a calculated total
//! ([`EXT_TOTAL`]), translated titles and texts (`translation` on `_title`/`_text`).

mod answers;
mod readable;
mod template;

pub use answers::{Answered, RawAnswers, answer, enabled_items};
pub use readable::{Row, readable};
pub use template::{ITEM_TYPES, check_template, text_in, title_in};

/// Unit of a numeric item (`valueCoding`, UCUM).
pub const EXT_UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
pub const EXT_MIN: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
pub const EXT_MAX: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
/// Weight of an answer option (on its `valueCoding`), summed by a total item.
pub const EXT_ORDINAL: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// Translations of `title`/`text` (`_title.extension`, with `lang` and `content`).
pub const EXT_TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
/// On a read-only `integer`/`decimal` item: computed as the sum of the option weights of the
/// answered items of its group (the whole form for a top-level item). `valueString: "sum"`.
pub const EXT_TOTAL: &str = "https://cartella.dev/fhir/StructureDefinition/questionnaire-total";
/// Canonical base of the shipped templates (`<base>/<id>`).
pub const TEMPLATE_BASE: &str = "https://cartella.dev/fhir/Questionnaire";

#[cfg(test)]
mod tests;
