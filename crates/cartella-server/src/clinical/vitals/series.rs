//! A series per code for charts: every value of one LOINC code (a vital sign, a BP component or
//! a lab test) for a patient in a time window, oldest first, with the reference band of the
//! patient's age group today. It runs on the store's index (patient + code + date), so a chart
//! with years of history reads only the Observations of that code.

use super::measure::age_group;
use super::observation::{effective_of, flag_of, search_code, value_of};
use crate::clinical::ClinicalError;
use crate::clinical::common::{Result, patient, search_all};
use cartella_core::clinical::codes::LOINC;
use cartella_core::clinical::vitals::VitalKind;
use cartella_core::clinical::{Problems, time};
use cartella_store::{AccessContext, Store};
use cartella_terminology::loinc;
use serde::Serialize;
use serde_json::{Value, json};

/// The most points one series returns (ten years of daily readings fit).
pub const MAX_POINTS: usize = 5_000;

#[derive(Debug, Serialize)]
pub struct Point {
    pub time: String,
    pub value: f64,
    pub unit: String,
    pub flag: Option<String>,
    pub observation: String,
}

#[derive(Debug, Serialize)]
pub struct Series {
    pub code: String,
    pub display: String,
    pub unit: Option<String>,
    /// The reference range of the patient's age group today (`null` when none ships).
    pub band: Value,
    pub points: Vec<Point>,
}

/// `code` is a LOINC code or a vital-sign field name (`systolic`, `weight`).
pub async fn series(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    code: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Series> {
    let code: &str = match VitalKind::from_field(code) {
        Some(k) => k.loinc(),
        None => code.trim(),
    };
    let term = loinc::get(code).ok_or_else(|| {
        ClinicalError::field(
            "code",
            "unknown_code",
            "Not a LOINC code of the shipped vital-sign and lab list.",
        )
    })?;
    let now = jiff::Timestamp::now();
    let mut p = Problems::default();
    let from = from.map(|f| time::when(&mut p, "from", Some(f), now));
    let to = to.map(|t| time::when(&mut p, "to", Some(t), now));
    p.into_result(())?;
    let birth = patient(store, ctx, patient_id).await?;
    let mut params = vec![
        ("patient", patient_id.to_owned()),
        ("code", format!("{LOINC}|{}", search_code(code))),
    ];
    if let Some(f) = from {
        params.push(("date", format!("ge{}", time::fhir(f))));
    }
    if let Some(t) = to {
        params.push(("date", format!("le{}", time::fhir(t))));
    }
    let found = search_all(store, ctx, "Observation", &params, MAX_POINTS).await?;
    let mut points: Vec<(jiff::Timestamp, Point)> = found
        .iter()
        .filter(|o| o["status"] != "entered-in-error" && o["status"] != "cancelled")
        .filter_map(|o| {
            let q = value_of(o, code)?;
            let at = effective_of(o)?;
            Some((
                at,
                Point {
                    time: time::fhir(at),
                    value: q["value"].as_f64()?,
                    unit: q["code"]
                        .as_str()
                        .or(q["unit"].as_str())
                        .unwrap_or("")
                        .to_owned(),
                    flag: flag_of(o, code).map(str::to_owned),
                    observation: o["id"].as_str().unwrap_or("").to_owned(),
                },
            ))
        })
        .collect();
    points.sort_by_key(|(t, _)| *t);
    let band = term
        .range_for(age_group(birth, now))
        .map_or(Value::Null, |r| {
            json!({
                "low": r.low, "high": r.high,
                "critical_low": r.critical_low, "critical_high": r.critical_high,
                "source": r.source,
            })
        });
    Ok(Series {
        code: code.to_owned(),
        display: term.display.to_owned(),
        unit: term.unit.map(str::to_owned),
        band,
        points: points.into_iter().map(|(_, p)| p).collect(),
    })
}
