//! The clinical tab's overview: active problems (ICD-10), allergies, current prescriptions,
//! the latest value of each vital sign with its flag, and the visits still open; each block
//! links to its area. Every list is one indexed search, run concurrently.

use super::{frame, unit_label};
use crate::AppState;
use crate::clinical::vitals::observation::{flag_of, value_of};
use crate::clinical::{prescriptions, records};
use crate::web::format;
use crate::web::i18n::Lang;
use crate::web::render::html;
use crate::web::session::Web;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::clinical::vitals::{BP_PANEL, VitalKind};
use cartella_store::{AccessContext, Store};
use minijinja::{Value, context};
use serde_json::Value as Json;

/// Vital-sign Observations read to find the latest of each kind (a day of a busy ward at most).
const RECENT_VITALS: &str = "60";

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
}

/// The newest value of each vital sign among the latest recorded Observations.
pub async fn latest_vitals(store: &Store, ctx: &AccessContext, id: &str, lang: Lang) -> Vec<Value> {
    let q = pairs(&[
        ("patient", id),
        ("category", "vital-signs"),
        ("_sort", "-date"),
        ("_count", RECENT_VITALS),
    ]);
    let Ok(page) = store.search(ctx, "Observation", &q).await else {
        return vec![];
    };
    let obs: Vec<Json> = page
        .resources
        .iter()
        .filter_map(|r| serde_json::from_slice(&r.json).ok())
        .filter(|o: &Json| o["status"] != "entered-in-error")
        .collect();
    VitalKind::ALL
        .iter()
        .filter_map(|k| {
            let o = obs.iter().find(|o| {
                let code = o["code"]["coding"][0]["code"].as_str();
                code == Some(k.loinc()) || (k.is_blood_pressure() && code == Some(BP_PANEL))
            })?;
            let v = value_of(o, k.loinc())?["value"].as_f64()?;
            Some(context! {
                field => k.field(), value => format::decimal(lang, v, if v.fract() == 0.0 { 0 } else { 1 }), unit => unit_label(k.unit()),
                flag => flag_of(o, k.loinc()).filter(|f| *f != "N"),
                when => o["effectiveDateTime"].as_str(),
            })
        })
        .collect()
}

async fn open_visits(store: &Store, ctx: &AccessContext, id: &str) -> Vec<Value> {
    let q = pairs(&[("patient", id), ("status", "in-progress"), ("_count", "20")]);
    let Ok(page) = store.search(ctx, "Encounter", &q).await else {
        return vec![];
    };
    page.resources
        .iter()
        .filter_map(|r| serde_json::from_slice::<Json>(&r.json).ok())
        .map(|e| {
            context! {
                id => e["id"].as_str(), start => e["period"]["start"].as_str(),
                reason => e["reasonCode"][0]["text"].as_str(),
            }
        })
        .collect()
}

pub async fn show(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let base = match frame(&state, &web, &id, "overview").await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (s, c) = (&state.store, &web.ctx);
    let (problems, allergies, meds, vitals, visits) = tokio::join!(
        records::conditions(s, c, &id, Some("active"), None),
        records::active_allergies(s, c, &id),
        prescriptions::active(s, c, &id),
        latest_vitals(s, c, &id, web.lang),
        open_visits(s, c, &id),
    );
    let as_values = |r: Result<Vec<Json>, _>| -> Vec<Value> {
        r.unwrap_or_default()
            .iter()
            .map(Value::from_serialize)
            .collect()
    };
    html(
        StatusCode::OK,
        "clinical/overview.html",
        web.page(context! {
            problems => as_values(problems), allergy_list => as_values(allergies),
            meds => as_values(meds), vitals, visits, ..base
        }),
    )
}
