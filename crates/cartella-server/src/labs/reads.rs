//! Reading lab results back: a report with its results, the patient's reports, the critical
//! results of the orders a user placed, and the series of one test for a trend chart.

use super::CRITICAL_FOR;
use crate::clinical::ClinicalError;
use crate::exams::support::{Result, patient, patient_of, read, search_all};
use cartella_core::clinical::codes::LOINC;
use cartella_core::labs::chart::{self, Point};
use cartella_store::{AccessContext, Store};
use cartella_terminology::Lang;
use cartella_terminology::loinc;
use serde_json::{Value, json};

/// One result row: value, unit, flag, range.
pub fn result_view(o: &Value, lang: Lang) -> Value {
    let code = o["code"]["coding"][0]["code"].as_str().unwrap_or_default();
    let flag = o["interpretation"][0]["coding"][0]["code"].as_str();
    let rr = &o["referenceRange"][0];
    json!({
        "id": o["id"],
        "code": code,
        "display": loinc::get(code).map_or(o["code"]["text"].as_str().unwrap_or(code), |t| t.display_in(lang)),
        "value": o["valueQuantity"]["value"].as_f64().map(Value::from).unwrap_or_else(|| o["valueString"].clone()),
        "unit": o["valueQuantity"]["unit"],
        "flag": flag,
        "abnormal": flag.is_some_and(|f| f != "N"),
        "critical": matches!(flag, Some("LL" | "HH")),
        "low": rr["low"]["value"],
        "high": rr["high"]["value"],
        "range_source": rr["text"],
        "note": o["note"][0]["text"],
        "effective": o["effectiveDateTime"],
        "patient": patient_of(o),
        "order": o["basedOn"][0]["reference"].as_str().and_then(|r| r.strip_prefix("ServiceRequest/")),
    })
}

/// A report with its results (in the report's order).
pub async fn report(store: &Store, ctx: &AccessContext, id: &str) -> Result<Value> {
    report_in(store, ctx, id, Lang::En).await
}

pub async fn report_in(store: &Store, ctx: &AccessContext, id: &str, lang: Lang) -> Result<Value> {
    let (s, dr) = read(store, ctx, "DiagnosticReport", id, "lab report").await?;
    let mut results = Vec::new();
    for r in dr["result"].as_array().into_iter().flatten() {
        let Some(oid) = r["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Observation/"))
        else {
            continue;
        };
        match read(store, ctx, "Observation", oid, "result").await {
            Ok((_, o)) => results.push(result_view(&o, lang)),
            Err(ClinicalError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let code = dr["code"]["coding"][0]["code"].as_str().unwrap_or_default();
    Ok(json!({
        "id": dr["id"],
        "version": s.version,
        "status": dr["status"],
        "code": code,
        "display": loinc::get(code).map_or(dr["code"]["text"].as_str().unwrap_or(code), |t| t.display_in(lang)),
        "effective": dr["effectiveDateTime"],
        "issued": dr["issued"],
        "conclusion": dr["conclusion"],
        "patient": patient_of(&dr),
        "order": dr["basedOn"][0]["reference"].as_str().and_then(|r| r.strip_prefix("ServiceRequest/")),
        "abnormal": results.iter().any(|r| r["abnormal"] == true),
        "critical": results.iter().any(|r| r["critical"] == true),
        "results": results,
    }))
}

/// The patient's lab reports, newest first (summary rows, results included).
pub async fn reports(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    lang: Lang,
) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [("patient", patient_id.to_owned())];
    let mut drs = search_all(store, ctx, "DiagnosticReport", &params, 10_000).await?;
    drs.sort_by(|a, b| {
        b["effectiveDateTime"]
            .as_str()
            .cmp(&a["effectiveDateTime"].as_str())
    });
    let mut out = Vec::new();
    for d in drs {
        if let Some(id) = d["id"].as_str() {
            out.push(report_in(store, ctx, id, lang).await?);
        }
    }
    Ok(out)
}

/// Critical results of the orders the calling user placed, newest first.
pub async fn critical_for_me(store: &Store, ctx: &AccessContext, lang: Lang) -> Result<Vec<Value>> {
    let params = [
        ("category", format!("{CRITICAL_FOR}|{}", ctx.actor)),
        ("status", "final".to_owned()),
    ];
    let mut obs = search_all(store, ctx, "Observation", &params, 1_000).await?;
    obs.sort_by(|a, b| {
        b["effectiveDateTime"]
            .as_str()
            .cmp(&a["effectiveDateTime"].as_str())
    });
    Ok(obs.iter().map(|o| result_view(o, lang)).collect())
}

/// The values of one test for a patient over time, with the band and the chart geometry.
pub async fn trend(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    code: &str,
    lang: Lang,
) -> Result<Value> {
    let birth = patient(store, ctx, patient_id).await?;
    let Some(term) = loinc::get(code).filter(|t| t.unit.is_some()) else {
        return Err(ClinicalError::field(
            "code",
            "unknown_code",
            "Not a quantitative lab test of the catalogue.",
        ));
    };
    let params = [
        ("patient", patient_id.to_owned()),
        ("code", format!("{LOINC}|{}", term.code)),
    ];
    let obs = search_all(store, ctx, "Observation", &params, 10_000).await?;
    let mut rows: Vec<Value> = obs.iter().map(|o| result_view(o, lang)).collect();
    rows.retain(|r| r["value"].is_number());
    rows.sort_by(|a, b| a["effective"].as_str().cmp(&b["effective"].as_str()));
    let points: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            let at: jiff::Timestamp = r["effective"].as_str()?.parse().ok()?;
            Some(Point {
                at: at.as_second(),
                value: r["value"].as_f64()?,
                flagged: r["abnormal"] == true,
            })
        })
        .collect();
    let group = super::age_group(birth, jiff::Timestamp::now());
    let range = term.range_for(group);
    let band = (range.and_then(|r| r.low), range.and_then(|r| r.high));
    Ok(json!({
        "code": term.code,
        "display": term.display_in(lang),
        "unit": term.unit,
        "band": {"low": band.0, "high": band.1},
        "points": rows,
        "chart": chart::layout(&points, band),
    }))
}
