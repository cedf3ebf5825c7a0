//! SOAP notes (subjective, objective, assessment, plan: free text) and the reason an
//! amendment must carry.

use super::Problems;
use serde::{Deserialize, Serialize};

/// Longest section, in characters (about ten pages).
pub const MAX_SECTION: usize = 20_000;
pub const MAX_REASON: usize = 500;
/// A reason shorter than this is not a reason ("ok", "x").
pub const MIN_REASON: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SoapInput {
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
}

/// The four sections, in order, with their field names.
pub const SECTIONS: [&str; 4] = ["subjective", "objective", "assessment", "plan"];

impl SoapInput {
    pub fn get(&self, section: &str) -> Option<&str> {
        match section {
            "subjective" => self.subjective.as_deref(),
            "objective" => self.objective.as_deref(),
            "assessment" => self.assessment.as_deref(),
            "plan" => self.plan.as_deref(),
            _ => None,
        }
    }

    /// Trimmed sections; at least one must hold text.
    pub fn validate(&self) -> Result<SoapInput, Vec<super::ClinicalFieldError>> {
        let mut p = Problems::default();
        let mut out = SoapInput::default();
        for s in SECTIONS {
            let t = p.text(s, self.get(s), MAX_SECTION);
            match s {
                "subjective" => out.subjective = t,
                "objective" => out.objective = t,
                "assessment" => out.assessment = t,
                _ => out.plan = t,
            }
        }
        if p.is_empty() && SECTIONS.iter().all(|s| out.get(s).is_none()) {
            p.push(
                "subjective",
                "required",
                "Write at least one section of the note.",
            );
        }
        p.into_result(out)
    }
}

/// The reason for an amendment: required, 3 to 500 characters.
pub fn amendment_reason(p: &mut Problems, raw: Option<&str>) -> Option<String> {
    let r = p.required_text("reason", raw, MAX_REASON)?;
    if r.chars().count() < MIN_REASON {
        p.push(
            "reason",
            "too_short",
            format!("Give a reason of at least {MIN_REASON} characters."),
        );
        return None;
    }
    Some(r)
}
