//! Vital signs: the kinds the FHIR vital-signs profile records (LOINC code, canonical UCUM
//! unit), one set of readings as a nurse enters it, and the checks that need no terminology:
//! numbers, signs, bounds that hold in any unit (pain 0–10, SpO2 ≤ 100 %), systolic above
//! diastolic, and BMI. Units and plausible ranges are checked by the server with the LOINC and
//! UCUM tables.

use super::{Problems, time};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The blood-pressure panel that carries systolic and diastolic as components.
pub const BP_PANEL: &str = "85354-9";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VitalKind {
    Systolic,
    Diastolic,
    HeartRate,
    RespiratoryRate,
    Temperature,
    Spo2,
    Weight,
    Height,
    Bmi,
    Pain,
}

impl VitalKind {
    pub const ALL: [VitalKind; 10] = [
        VitalKind::Systolic,
        VitalKind::Diastolic,
        VitalKind::HeartRate,
        VitalKind::RespiratoryRate,
        VitalKind::Temperature,
        VitalKind::Spo2,
        VitalKind::Weight,
        VitalKind::Height,
        VitalKind::Bmi,
        VitalKind::Pain,
    ];

    /// The field name in forms, the API and CSV imports.
    pub fn field(self) -> &'static str {
        match self {
            VitalKind::Systolic => "systolic",
            VitalKind::Diastolic => "diastolic",
            VitalKind::HeartRate => "heart_rate",
            VitalKind::RespiratoryRate => "respiratory_rate",
            VitalKind::Temperature => "temperature",
            VitalKind::Spo2 => "spo2",
            VitalKind::Weight => "weight",
            VitalKind::Height => "height",
            VitalKind::Bmi => "bmi",
            VitalKind::Pain => "pain",
        }
    }

    pub fn loinc(self) -> &'static str {
        match self {
            VitalKind::Systolic => "8480-6",
            VitalKind::Diastolic => "8462-4",
            VitalKind::HeartRate => "8867-4",
            VitalKind::RespiratoryRate => "9279-1",
            VitalKind::Temperature => "8310-5",
            VitalKind::Spo2 => "59408-5",
            VitalKind::Weight => "29463-7",
            VitalKind::Height => "8302-2",
            VitalKind::Bmi => "39156-5",
            VitalKind::Pain => "72514-3",
        }
    }

    /// The UCUM unit values are stored in (the one of the LOINC term).
    pub fn unit(self) -> &'static str {
        match self {
            VitalKind::Systolic | VitalKind::Diastolic => "mm[Hg]",
            VitalKind::HeartRate | VitalKind::RespiratoryRate => "/min",
            VitalKind::Temperature => "Cel",
            VitalKind::Spo2 => "%",
            VitalKind::Weight => "kg",
            VitalKind::Height => "cm",
            VitalKind::Bmi => "kg/m2",
            VitalKind::Pain => "{score}",
        }
    }

    /// The profile of the FHIR vital-signs IG for this kind (pain has none in R4).
    pub fn profile(self) -> &'static str {
        match self {
            VitalKind::Systolic | VitalKind::Diastolic => {
                "http://hl7.org/fhir/StructureDefinition/bp"
            }
            VitalKind::HeartRate => "http://hl7.org/fhir/StructureDefinition/heartrate",
            VitalKind::RespiratoryRate => "http://hl7.org/fhir/StructureDefinition/resprate",
            VitalKind::Temperature => "http://hl7.org/fhir/StructureDefinition/bodytemp",
            VitalKind::Spo2 => "http://hl7.org/fhir/StructureDefinition/oxygensat",
            VitalKind::Weight => "http://hl7.org/fhir/StructureDefinition/bodyweight",
            VitalKind::Height => "http://hl7.org/fhir/StructureDefinition/bodyheight",
            VitalKind::Bmi => "http://hl7.org/fhir/StructureDefinition/bmi",
            VitalKind::Pain => "http://hl7.org/fhir/StructureDefinition/vitalsigns",
        }
    }

    pub fn from_field(field: &str) -> Option<VitalKind> {
        VitalKind::ALL.into_iter().find(|k| k.field() == field)
    }

    pub fn from_loinc(code: &str) -> Option<VitalKind> {
        VitalKind::ALL.into_iter().find(|k| k.loinc() == code)
    }

    /// Systolic and diastolic are components of one blood-pressure Observation.
    pub fn is_blood_pressure(self) -> bool {
        matches!(self, VitalKind::Systolic | VitalKind::Diastolic)
    }
}

/// One set of vitals as sent: `{"effective": …, "weight": 72.5, "height": {"value": 70,
/// "unit": "[in_i]"}, …}`. A bare number is in the kind's canonical unit.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VitalsInput {
    #[serde(default)]
    pub effective: Option<String>,
    #[serde(flatten)]
    pub values: BTreeMap<String, Value>,
}

/// One reading that passed the checks here; `unit` is as given (the server converts it).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub kind: VitalKind,
    pub value: f64,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedVitals {
    pub effective: Timestamp,
    pub readings: Vec<Reading>,
}

impl VitalsInput {
    /// Checks every field; returns the readings that passed and every problem found, so the
    /// caller can add its own unit and range checks before refusing the whole set.
    /// `extra_fields` are other keys of the same body the caller handles itself.
    pub fn check(&self, now: Timestamp, extra_fields: &[&str]) -> (CheckedVitals, Problems) {
        let mut p = Problems::default();
        let effective = time::when(&mut p, "effective", self.effective.as_deref(), now);
        let mut readings = Vec::new();
        for (field, raw) in &self.values {
            if extra_fields.contains(&field.as_str()) || raw.is_null() {
                continue;
            }
            let Some(kind) = VitalKind::from_field(field) else {
                p.push(
                    field.clone(),
                    "unknown_field",
                    format!(
                        "Not a vital sign; use one of: {}.",
                        VitalKind::ALL.map(VitalKind::field).join(", ")
                    ),
                );
                continue;
            };
            if let Some(r) = reading(&mut p, kind, raw) {
                readings.push(r);
            }
        }
        let get = |k: VitalKind| readings.iter().find(|r| r.kind == k);
        match (get(VitalKind::Systolic), get(VitalKind::Diastolic)) {
            (Some(s), Some(d)) if s.unit == d.unit && s.value <= d.value => p.push(
                "diastolic",
                "diastolic_not_below_systolic",
                "The diastolic pressure must be lower than the systolic.",
            ),
            (Some(_), None) | (None, Some(_)) => {
                let missing = if get(VitalKind::Systolic).is_some() {
                    "diastolic"
                } else {
                    "systolic"
                };
                if !p.has("systolic") && !p.has("diastolic") {
                    p.push(
                        missing,
                        "required",
                        "Blood pressure needs both systolic and diastolic.",
                    );
                }
            }
            _ => {}
        }
        if get(VitalKind::Bmi).is_some()
            && get(VitalKind::Weight).is_some()
            && get(VitalKind::Height).is_some()
        {
            p.push(
                "bmi",
                "computed",
                "BMI is computed from weight and height: leave it empty.",
            );
        }
        if readings.is_empty() && p.is_empty() {
            p.push("values", "required", "Enter at least one vital sign.");
        }
        (
            CheckedVitals {
                effective,
                readings,
            },
            p,
        )
    }
}

fn reading(p: &mut Problems, kind: VitalKind, raw: &Value) -> Option<Reading> {
    let field = kind.field();
    let (value, unit) = match raw {
        Value::Number(n) => (n.as_f64(), None),
        Value::Object(o) => (
            o.get("value").and_then(Value::as_f64),
            o.get("unit").and_then(Value::as_str).map(str::trim),
        ),
        _ => (None, None),
    };
    let Some(value) = value.filter(|v| v.is_finite()) else {
        p.push(
            field,
            "not_a_number",
            "Enter a number (or {\"value\": number, \"unit\": UCUM unit}).",
        );
        return None;
    };
    let unit = unit
        .filter(|u| !u.is_empty())
        .unwrap_or(kind.unit())
        .to_owned();
    // Bounds that hold in any unit a kind accepts: a measure of size is never zero or below,
    // and pain and SpO2 are bounded by their scales.
    match kind {
        VitalKind::Pain if !(0.0..=10.0).contains(&value) || value.fract() != 0.0 => {
            p.push(
                field,
                "out_of_scale",
                "Pain is a whole number from 0 to 10.",
            );
            return None;
        }
        VitalKind::Pain => {}
        VitalKind::Spo2 if !(0.0..=100.0).contains(&value) => {
            p.push(
                field,
                "out_of_scale",
                "Oxygen saturation is a percentage from 0 to 100.",
            );
            return None;
        }
        VitalKind::Temperature => {}
        _ if value <= 0.0 => {
            p.push(
                field,
                "not_positive",
                "The value must be greater than zero.",
            );
            return None;
        }
        _ => {}
    }
    Some(Reading { kind, value, unit })
}

/// Body-mass index from weight in kg and height in cm, to one decimal.
pub fn bmi(weight_kg: f64, height_cm: f64) -> Option<f64> {
    if weight_kg <= 0.0 || height_cm <= 0.0 {
        return None;
    }
    let m = height_cm / 100.0;
    Some((weight_kg / (m * m) * 10.0).round() / 10.0)
}
