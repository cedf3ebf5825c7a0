//! The clinical record's pages in the patient chart (filled by the clinical-record feature).

/// Templates of the clinical pages (under `templates/clinical/`).
pub const TEMPLATES: &[(&str, &str)] = &[];
