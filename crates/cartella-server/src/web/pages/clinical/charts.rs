//! A vitals chart per parameter: the series of one code over a chosen range (3 months, 1 year,
//! everything) from the store's patient + code + date index, drawn as server-rendered SVG
//! with the reference band of the patient's age group and flagged points in their colours.

use super::svg::{Reading, plot};
use super::{failure, frame, unit_label};
use crate::AppState;
use crate::clinical::vitals::series::series;
use crate::web::format;
use crate::web::render::html;
use crate::web::session::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::clinical::time;
use cartella_core::clinical::vitals::VitalKind;
use jiff::{SignedDuration, Timestamp};
use minijinja::{Value, context};
use serde::Deserialize;

/// Parameters that have a chart (every vital sign, BMI included).
pub const PARAMS: [VitalKind; 10] = VitalKind::ALL;

/// The ranges offered: key and days back (`None`: everything).
const RANGES: [(&str, Option<i64>); 3] = [("3m", Some(91)), ("1y", Some(365)), ("all", None)];

#[derive(Deserialize, Default)]
pub struct ChartQuery {
    #[serde(default)]
    range: String,
}

pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path((id, param)): Path<(String, String)>,
    Query(q): Query<ChartQuery>,
) -> Response {
    let Some(kind) = VitalKind::from_field(&param) else {
        return failure(web.lang, &crate::clinical::ClinicalError::NotFound("chart"));
    };
    let (range, days) = RANGES
        .iter()
        .find(|(k, _)| *k == q.range)
        .copied()
        .unwrap_or(RANGES[1]);
    let base = match frame(&state, &web, &id, "vitals").await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = Timestamp::now();
    let from = days.map(|d| now - SignedDuration::from_hours(d * 24));
    let from_text = from.map(time::fhir);
    let s = match series(
        &state.store,
        &web.ctx,
        &id,
        kind.field(),
        from_text.as_deref(),
        None,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return failure(web.lang, &e),
    };
    let readings: Vec<Reading<'_>> = s
        .points
        .iter()
        .filter_map(|p| {
            Some(Reading {
                at: p.time.parse().ok()?,
                value: p.value,
                flag: p.flag.as_deref().filter(|f| *f != "N"),
            })
        })
        .collect();
    let band = (s.band["low"].as_f64(), s.band["high"].as_f64());
    let tz = format::zone(&web.settings.time_zone);
    let chart = plot(&readings, band, from, now, web.lang, &tz);
    let flagged = readings.iter().filter(|r| r.flag.is_some()).count();
    let ranges: Vec<Value> = RANGES.iter().map(|(k, _)| context! { key => k }).collect();
    let params: Vec<Value> = PARAMS
        .iter()
        .map(|k| context! { field => k.field() })
        .collect();
    let latest = readings.last().map(|r| {
        context! { value => format::decimal(web.lang, r.value, if r.value.fract() == 0.0 { 0 } else { 1 }), at => time::fhir(r.at) }
    });
    html(
        StatusCode::OK,
        "clinical/chart.html",
        web.page(context! {
            param => kind.field(), unit => unit_label(kind.unit()), range, ranges, params,
            chart => Value::from_serialize(&chart), count => readings.len(), flagged, latest,
            band_low => band.0, band_high => band.1, ..base
        }),
    )
}
