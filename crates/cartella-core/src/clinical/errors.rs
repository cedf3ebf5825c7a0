//! [`ClinicalFieldError`]: one problem with one field, with a stable code and an English message
//! that may name the accepted range or unit (never the patient's value).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClinicalFieldError {
    /// A stable path the form attaches the message to (`weight`, `reaction.severity`, …).
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Collects problems while a form is walked, so every field is reported at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<ClinicalFieldError>);

impl Problems {
    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(ClinicalFieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// Whether `field` already has a problem (later checks then skip it).
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// `Ok(value)` when nothing was reported.
    pub fn into_result<T>(self, value: T) -> Result<T, Vec<ClinicalFieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    /// Trimmed text, `None` when empty; longer than `max` characters is reported.
    pub fn text(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        let t = raw.map(str::trim).filter(|t| !t.is_empty())?;
        if t.chars().count() > max {
            self.push(field, "too_long", format!("At most {max} characters."));
            return None;
        }
        Some(t.to_owned())
    }

    /// Like [`Problems::text`], but the field must be given.
    pub fn required_text(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        let had = self.has(field);
        let t = self.text(field, raw, max);
        if t.is_none() && !had && !self.has(field) {
            self.push(field, "required", "This field is required.");
        }
        t
    }

    /// One of `choices` (case-insensitive), or `default` when absent.
    pub fn choice(
        &mut self,
        field: &str,
        raw: Option<&str>,
        choices: &[&'static str],
        default: &'static str,
    ) -> &'static str {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return default;
        };
        match choices.iter().find(|c| c.eq_ignore_ascii_case(raw)) {
            Some(c) => c,
            None => {
                self.push(
                    field,
                    "invalid_choice",
                    format!("Choose one of: {}.", choices.join(", ")),
                );
                default
            }
        }
    }
}
