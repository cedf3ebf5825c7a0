//! Guided examinations from templates (FHIR Questionnaires) in the patient chart.

/// Templates of the examination pages (under `templates/exams/`).
pub const TEMPLATES: &[(&str, &str)] = &[];
