//! The forms of the clinical record beyond vitals and notes: opening an encounter, a
//! diagnosis, an allergy, a prescription. Each `validate` reports every field problem it can
//! decide without terminology; codes (ICD-10, drug names, UCUM dose units) are checked by the
//! server, which merges its problems with these.

use super::{ClinicalFieldError, Problems, time};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub const MAX_TEXT: usize = 2_000;
pub const MAX_NAME: usize = 200;

type Checked<T> = (T, Problems);

/// Open a visit.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncounterInput {
    /// `ambulatory` (default), `home`, `virtual`, `emergency`, `inpatient`.
    pub class: Option<String>,
    /// Why the patient came (free text).
    pub reason: Option<String>,
    /// When the visit started; now when absent.
    pub start: Option<String>,
}

pub struct ValidEncounter {
    /// The v3-ActCode of the class (`AMB`, `HH`, `VR`, `EMER`, `IMP`) and its display.
    pub class: (&'static str, &'static str),
    pub reason: Option<String>,
    pub start: Timestamp,
}

pub const ENCOUNTER_CLASSES: [&str; 5] =
    ["ambulatory", "home", "virtual", "emergency", "inpatient"];

impl EncounterInput {
    pub fn validate(&self, now: Timestamp) -> Result<ValidEncounter, Vec<ClinicalFieldError>> {
        let mut p = Problems::default();
        let class = match p.choice(
            "class",
            self.class.as_deref(),
            &ENCOUNTER_CLASSES,
            "ambulatory",
        ) {
            "home" => ("HH", "home health"),
            "virtual" => ("VR", "virtual"),
            "emergency" => ("EMER", "emergency"),
            "inpatient" => ("IMP", "inpatient encounter"),
            _ => ("AMB", "ambulatory"),
        };
        let reason = p.text("reason", self.reason.as_deref(), MAX_TEXT);
        let start = time::when(&mut p, "start", self.start.as_deref(), now);
        p.into_result(ValidEncounter {
            class,
            reason,
            start,
        })
    }
}

/// A diagnosis or a past condition.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConditionInput {
    /// ICD-10-CM code (checked by the server); or `text` alone for an uncoded past condition.
    pub code: Option<String>,
    pub text: Option<String>,
    /// `problem-list-item` (default) or `encounter-diagnosis`.
    pub category: Option<String>,
    /// `active` (default), `recurrence`, `relapse`, `inactive`, `remission`, `resolved`.
    pub clinical_status: Option<String>,
    /// `confirmed` (default), `provisional`, `differential`, `unconfirmed`, `refuted`.
    pub verification_status: Option<String>,
    pub onset: Option<String>,
    pub abatement: Option<String>,
    pub encounter: Option<String>,
    pub note: Option<String>,
}

pub struct ValidCondition {
    pub code: Option<String>,
    pub text: Option<String>,
    pub category: &'static str,
    pub clinical_status: &'static str,
    pub verification_status: &'static str,
    pub onset: Option<Date>,
    pub abatement: Option<Date>,
    pub note: Option<String>,
}

pub const CLINICAL_STATUSES: [&str; 6] = [
    "active",
    "recurrence",
    "relapse",
    "inactive",
    "remission",
    "resolved",
];
pub const VERIFICATION_STATUSES: [&str; 5] = [
    "confirmed",
    "provisional",
    "differential",
    "unconfirmed",
    "refuted",
];

impl ConditionInput {
    pub fn check(&self, now: Timestamp, categories: &[&'static str]) -> Checked<ValidCondition> {
        let mut p = Problems::default();
        let code = p.text("code", self.code.as_deref(), 16);
        let text = p.text("text", self.text.as_deref(), MAX_NAME);
        if code.is_none() && text.is_none() && !p.has("code") && !p.has("text") {
            p.push(
                "code",
                "required",
                "Give an ICD-10 code (or a description).",
            );
        }
        let category = p.choice(
            "category",
            self.category.as_deref(),
            categories,
            categories[0],
        );
        let clinical_status = p.choice(
            "clinical_status",
            self.clinical_status.as_deref(),
            &CLINICAL_STATUSES,
            "active",
        );
        let verification_status = p.choice(
            "verification_status",
            self.verification_status.as_deref(),
            &VERIFICATION_STATUSES,
            "confirmed",
        );
        let onset = time::past_date(&mut p, "onset", self.onset.as_deref(), now);
        let abatement = time::past_date(&mut p, "abatement", self.abatement.as_deref(), now);
        if let (Some(o), Some(a)) = (onset, abatement)
            && a < o
        {
            p.push(
                "abatement",
                "before_onset",
                "The end cannot be before the onset.",
            );
        }
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let valid = ValidCondition {
            code,
            text,
            category,
            clinical_status,
            verification_status,
            onset,
            abatement,
            note,
        };
        (valid, p)
    }
}

/// An allergy or intolerance.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllergyInput {
    /// A drug, a drug class, a food… (matched against the drug table by the server).
    pub substance: Option<String>,
    /// `medication` (default), `food`, `environment`, `biologic`.
    pub category: Option<String>,
    /// `low`, `high`, `unable-to-assess` (default).
    pub criticality: Option<String>,
    /// `confirmed` (default) or `unconfirmed`, `refuted`, `entered-in-error`.
    pub verification_status: Option<String>,
    /// What happened (`hives`, `anaphylaxis`), free text.
    pub reaction: Option<String>,
    /// `mild`, `moderate`, `severe`.
    pub severity: Option<String>,
    pub onset: Option<String>,
    pub note: Option<String>,
}

pub struct ValidAllergy {
    pub substance: String,
    pub category: &'static str,
    pub criticality: &'static str,
    pub verification_status: &'static str,
    pub reaction: Option<String>,
    pub severity: Option<&'static str>,
    pub onset: Option<Date>,
    pub note: Option<String>,
}

impl AllergyInput {
    pub fn validate(&self, now: Timestamp) -> Result<ValidAllergy, Vec<ClinicalFieldError>> {
        let mut p = Problems::default();
        let substance = p.required_text("substance", self.substance.as_deref(), MAX_NAME);
        let category = p.choice(
            "category",
            self.category.as_deref(),
            &["medication", "food", "environment", "biologic"],
            "medication",
        );
        let criticality = p.choice(
            "criticality",
            self.criticality.as_deref(),
            &["low", "high", "unable-to-assess"],
            "unable-to-assess",
        );
        let verification_status = p.choice(
            "verification_status",
            self.verification_status.as_deref(),
            &["confirmed", "unconfirmed", "refuted", "entered-in-error"],
            "confirmed",
        );
        let reaction = p.text("reaction", self.reaction.as_deref(), MAX_NAME);
        let severity = self
            .severity
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| p.choice("severity", Some(s), &["mild", "moderate", "severe"], "mild"));
        if severity.is_some() && reaction.is_none() && !p.has("reaction") {
            p.push(
                "reaction",
                "required",
                "Describe the reaction the severity refers to.",
            );
        }
        let onset = time::past_date(&mut p, "onset", self.onset.as_deref(), now);
        let note = p.text("note", self.note.as_deref(), MAX_TEXT);
        let valid = ValidAllergy {
            substance: substance.unwrap_or_default(),
            category,
            criticality,
            verification_status,
            reaction,
            severity,
            onset,
            note,
        };
        p.into_result(valid)
    }
}

/// A prescription. `override_reason` accepts the prescribing alerts the server raised.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrescriptionInput {
    pub drug: Option<String>,
    pub dose: Option<f64>,
    /// UCUM (checked by the server): `mg`, `mL`, `{tbl}`…
    pub dose_unit: Option<String>,
    /// `oral` (default), `intravenous`, `intramuscular`, `subcutaneous`, `topical`, `inhaled`,
    /// `rectal`, `sublingual`, `transdermal`, `ophthalmic`, `nasal`.
    pub route: Option<String>,
    /// How often, as the prescriber writes it (`every 8 hours`, `1-0-1`).
    pub frequency: Option<String>,
    pub duration_days: Option<i64>,
    pub instructions: Option<String>,
    pub encounter: Option<String>,
    pub override_reason: Option<String>,
}

pub const ROUTES: [&str; 11] = [
    "oral",
    "intravenous",
    "intramuscular",
    "subcutaneous",
    "topical",
    "inhaled",
    "rectal",
    "sublingual",
    "transdermal",
    "ophthalmic",
    "nasal",
];
pub const MAX_DURATION_DAYS: i64 = 365;

pub struct ValidPrescription {
    pub drug: String,
    pub dose: Option<(f64, String)>,
    pub route: &'static str,
    pub frequency: String,
    pub duration_days: Option<i64>,
    pub instructions: Option<String>,
    pub override_reason: Option<String>,
}

impl PrescriptionInput {
    pub fn check(&self) -> Checked<ValidPrescription> {
        let mut p = Problems::default();
        let drug = p.required_text("drug", self.drug.as_deref(), MAX_NAME);
        let unit = p.text("dose_unit", self.dose_unit.as_deref(), 32);
        let dose = match (self.dose, unit) {
            (Some(d), _) if !d.is_finite() || d <= 0.0 => {
                p.push(
                    "dose",
                    "not_positive",
                    "The dose must be greater than zero.",
                );
                None
            }
            (Some(d), Some(u)) => Some((d, u)),
            (Some(_), None) if !p.has("dose_unit") => {
                p.push(
                    "dose_unit",
                    "required",
                    "Give the unit of the dose (UCUM, e.g. mg).",
                );
                None
            }
            (None, Some(_)) => {
                p.push("dose", "required", "Give the dose the unit belongs to.");
                None
            }
            _ => None,
        };
        let route = p.choice("route", self.route.as_deref(), &ROUTES, "oral");
        let frequency = p.required_text("frequency", self.frequency.as_deref(), MAX_NAME);
        let duration_days = self.duration_days.filter(|d| {
            let ok = (1..=MAX_DURATION_DAYS).contains(d);
            if !ok {
                p.push(
                    "duration_days",
                    "out_of_range",
                    format!("The duration is 1 to {MAX_DURATION_DAYS} days."),
                );
            }
            ok
        });
        let instructions = p.text("instructions", self.instructions.as_deref(), MAX_TEXT);
        let override_reason = p.text("override_reason", self.override_reason.as_deref(), 500);
        let valid = ValidPrescription {
            drug: drug.unwrap_or_default(),
            dose,
            route,
            frequency: frequency.unwrap_or_default(),
            duration_days,
            instructions,
            override_reason,
        };
        (valid, p)
    }
}
