//! Calendar and booking pages: the administrators' resources and appointment types, day and
//! week calendars per resource, booking (with slot search and every conflict listed),
//! reschedule / cancel / no-show, the patient's appointments tab and today's queue. Pages call
//! the scheduling service directly; times are read and shown in the practice time zone.

pub mod appointment;
pub mod booking;
pub mod calendar;
pub mod plan;
pub mod queue;
pub mod resource_input;
pub mod resources;
pub mod types;

use super::super::forms::t;
use super::super::i18n::Lang;
use super::super::session::Web;
use crate::AppState;
use crate::api::envelope::ApiError;
use crate::scheduling::views;
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::scheduling::zone::to_local;
use jiff::tz::TimeZone;
use minijinja::{Value, context};
use serde_json::Value as Json;

/// Templates of the scheduling pages (under `templates/scheduling/`).
pub const TEMPLATES: &[(&str, &str)] = crate::templates![
    "scheduling/series.html",
    "scheduling/optimise.html",
    "scheduling/waitlist.html",
    "scheduling/resources.html",
    "scheduling/resource_form.html",
    "scheduling/types.html",
    "scheduling/type_form.html",
    "scheduling/calendar.html",
    "scheduling/book.html",
    "scheduling/patient_options.html",
    "scheduling/conflicts.html",
    "scheduling/appointment.html",
    "scheduling/patient_tab.html",
    "scheduling/queue.html",
    "scheduling/queue_rows.html",
];

pub type Pairs = Vec<(String, String)>;

pub fn get<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub fn all(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

pub fn forbidden(lang: Lang) -> Response {
    super::error_page(
        lang,
        StatusCode::FORBIDDEN,
        &t(lang, "error-forbidden-title"),
        &t(lang, "error-forbidden"),
    )
}

pub fn not_found(lang: Lang) -> Response {
    super::error_page(
        lang,
        StatusCode::NOT_FOUND,
        &t(lang, "error-not-found-title"),
        &t(lang, "error-not-found"),
    )
}

/// A store failure behind a page: 403/404 as such, the rest logged (no PHI) and 500.
pub fn store_failure(lang: Lang, e: &cartella_store::StoreError) -> Response {
    use cartella_store::StoreError::*;
    match e {
        Forbidden(_) => forbidden(lang),
        NotFound(_) | Deleted(_) | Erased(_) => not_found(lang),
        other => {
            tracing::error!(error = %other, "scheduling page store error");
            super::error_page(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &t(lang, "error-internal"),
                &t(lang, "error-internal"),
            )
        }
    }
}

/// 403 unless the user administers the practice (the denial is audited by the store).
pub async fn require_admin(state: &AppState, web: &Web) -> Result<(), Response> {
    state
        .store
        .authorize_admin(&web.ctx)
        .await
        .map_err(|_| forbidden(web.lang))
}

/// The practice time zone of this session.
pub fn tz(web: &Web) -> TimeZone {
    super::super::format::zone(&web.settings.time_zone)
}

/// `09:05` local.
pub fn hhmm(us: i64, tz: &TimeZone) -> String {
    let l = to_local(us, tz);
    format!("{:02}:{:02}", l.hour(), l.minute())
}

/// `2026-03-30T09:05`, the value of a `datetime-local` input.
pub fn local_input(us: i64, tz: &TimeZone) -> String {
    let l = to_local(us, tz);
    format!("{}T{:02}:{:02}", l.date(), l.hour(), l.minute())
}

/// Resource names (`Practitioner/x` → "Dr Rossi") from every Schedule.
pub async fn names(state: &AppState, web: &Web) -> Vec<(String, String)> {
    views::all(&state.store, &web.ctx, "Schedule")
        .await
        .map(|s| views::actor_names(&s))
        .unwrap_or_default()
}

pub fn name_of(names: &[(String, String)], actor: &str) -> String {
    names
        .iter()
        .find(|(a, _)| a == actor)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| actor.to_owned())
}

/// An appointment for the templates (times local, resources named).
pub fn entry_ctx(e: &views::Entry, names: &[(String, String)], tz: &TimeZone) -> Value {
    context! {
        id => &e.id, version => e.version, status => &e.status,
        date => e.start.map(|s| to_local(s, tz).date().to_string()),
        start => e.start.map(|s| hhmm(s, tz)), end => e.end.map(|s| hhmm(s, tz)),
        start_input => e.start.map(|s| local_input(s, tz)),
        kind => &e.kind, patient => &e.patient, patient_name => &e.patient_name,
        resources => e.resources.iter().map(|r| name_of(names, r)).collect::<Vec<_>>(),
        description => &e.description, telemedicine => &e.telemedicine,
        cancel_reason => &e.cancel_reason,
        minutes => match (e.start, e.end) { (Some(s), Some(x)) => (x - s) / 60_000_000, _ => 0 },
    }
}

/// The service's refusal as the page shows it: the message and every conflict (kind,
/// resource name, the other appointment, times local).
pub fn refusal(err: &ApiError, names: &[(String, String)], tz: &TimeZone) -> (String, Vec<Value>) {
    let list = err
        .details
        .get("conflicts")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let conflicts = list
        .iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
            let at = |k: &str| {
                c.get(k)
                    .and_then(Json::as_str)
                    .and_then(cartella_core::scheduling::appointment::parse_instant)
            };
            context! {
                kind => s("kind"),
                resource => name_of(names, &s("resource")),
                appointment => s("appointment"),
                reason => s("reason"),
                date => at("start").map(|x| to_local(x, tz).date().to_string()),
                start => at("start").map(|x| hhmm(x, tz)),
                end => at("end").map(|x| hhmm(x, tz)),
            }
        })
        .collect();
    (err.message.clone(), conflicts)
}
