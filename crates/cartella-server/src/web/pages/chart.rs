//! The patient chart: a header that always shows identity, age and alerts (allergies, flags),
//! tabs that the clinical-record and scheduling features fill, and the timeline of everything
//! that happened to the patient, filterable by kind and date, paginated.

use super::super::format;
use super::super::forms::{self, t};
use super::super::render::html;
use super::super::session::Web;
use super::patients::{Pairs, get, not_found_or, row};
use super::timeline::{self, TimelineFilter};
use crate::AppState;
use crate::patients::{self, PatientRecord};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde_json::Value as Json;

/// The chart's tabs: key, path under `/patients/{id}`, label.
const TABS: &[(&str, &str, &str)] = &[
    ("timeline", "", "chart-tab-timeline"),
    ("clinical", "/clinical", "chart-tab-clinical"),
    ("exams", "/exams", "exams-title"),
    ("appointments", "/appointments", "chart-tab-appointments"),
    ("documents", "/documents", "chart-tab-documents"),
    ("details", "/details", "chart-tab-details"),
];

/// Everything the chart header shows; other features' chart pages use it too.
pub struct ChartHeader {
    pub record: PatientRecord,
    pub context: Value,
}

fn text_of(concept: &Json) -> Option<String> {
    concept["text"].as_str().map(str::to_owned).or_else(|| {
        concept["coding"]
            .as_array()?
            .iter()
            .find_map(|c| c["display"].as_str().or(c["code"].as_str()))
            .map(str::to_owned)
    })
}

/// Load the patient and the header's alerts; `None` after an error page was chosen.
pub async fn header(state: &AppState, web: &Web, id: &str) -> Result<ChartHeader, Response> {
    let record = patients::get(&state.store, &web.ctx, id)
        .await
        .map_err(|e| not_found_or(web, &e))?;
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    };
    let mut allergies = vec![];
    // A role that may not read allergies simply sees none: the header never fails on it.
    if let Ok(page) = state
        .store
        .search(
            &web.ctx,
            "AllergyIntolerance",
            &pairs(&[("patient", id), ("_count", "50")]),
        )
        .await
    {
        for r in &page.resources {
            let Ok(j) = serde_json::from_slice::<Json>(&r.json) else {
                continue;
            };
            let status = j["clinicalStatus"]["coding"][0]["code"]
                .as_str()
                .unwrap_or("active");
            if status != "active" {
                continue;
            }
            let text = text_of(&j["code"]).unwrap_or_else(|| t(web.lang, "kind-allergy"));
            allergies.push(context! { text, critical => j["criticality"] == "high" });
        }
    }
    let mut flags = vec![];
    if let Ok(page) = state
        .store
        .search(
            &web.ctx,
            "Flag",
            &pairs(&[("patient", id), ("status", "active")]),
        )
        .await
    {
        for r in &page.resources {
            if let Some(text) = serde_json::from_slice::<Json>(&r.json)
                .ok()
                .and_then(|j| text_of(&j["code"]))
            {
                flags.push(text);
            }
        }
    }
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(format::zone(&web.settings.time_zone))
        .date();
    let age = format::parse_date(&record.summary.birth_date).map(|b| format::age_years(b, today));
    let mut patient = row(&record.summary);
    patient = context! { age, ..patient };
    let tabs: Vec<Value> = TABS
        .iter()
        .map(|(key, path, label)| context! { key, path, label })
        .collect();
    Ok(ChartHeader {
        context: context! { patient, allergies, flags, tabs },
        record,
    })
}

pub async fn timeline_tab(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(filter): Query<TimelineFilter>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let page = timeline::build(&state, &web, &id, &filter).await;
    let notice = match filter.notice.as_str() {
        "saved" => t(web.lang, "patient-saved"),
        "merged" => t(web.lang, "merge-done"),
        _ => String::new(),
    };
    html(
        StatusCode::OK,
        "patients/chart.html",
        web.page(context! {
            current_tab => "timeline", notice, filter => &filter, kinds => timeline::kinds(),
            filter_error => page.error, items => page.items, next_url => page.next_url, prev_url => page.prev_url,
            ..head.context
        }),
    )
}

pub async fn details_tab(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let i = &head.record.input;
    let ids: Vec<String> = i.identifiers.iter().map(|x| x.value.clone()).collect();
    let address = [
        &i.address.line,
        &i.address.postal_code,
        &i.address.city,
        &i.address.country,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.as_str())
    .collect::<Vec<_>>()
    .join(", ");
    let emergency = [
        &i.emergency_contact.name,
        &i.emergency_contact.relationship,
        &i.emergency_contact.phone,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.as_str())
    .collect::<Vec<_>>()
    .join(" · ");
    let gp = [&i.gp.name, &i.gp.phone]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    let details: Vec<Value> = [
        ("patient-identifiers", ids.join(", ")),
        ("patient-phone", i.phone.clone()),
        ("email", i.email.clone()),
        ("patient-address", address),
        ("patient-language", i.language.clone()),
        ("patient-emergency-contact", emergency),
        ("patient-gp", gp),
        ("patient-notes", i.notes.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(label, value)| context! { label, value })
    .collect();
    html(
        StatusCode::OK,
        "patients/chart.html",
        web.page(context! { current_tab => "details", details, version => head.record.version, ..head.context }),
    )
}

/// A tab another feature has not filled yet (clinical record, appointments, documents).
pub async fn empty_tab(
    State(state): State<AppState>,
    web: Web,
    Path((id, tab)): Path<(String, String)>,
) -> Response {
    if !TABS.iter().any(|(k, _, _)| *k == tab) {
        return not_found_or(&web, &crate::patients::PatientError::NotFound);
    }
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    html(
        StatusCode::OK,
        "patients/chart.html",
        web.page(context! { current_tab => tab, ..head.context }),
    )
}

pub async fn deactivate(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let version = get(&pairs, "version").parse::<i64>().ok();
    match patients::deactivate(&state.store, &web.ctx, &id, version).await {
        Ok(_) => Redirect::to(&format!("/patients/{id}?notice=saved")).into_response(),
        Err(e) => not_found_or(&web, &e),
    }
}
