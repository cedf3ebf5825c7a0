//! Device readings import: a device's CSV export (`time,code,value,unit,device`) or a FHIR
//! Bundle of Observations becomes vital signs with the device recorded as their source. Rows
//! of the same time and device form one set (so systolic and diastolic meet in one blood
//! pressure); every set is checked like a typed-in one, every bad row is reported with its row
//! number, and nothing is saved unless every row is good (one transaction).

use super::{Recorded, prepare};
use crate::clinical::ClinicalError;
use crate::clinical::common::{Result, ensure_may, patient};
use cartella_core::access::Action;
use cartella_core::clinical::ClinicalFieldError;
use cartella_core::clinical::vitals::{VitalKind, VitalsInput};
use cartella_store::{AccessContext, Store};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// At most this many rows per import (a day of a monitor at one reading a minute is 1,440).
pub const MAX_ROWS: usize = 5_000;

/// One reading as the device reported it; `row` counts from 1 (CSV: the file's line).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    pub row: usize,
    pub time: String,
    pub kind: VitalKind,
    pub value: f64,
    pub unit: String,
    pub device: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Imported {
    pub sets: usize,
    /// Measured values saved (a blood pressure counts two).
    pub values: usize,
    pub alerts: usize,
}

fn problem(
    row: usize,
    field: &str,
    code: &'static str,
    message: impl Into<String>,
) -> ClinicalFieldError {
    ClinicalFieldError {
        field: format!("rows[{row}].{field}"),
        code,
        message: message.into(),
    }
}

fn kind_of(code: &str) -> Option<VitalKind> {
    let code = code.trim();
    VitalKind::from_field(&code.to_ascii_lowercase()).or_else(|| VitalKind::from_loinc(code))
}

/// Parse a CSV export; a first line starting with `time` is the header.
pub fn parse_csv(text: &str) -> (Vec<DeviceRow>, Vec<ClinicalFieldError>) {
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || (n == 1 && line.to_ascii_lowercase().starts_with("time")) {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let [time, code, value, unit, device] = cols.as_slice() else {
            problems.push(problem(
                n,
                "row",
                "invalid_row",
                format!(
                    "Expected 5 columns (time,code,value,unit,device), found {}.",
                    cols.len()
                ),
            ));
            continue;
        };
        let Some(kind) = kind_of(code) else {
            problems.push(problem(
                n,
                "code",
                "unknown_code",
                format!("'{code}' is neither a vital sign name nor its LOINC code."),
            ));
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            problems.push(problem(
                n,
                "value",
                "invalid_number",
                format!("'{value}' is not a number."),
            ));
            continue;
        };
        if device.is_empty() {
            problems.push(problem(n, "device", "required", "The device is required."));
            continue;
        }
        rows.push(DeviceRow {
            row: n,
            time: (*time).to_owned(),
            kind,
            value,
            unit: (*unit).to_owned(),
            device: (*device).to_owned(),
        });
    }
    (rows, problems)
}

/// Readings of an Observation: its value, or the components of a blood pressure panel.
fn readings(obs: &Value) -> Vec<(String, f64, String)> {
    let quantity = |v: &Value| -> Option<(f64, String)> {
        let q = &v["valueQuantity"];
        Some((
            q["value"].as_f64()?,
            q["code"]
                .as_str()
                .or(q["unit"].as_str())
                .unwrap_or("")
                .to_owned(),
        ))
    };
    let code = |v: &Value| -> Option<String> {
        v["code"]["coding"]
            .as_array()?
            .iter()
            .find_map(|c| c["code"].as_str())
            .map(str::to_owned)
    };
    let mut out = Vec::new();
    if let Some(components) = obs["component"].as_array() {
        for c in components {
            if let (Some(code), Some((v, u))) = (code(c), quantity(c)) {
                out.push((code, v, u));
            }
        }
    }
    if let (Some(code), Some((v, u))) = (code(obs), quantity(obs)) {
        out.push((code, v, u));
    }
    out
}

/// Parse a FHIR Bundle of Observations; `row` is the entry's position (from 1).
pub fn parse_bundle(bundle: &Value) -> (Vec<DeviceRow>, Vec<ClinicalFieldError>) {
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    let Some(entries) = bundle["entry"]
        .as_array()
        .filter(|_| bundle["resourceType"] == "Bundle")
    else {
        problems.push(problem(
            0,
            "bundle",
            "invalid_bundle",
            "Expected a FHIR Bundle with entries.",
        ));
        return (rows, problems);
    };
    for (i, e) in entries.iter().enumerate() {
        let (n, obs) = (i + 1, &e["resource"]);
        if obs["resourceType"] != "Observation" {
            problems.push(problem(
                n,
                "resource",
                "not_observation",
                "Only Observations can be imported.",
            ));
            continue;
        }
        let time = obs["effectiveDateTime"].as_str().unwrap_or("").to_owned();
        let device = obs["device"]["display"]
            .as_str()
            .or(obs["device"]["identifier"]["value"].as_str())
            .or(obs["device"]["reference"].as_str())
            .unwrap_or("")
            .to_owned();
        if device.is_empty() {
            problems.push(problem(
                n,
                "device",
                "required",
                "The Observation names no device.",
            ));
            continue;
        }
        let found = readings(obs);
        if found.is_empty() {
            problems.push(problem(
                n,
                "value",
                "required",
                "No quantity value to import.",
            ));
        }
        for (code, value, unit) in found {
            match kind_of(&code) {
                Some(kind) => rows.push(DeviceRow {
                    row: n,
                    time: time.clone(),
                    kind,
                    value,
                    unit,
                    device: device.clone(),
                }),
                None => problems.push(problem(
                    n,
                    "code",
                    "unknown_code",
                    format!("'{code}' is not a vital sign's LOINC code."),
                )),
            }
        }
    }
    (rows, problems)
}

/// Check every set and write them all in one transaction, or report every bad row.
pub async fn import(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    rows: Vec<DeviceRow>,
    mut problems: Vec<ClinicalFieldError>,
) -> Result<Imported> {
    ensure_may(store, ctx, "Observation", Action::Write).await?;
    let birth = patient(store, ctx, patient_id).await?;
    if rows.len() > MAX_ROWS {
        return Err(ClinicalError::Validation(vec![problem(
            0,
            "rows",
            "too_many",
            format!("At most {MAX_ROWS} rows per import."),
        )]));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(problem(0, "rows", "required", "Nothing to import."));
    }
    let mut sets: BTreeMap<(String, String), Vec<DeviceRow>> = BTreeMap::new();
    for r in rows {
        sets.entry((r.time.clone(), r.device.clone()))
            .or_default()
            .push(r);
    }
    let (mut writes, mut out) = (Vec::new(), Imported::default());
    for ((time, device), set) in &sets {
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        let mut row_of: BTreeMap<&str, usize> = BTreeMap::new();
        for r in set {
            let field = r.kind.field();
            if let Some(first) = row_of.insert(field, r.row) {
                problems.push(problem(
                    r.row,
                    field,
                    "duplicate",
                    format!("Row {first} already gives {field} for this time and device."),
                ));
            }
            let unit = if r.unit.is_empty() {
                r.kind.unit().to_owned()
            } else {
                r.unit.clone()
            };
            values.insert(field.to_owned(), json!({"value": r.value, "unit": unit}));
        }
        values.insert("device".into(), json!(device));
        let input = VitalsInput {
            effective: Some(time.clone()),
            values,
        };
        match prepare(store, ctx, patient_id, birth, &input).await? {
            Ok((w, Recorded { values, alerts, .. })) => {
                out.sets += 1;
                out.values += values.len();
                out.alerts += alerts.len();
                writes.extend(w);
            }
            Err(field_problems) => {
                // A problem of a measure belongs to the row that gave it; others (time, device,
                // a derived value) to every row of the set.
                for p in field_problems {
                    let rows: Vec<usize> = match row_of.get(p.field.as_str()) {
                        Some(r) => vec![*r],
                        None => set.iter().map(|r| r.row).collect(),
                    };
                    for r in rows {
                        problems.push(problem(r, &p.field, p.code, p.message.clone()));
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(ClinicalError::Validation(problems));
    }
    store.write_all(ctx, writes).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_read_with_their_line_numbers() {
        let (rows, problems) = parse_csv(
            "time,code,value,unit,device\n2026-01-01T08:00:00Z,heart_rate,72,/min,OX-1\n2026-01-01T08:00:00Z,8480-6,120,mm[Hg],OX-1\nbad\n2026-01-01T08:00:00Z,glucose,5,mmol/L,OX-1\n",
        );
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[0].kind), (2, VitalKind::HeartRate));
        assert_eq!(rows[1].kind, VitalKind::Systolic);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["rows[4].row", "rows[5].code"]);
    }

    #[test]
    fn a_blood_pressure_panel_gives_both_components() {
        let bundle = json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Observation",
            "effectiveDateTime": "2026-01-01T08:00:00Z", "device": {"display": "BP-7"},
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
            "component": [
                {"code": {"coding": [{"code": "8480-6"}]}, "valueQuantity": {"value": 130, "code": "mm[Hg]"}},
                {"code": {"coding": [{"code": "8462-4"}]}, "valueQuantity": {"value": 85, "code": "mm[Hg]"}}]}}]});
        let (rows, problems) = parse_bundle(&bundle);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            rows.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [VitalKind::Systolic, VitalKind::Diastolic]
        );
        assert!(rows.iter().all(|r| r.device == "BP-7" && r.row == 1));
    }
}
