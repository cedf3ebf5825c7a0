//! Calendar and booking pages (filled by the scheduling feature).

/// Templates of the scheduling pages (under `templates/scheduling/`).
pub const TEMPLATES: &[(&str, &str)] = &[];
