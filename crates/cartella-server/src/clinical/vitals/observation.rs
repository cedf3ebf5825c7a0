//! FHIR shapes of vital signs (R4 vital-signs profile): one Observation per measure, blood
//! pressure as the panel 85354-9 with systolic and diastolic components; each value with its
//! UCUM quantity, its interpretation (`N`, `L`, `H`, `LL`, `HH`) and the reference range used.
//! And the way back: a value and its time from a stored Observation.

use super::measure::Measured;
use cartella_core::clinical::codes::{
    INTERPRETATION, LOINC, OBSERVATION_CATEGORY, UCUM, VITAL_SIGNS_PROFILE,
};
use cartella_core::clinical::vitals::{BP_PANEL, VitalKind};
use cartella_terminology::loinc;
use serde_json::{Map, Value, json};

/// What every vital-sign Observation of one recorded set shares.
pub struct Context<'a> {
    pub patient: &'a str,
    pub encounter: Option<&'a str>,
    pub effective: &'a str,
    pub performer: Value,
    /// The device that measured (imports), recorded as `Observation.device`.
    pub device: Option<&'a str>,
}

fn coding(code: &str) -> Value {
    let display = loinc::get(code).map_or("", |t| t.display);
    json!({"coding": [{"system": LOINC, "code": code, "display": display}], "text": display})
}

fn quantity(value: f64, unit: &str) -> Value {
    json!({"value": value, "unit": unit, "system": UCUM, "code": unit})
}

/// `code`, `valueQuantity`, `interpretation`, `referenceRange` of one measure.
fn value_parts(m: &Measured) -> Map<String, Value> {
    let unit = m.kind.unit();
    let mut o = Map::new();
    o.insert("code".into(), coding(m.kind.loinc()));
    o.insert("valueQuantity".into(), quantity(m.value, unit));
    if let Some(f) = m.flag {
        o.insert(
            "interpretation".into(),
            json!([{"coding": [{"system": INTERPRETATION, "code": f.code()}]}]),
        );
    }
    if let Some(r) = &m.range {
        let mut rr = Map::new();
        if let Some(l) = r.low {
            rr.insert("low".into(), quantity(l, unit));
        }
        if let Some(h) = r.high {
            rr.insert("high".into(), quantity(h, unit));
        }
        rr.insert("text".into(), json!(r.source));
        o.insert("referenceRange".into(), json!([rr]));
    }
    o
}

/// The Observation body for `measures` (one, or systolic + diastolic for the BP panel).
pub fn observation(
    id: &str,
    ctx: &Context<'_>,
    measures: &[&Measured],
    derived_from: &[String],
) -> Value {
    let kind = measures[0].kind;
    let mut o = json!({
        "resourceType": "Observation",
        "id": id,
        "meta": {"profile": [VITAL_SIGNS_PROFILE, kind.profile()]},
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}],
        "subject": {"reference": format!("Patient/{}", ctx.patient)},
        "effectiveDateTime": ctx.effective,
        "performer": [ctx.performer.clone()],
    });
    if kind.is_blood_pressure() {
        o["code"] = coding(BP_PANEL);
        o["component"] = Value::Array(
            measures
                .iter()
                .map(|m| Value::Object(value_parts(m)))
                .collect(),
        );
    } else if let Value::Object(map) = &mut o {
        map.extend(value_parts(measures[0]));
    }
    if let Some(e) = ctx.encounter {
        o["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    if let Some(d) = ctx.device {
        o["device"] = json!({"display": d});
    }
    if !derived_from.is_empty() {
        o["derivedFrom"] = Value::Array(
            derived_from
                .iter()
                .map(|id| json!({"reference": format!("Observation/{id}")}))
                .collect(),
        );
    }
    o
}

/// The LOINC code to search for a kind (systolic and diastolic live in the BP panel).
pub fn search_code(code: &str) -> &str {
    match VitalKind::from_loinc(code) {
        Some(k) if k.is_blood_pressure() => BP_PANEL,
        _ => code,
    }
}

/// The quantity of `code` in a stored Observation: its value, or the component's for BP.
pub fn value_of<'a>(obs: &'a Value, code: &str) -> Option<&'a Value> {
    let has = |v: &Value| {
        v["code"]["coding"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["code"] == code))
    };
    if has(obs) {
        return Some(&obs["valueQuantity"]);
    }
    obs["component"]
        .as_array()?
        .iter()
        .find(|c| has(c))
        .map(|c| &c["valueQuantity"])
}

/// The interpretation code of `code` in a stored Observation.
pub fn flag_of<'a>(obs: &'a Value, code: &str) -> Option<&'a str> {
    let node = if obs["code"]["coding"][0]["code"] == code {
        obs
    } else {
        obs["component"]
            .as_array()?
            .iter()
            .find(|c| c["code"]["coding"][0]["code"] == code)?
    };
    node["interpretation"][0]["coding"][0]["code"].as_str()
}

/// When the value was taken.
pub fn effective_of(obs: &Value) -> Option<jiff::Timestamp> {
    obs["effectiveDateTime"]
        .as_str()
        .or_else(|| obs["effectiveInstant"].as_str())
        .and_then(|t| t.parse().ok())
}
