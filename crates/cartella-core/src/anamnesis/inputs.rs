//! The five anamnesis forms. Each `check` returns what passed and every problem it can decide
//! without terminology; the server checks the ICD-10-CM codes (field `code`) and the visit.

use super::dates::{PartialDate, partial_date};
use super::relationships::relationship;
use crate::clinical::Problems;
use crate::clinical::inputs::{MAX_NAME, MAX_TEXT};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

type Checked<T> = (T, Problems);

/// Clinical statuses a past condition may have (resolved by default: it is history).
pub const PAST_STATUSES: [&str; 3] = ["resolved", "inactive", "active"];
/// How a current complaint has evolved since its onset.
pub const COURSES: [&str; 5] = [
    "improving",
    "stable",
    "worsening",
    "fluctuating",
    "recurrent",
];

/// An ICD-10-CM code (checked by the server) or a description: one of the two is needed.
fn code_or_text(p: &mut Problems, code: Option<&str>, text: Option<&str>) -> Coded {
    let code = p.text("code", code, 16);
    let text = p.text("text", text, MAX_NAME);
    if code.is_none() && text.is_none() && !p.has("code") && !p.has("text") {
        p.push("code", "required", "Give an ICD-10 code or a description.");
    }
    Coded { code, text }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coded {
    pub code: Option<String>,
    pub text: Option<String>,
}

/// `end` may not be before `start`; reported under `end_field`.
fn ordered(
    p: &mut Problems,
    start: Option<&PartialDate>,
    end: Option<&PartialDate>,
    end_field: &str,
) {
    if let (Some(s), Some(e)) = (start, end)
        && s.after(e)
    {
        p.push(
            end_field,
            "before_start",
            "This date is before the start date.",
        );
    }
}

/// Remote history: a past (or still active) condition.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PastConditionInput {
    pub code: Option<String>,
    pub text: Option<String>,
    /// `resolved` (default), `inactive` or `active`.
    pub clinical_status: Option<String>,
    pub onset: Option<String>,
    pub abatement: Option<String>,
    pub note: Option<String>,
}

pub struct ValidPastCondition {
    pub coded: Coded,
    pub clinical_status: &'static str,
    pub onset: Option<PartialDate>,
    pub abatement: Option<PartialDate>,
    pub note: Option<String>,
}

impl PastConditionInput {
    pub fn check(&self, now: Timestamp) -> Checked<ValidPastCondition> {
        let mut p = Problems::default();
        let coded = code_or_text(&mut p, self.code.as_deref(), self.text.as_deref());
        let clinical_status = p.choice(
            "clinical_status",
            self.clinical_status.as_deref(),
            &PAST_STATUSES,
            "resolved",
        );
        let onset = partial_date(&mut p, "onset", self.onset.as_deref(), now);
        let abatement = partial_date(&mut p, "abatement", self.abatement.as_deref(), now);
        if clinical_status == "active" && abatement.is_some() {
            p.push(
                "abatement",
                "abatement_while_active",
                "An active condition has no end date.",
            );
        }
        ordered(&mut p, onset.as_ref(), abatement.as_ref(), "abatement");
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let v = ValidPastCondition {
            coded,
            clinical_status,
            onset,
            abatement,
            note,
        };
        (v, p)
    }
}

/// Remote history: a surgery (free text, optionally a SNOMED CT concept id).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurgeryInput {
    /// What was done, as the patient or the letter says it.
    pub text: Option<String>,
    /// SNOMED CT concept id (format-checked only: no SNOMED release ships).
    pub code: Option<String>,
    pub performed: Option<String>,
    pub note: Option<String>,
}

pub struct ValidSurgery {
    pub text: String,
    pub code: Option<String>,
    pub performed: Option<PartialDate>,
    pub note: Option<String>,
}

impl SurgeryInput {
    pub fn check(&self, now: Timestamp) -> Checked<Option<ValidSurgery>> {
        let mut p = Problems::default();
        let text = p.required_text("text", self.text.as_deref(), MAX_NAME);
        let code = p.text("code", self.code.as_deref(), 18);
        if let Some(c) = &code
            && (c.len() < 6 || !c.bytes().all(|b| b.is_ascii_digit()) || c.starts_with('0'))
        {
            p.push(
                "code",
                "invalid_code",
                "A SNOMED CT concept id is 6 to 18 digits.",
            );
        }
        let performed = partial_date(&mut p, "performed", self.performed.as_deref(), now);
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let v = text.map(|text| ValidSurgery {
            text,
            code,
            performed,
            note,
        });
        (v, p)
    }
}

/// Remote history: a stay in hospital (an inpatient encounter that is over).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HospitalisationInput {
    pub start: Option<String>,
    pub end: Option<String>,
    /// Why: an ICD-10-CM code or a description.
    pub code: Option<String>,
    pub text: Option<String>,
    /// Where (hospital, ward), free text.
    pub location: Option<String>,
    pub note: Option<String>,
}

pub struct ValidHospitalisation {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub reason: Coded,
    pub location: Option<String>,
    pub note: Option<String>,
}

impl HospitalisationInput {
    pub fn check(&self, now: Timestamp) -> Checked<Option<ValidHospitalisation>> {
        let mut p = Problems::default();
        let start = partial_date(&mut p, "start", self.start.as_deref(), now);
        if start.is_none() && !p.has("start") {
            p.push("start", "required", "This field is required.");
        }
        let end = partial_date(&mut p, "end", self.end.as_deref(), now);
        ordered(&mut p, start.as_ref(), end.as_ref(), "end");
        let reason = code_or_text(&mut p, self.code.as_deref(), self.text.as_deref());
        let location = p.text("location", self.location.as_deref(), MAX_NAME);
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let v = start.map(|start| ValidHospitalisation {
            start,
            end,
            reason,
            location,
            note,
        });
        (v, p)
    }
}

/// Recent history: the current complaint, its onset and course.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintInput {
    /// The complaint in the patient's words.
    pub text: Option<String>,
    /// Optional ICD-10-CM code (a symptom code, R00–R99, or a working diagnosis).
    pub code: Option<String>,
    pub onset: Option<String>,
    /// `improving`, `stable`, `worsening`, `fluctuating` or `recurrent`.
    pub course: Option<String>,
    /// The visit it was told at.
    pub encounter: Option<String>,
    /// The narrative of the course (what happened since the onset).
    pub note: Option<String>,
}

pub struct ValidComplaint {
    pub text: String,
    pub code: Option<String>,
    pub onset: Option<PartialDate>,
    pub course: Option<&'static str>,
    pub note: Option<String>,
}

impl ComplaintInput {
    pub fn check(&self, now: Timestamp) -> Checked<Option<ValidComplaint>> {
        let mut p = Problems::default();
        let text = p.required_text("text", self.text.as_deref(), MAX_NAME);
        let code = p.text("code", self.code.as_deref(), 16);
        let onset = partial_date(&mut p, "onset", self.onset.as_deref(), now);
        let given = self.course.as_deref().is_some_and(|c| !c.trim().is_empty());
        let course = p.choice("course", self.course.as_deref(), &COURSES, "stable");
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let v = text.map(|text| ValidComplaint {
            text,
            code,
            onset,
            course: given.then_some(course),
            note,
        });
        (v, p)
    }
}

/// Family history: one relative and one of their conditions.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FamilyInput {
    /// HL7 v3 RoleCode: `MTH`, `FTH`, `SIB`, … (see [`super::relationships`]).
    pub relationship: Option<String>,
    pub code: Option<String>,
    pub text: Option<String>,
    /// The relative's age at onset, in whole years (number or text).
    pub onset_age: Option<Value>,
    /// Whether the relative has died (`true`/`false`, or `yes`/`no`/`on` from a form).
    pub deceased: Option<Value>,
    pub note: Option<String>,
}

pub struct ValidFamily {
    pub relationship: (&'static str, &'static str),
    pub condition: Coded,
    pub onset_age: Option<u8>,
    pub deceased: Option<bool>,
    pub note: Option<String>,
}

impl FamilyInput {
    pub fn check(&self) -> Checked<Option<ValidFamily>> {
        let mut p = Problems::default();
        let rel = match self.relationship.as_deref().map(str::trim) {
            None | Some("") => {
                p.push("relationship", "required", "This field is required.");
                None
            }
            Some(r) => {
                let found = relationship(r);
                if found.is_none() {
                    p.push(
                        "relationship",
                        "unknown_relationship",
                        "Not a known relationship (HL7 v3 RoleCode such as MTH, FTH, SIB).",
                    );
                }
                found
            }
        };
        let condition = code_or_text(&mut p, self.code.as_deref(), self.text.as_deref());
        let onset_age = match &self.onset_age {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => {
                let n = match v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                };
                match n.filter(|n| (0.0..=130.0).contains(n) && n.fract() == 0.0) {
                    Some(n) => Some(n as u8),
                    None => {
                        p.push(
                            "onset_age",
                            "invalid_age",
                            "Enter the age in whole years, 0 to 130.",
                        );
                        None
                    }
                }
            }
        };
        let deceased = match &self.deceased {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" => None,
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => {
                    p.push("deceased", "invalid_choice", "Choose yes or no.");
                    None
                }
            },
            Some(_) => {
                p.push("deceased", "invalid_choice", "Choose yes or no.");
                None
            }
        };
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let v = rel.map(|relationship| ValidFamily {
            relationship,
            condition,
            onset_age,
            deceased,
            note,
        });
        (v, p)
    }
}
