//! Vital-sign alerts: a value outside the reference range of the patient's age group, or a
//! sharp change from the previous value of the same code (thresholds in
//! `cartella_core::clinical::change`). Each alert is returned with the recorded set and stored
//! as an active Flag pointing at its Observation, which the chart header lists.

use super::measure::Measured;
use super::observation::{effective_of, search_code, value_of};
use crate::clinical::common::{Result, search_all};
use cartella_core::clinical::change::{self, SharpChange};
use cartella_core::clinical::codes::{ALERT_SYSTEM, EXT_FLAG_SOURCE, FLAG_CATEGORY, LOINC};
use cartella_core::clinical::time;
use cartella_core::clinical::vitals::VitalKind;
use cartella_store::{AccessContext, Store};
use cartella_terminology::loinc::{self, AgeGroup, Flag};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize)]
pub struct VitalAlert {
    /// `out-of-range` or `sharp-change`.
    pub kind: &'static str,
    pub field: &'static str,
    pub code: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// `L`, `H`, `LL`, `HH` for out-of-range alerts.
    pub flag: Option<&'static str>,
    pub critical: bool,
    pub message: String,
    pub change: Option<SharpChange>,
    /// The Observation and the Flag that record it.
    pub observation: String,
    pub flag_id: String,
}

fn name(kind: VitalKind) -> &'static str {
    loinc::get(kind.loinc()).map_or(kind.field(), |t| t.display)
}

fn group_name(g: AgeGroup) -> &'static str {
    match g {
        AgeGroup::Newborn => "newborn",
        AgeGroup::Infant => "infant",
        AgeGroup::Child => "child",
        AgeGroup::Adolescent => "adolescent",
        AgeGroup::Adult => "adult",
        AgeGroup::Elderly => "elderly",
    }
}

pub fn out_of_range(m: &Measured, group: AgeGroup, observation: &str) -> Option<VitalAlert> {
    let flag = m.flag.filter(|f| *f != Flag::Normal)?;
    let range = m.range?;
    let bound = |v: Option<f64>| v.map_or("…".to_owned(), |v| v.to_string());
    let side = if matches!(flag, Flag::Low | Flag::CriticalLow) {
        "below"
    } else {
        "above"
    };
    let message = format!(
        "{} {} {} is {side} the {} range ({}–{}){}.",
        name(m.kind),
        m.value,
        m.kind.unit(),
        group_name(group),
        bound(range.low),
        bound(range.high),
        if flag.is_critical() { ", critical" } else { "" },
    );
    Some(VitalAlert {
        kind: "out-of-range",
        field: m.kind.field(),
        code: m.kind.loinc(),
        value: m.value,
        unit: m.kind.unit(),
        flag: Some(flag.code()),
        critical: flag.is_critical(),
        message,
        change: None,
        observation: observation.to_owned(),
        flag_id: crate::clinical::common::new_id(),
    })
}

/// The latest earlier value of `kind` within its change window, from the store's index
/// (patient + code + date), never the whole chart.
pub async fn previous(
    store: &Store,
    ctx: &AccessContext,
    patient: &str,
    kind: VitalKind,
    at: Timestamp,
) -> Result<Option<(Timestamp, f64)>> {
    let Some(rule) = change::rule(kind) else {
        return Ok(None);
    };
    let params = [
        ("patient", patient.to_owned()),
        ("code", format!("{LOINC}|{}", search_code(kind.loinc()))),
        ("date", format!("ge{}", time::fhir(at - rule.window))),
        ("date", format!("lt{}", time::fhir(at))),
    ];
    let found = search_all(store, ctx, "Observation", &params, 5_000).await?;
    Ok(found
        .iter()
        .filter(|o| o["status"] != "entered-in-error")
        .filter_map(|o| {
            let v = value_of(o, kind.loinc())?["value"].as_f64()?;
            Some((effective_of(o)?, v))
        })
        .filter(|(t, _)| *t < at)
        .max_by_key(|(t, _)| *t))
}

pub fn sharp_change(
    m: &Measured,
    previous: (Timestamp, f64),
    at: Timestamp,
    observation: &str,
) -> Option<VitalAlert> {
    let c = change::sharp_change(m.kind, previous, (at, m.value))?;
    let message = format!(
        "{} changed by {:+} {} since {} (threshold {} in {} days).",
        name(m.kind),
        c.delta,
        m.kind.unit(),
        c.previous_at,
        c.threshold,
        c.window_days
    );
    Some(VitalAlert {
        kind: "sharp-change",
        field: m.kind.field(),
        code: m.kind.loinc(),
        value: m.value,
        unit: m.kind.unit(),
        flag: None,
        critical: false,
        message,
        change: Some(c),
        observation: observation.to_owned(),
        flag_id: crate::clinical::common::new_id(),
    })
}

/// The Flag that records an alert.
pub fn flag(
    a: &VitalAlert,
    patient: &str,
    encounter: Option<&str>,
    effective: &str,
    author: Value,
) -> Value {
    let mut f = json!({
        "resourceType": "Flag",
        "id": a.flag_id,
        "extension": [{"url": EXT_FLAG_SOURCE, "valueReference": {"reference": format!("Observation/{}", a.observation)}}],
        "status": "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}],
        "code": {"coding": [{"system": ALERT_SYSTEM, "code": a.kind}], "text": a.message},
        "subject": {"reference": format!("Patient/{patient}")},
        "period": {"start": effective},
        "author": author,
    });
    if let Some(e) = encounter {
        f["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    f
}
