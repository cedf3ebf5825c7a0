//! The landing page: what each role needs first (front desk: registry; clinicians: open
//! encounters; administrators: staff and settings) and the recently changed patients.

use super::super::format;
use super::super::render::html;
use super::super::session::Web;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::access::Role;
use minijinja::context;
use serde_json::Value as Json;

/// The name a person is shown by: `Family, Given` from the first usable `name`.
pub fn person_name(resource: &Json) -> String {
    let Some(name) = resource["name"].as_array().and_then(|n| n.first()) else {
        return String::new();
    };
    if let Some(text) = name["text"].as_str() {
        return text.to_owned();
    }
    let given: Vec<&str> = name["given"]
        .as_array()
        .map(|g| g.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    match name["family"].as_str() {
        Some(f) if given.is_empty() => f.to_owned(),
        Some(f) => format!("{f}, {}", given.join(" ")),
        None => given.join(" "),
    }
}

const CLINICAL: &[Role] = &[
    Role::Doctor,
    Role::Surgeon,
    Role::Dentist,
    Role::Nurse,
    Role::Physiotherapist,
    Role::Hygienist,
];

pub async fn show(State(state): State<AppState>, web: Web) -> Response {
    let params = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    };
    let recent: Vec<minijinja::Value> = match state
        .store
        .search(&web.ctx, "Patient", &params(&[("_sort", "-_lastUpdated"), ("_count", "8")]))
        .await
    {
        Ok(page) => page
            .resources
            .iter()
            .filter_map(|r| serde_json::from_slice::<Json>(&r.json).ok().map(|j| (r, j)))
            .map(|(r, j)| context! { id => &r.id, name => person_name(&j), birth_date => j["birthDate"].as_str() })
            .collect(),
        Err(_) => vec![],
    };
    let clinical = web.has_any(CLINICAL);
    let mut encounters = vec![];
    if clinical
        && let Ok(page) = state
            .store
            .search(
                &web.ctx,
                "Encounter",
                &params(&[
                    ("status", "in-progress"),
                    ("_count", "10"),
                    ("_include", "Encounter:subject"),
                ]),
            )
            .await
    {
        for r in &page.resources {
            let Ok(j) = serde_json::from_slice::<Json>(&r.json) else {
                continue;
            };
            let Some(patient) = j["subject"]["reference"]
                .as_str()
                .and_then(|s| s.strip_prefix("Patient/"))
            else {
                continue;
            };
            let name = page
                .included
                .iter()
                .find(|i| i.rtype == "Patient" && i.id == patient)
                .and_then(|i| serde_json::from_slice::<Json>(&i.json).ok())
                .map(|p| person_name(&p))
                .unwrap_or_default();
            encounters.push(context! { patient, patient_name => name, started => j["period"]["start"].as_str() });
        }
    }
    let staff_count = if web.is_admin() {
        state
            .auth
            .backend()
            .members(&web.ctx.tenant)
            .await
            .map(|m| m.len())
            .unwrap_or(0)
    } else {
        0
    };
    // Secretaries and nurses see today's appointments first (the scheduling queue's rows).
    let today_appointments = if web.has_any(&[Role::Secretary, Role::Nurse]) {
        super::scheduling::queue::today(&state, &web)
            .await
            .unwrap_or_default()
    } else {
        vec![]
    };
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(format::zone(&web.settings.time_zone))
        .date();
    html(
        StatusCode::OK,
        "home.html",
        web.page(context! {
            recent, encounters, staff_count, today_appointments,
            today_label => format::date_long(web.lang, today),
            show => context! {
                front_desk => web.has_any(&[Role::Secretary, Role::Administrator, Role::Nurse]),
                clinical,
                today => web.has_any(&[Role::Secretary, Role::Nurse]),
            },
        }),
    )
}
