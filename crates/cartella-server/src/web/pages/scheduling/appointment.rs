//! One appointment: its page (who, when, what, status, telemedicine link) with the forms to
//! reschedule, cancel or mark a no-show (with a reason); the drag endpoint `calendar.js`
//! posts to (same checks, answers a conflict fragment); and the status changes of the day
//! queue. Every change goes through the scheduling service's checks and the store's
//! booking constraint; a refusal lists every conflict and changes nothing.

use super::super::super::forms::{self, FieldErrors, t};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::booking::{field_of, parse_start, set_link, telemedicine};
use super::{Pairs, entry_ctx, get, refusal, store_failure, tz};
use crate::AppState;
use crate::api::envelope::ApiError;
use crate::scheduling::{service, views};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::scheduling::appointment::participant_actors;
use cartella_store::store::WriteOptions;
use minijinja::context;
use serde_json::{Value as Json, json};

/// Move an appointment to `start` (keeping its length unless `minutes` is given), with every
/// check the booking had.
pub async fn reschedule(
    state: &AppState,
    web: &Web,
    id: &str,
    start: &str,
    minutes: Option<i64>,
    version: Option<i64>,
) -> Result<(), ApiError> {
    let model = service::model(state, &web.ctx).await?;
    let (current_version, mut current) = service::read(&state.store, &web.ctx, id).await?;
    let actors = participant_actors(&current);
    let patient = actors.iter().find(|a| a.starts_with("Patient/")).cloned();
    let resources: Vec<String> = actors
        .iter()
        .filter(|a| !a.starts_with("Patient/"))
        .cloned()
        .collect();
    let kind = current
        .pointer("/appointmentType/coding/0/code")
        .and_then(Json::as_str)
        .map(str::to_owned);
    let minutes = minutes.or(current.get("minutesDuration").and_then(Json::as_i64));
    let req = service::request(
        &model,
        kind.as_deref(),
        start,
        None,
        minutes,
        patient.as_deref(),
        &resources,
    )?;
    service::check(&state.store, &web.ctx, &model, &req, Some(id)).await?;
    let fresh = service::appointment(&req, &model.tz, None);
    for k in ["start", "end", "minutesDuration", "participant"] {
        if let Some(v) = fresh.get(k) {
            current[k] = v.clone();
        }
    }
    current["status"] = json!("booked");
    // A new reminder batch: the old time's reminders become no-ops, the new ones are queued.
    crate::scheduling::reminders::stamp(&mut current);
    let opts = WriteOptions {
        if_match: Some(version.unwrap_or(current_version)),
        ..Default::default()
    };
    let out = state
        .store
        .update(&web.ctx, "Appointment", id, current, opts)
        .await?;
    let stored: Json = serde_json::from_slice(&out.resource.json).unwrap_or(Json::Null);
    crate::scheduling::reminders::enqueue_after(state, &web.ctx, &[(id.to_owned(), stored)]).await;
    Ok(())
}

/// Change the status (cancel, no-show with a reason; the queue's arrived / in room / done).
pub async fn set_status(
    state: &AppState,
    web: &Web,
    id: &str,
    status: &str,
    reason: Option<&str>,
    version: Option<i64>,
) -> Result<(), ApiError> {
    let (current_version, mut current) = service::read(&state.store, &web.ctx, id).await?;
    let now = current["status"].as_str().unwrap_or("");
    if matches!(now, "cancelled" | "noshow" | "entered-in-error") {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "CONFLICT",
            t(web.lang, "sched-error-closed"),
        ));
    }
    current["status"] = json!(status);
    if let Some(r) = reason {
        current["cancelationReason"] = json!({ "text": r });
    }
    let opts = WriteOptions {
        if_match: Some(version.unwrap_or(current_version)),
        ..Default::default()
    };
    let out = state
        .store
        .update(&web.ctx, "Appointment", id, current, opts)
        .await?;
    // A cancelled slot is offered to the waiting list, as through the API.
    if status == "cancelled" {
        let stored: Json = serde_json::from_slice(&out.resource.json).unwrap_or(Json::Null);
        crate::scheduling::waitlist::on_freed(state, &web.ctx, &stored).await;
    }
    Ok(())
}

#[derive(serde::Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    notice: String,
}

struct Problem {
    status: StatusCode,
    message: String,
    conflicts: Vec<minijinja::Value>,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    web: &Web,
    id: &str,
    notice: &str,
    problem: Option<Problem>,
    typed: &Pairs,
) -> Response {
    let (version, body) = match service::read(&state.store, &web.ctx, id).await {
        Ok(v) => v,
        Err(e) => return store_failure(web.lang, &e),
    };
    let mut e = views::entry(id, version, &body);
    if let Some(p) = &e.patient
        && let Ok(rec) = crate::patients::get(&state.store, &web.ctx, p).await
    {
        e.patient_name = rec.summary.display_name.clone();
    }
    let names = super::names(state, web).await;
    let p = problem.unwrap_or(Problem {
        status: StatusCode::OK,
        message: String::new(),
        conflicts: vec![],
        errors: FieldErrors::new(),
    });
    let notice = if notice.is_empty() {
        String::new()
    } else {
        t(web.lang, &format!("sched-notice-{notice}"))
    };
    let open = matches!(
        e.status.as_str(),
        "booked" | "pending" | "proposed" | "arrived" | "checked-in"
    );
    html(
        p.status,
        "scheduling/appointment.html",
        web.page(context! {
            a => entry_ctx(&e, &names, &tz(web)), notice, open,
            message => p.message, conflicts => p.conflicts, errors => p.errors,
            typed_start => get(typed, "start"), typed_reason => get(typed, "reason"),
            calendar_actor => e.resources.first(),
        }),
    )
}

pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Response {
    page(&state, &web, &id, &n.notice, None, &vec![]).await
}

/// A refusal for the page: conflicts listed, validation messages next to their field.
async fn problem(state: &AppState, web: &Web, e: &ApiError, field: &str) -> Problem {
    let names = super::names(state, web).await;
    let (message, conflicts) = refusal(e, &names, &tz(web));
    let mut errors = FieldErrors::new();
    if conflicts.is_empty() {
        errors.insert(field.to_owned(), message.clone());
    }
    Problem {
        status: e.status,
        message,
        conflicts,
        errors,
    }
}

fn version_of(pairs: &Pairs) -> Option<i64> {
    get(pairs, "version").parse().ok()
}

/// A typed start that cannot be read: 422 with the translated message, nothing changed.
fn bad_start(web: &Web, raw: &str) -> Option<ApiError> {
    parse_start(web, raw).err().map(service::invalid)
}

pub async fn reschedule_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let start = get(&pairs, "start").trim();
    let result = match bad_start(&web, start) {
        Some(e) => Err(e),
        None => reschedule(&state, &web, &id, start, None, version_of(&pairs)).await,
    };
    match result {
        Ok(()) => Redirect::to(&format!("/appointments/{id}?notice=moved")).into_response(),
        Err(e) => {
            let field = if e.status == StatusCode::UNPROCESSABLE_ENTITY {
                field_of(&e.message)
            } else {
                "start"
            };
            let p = problem(&state, &web, &e, field).await;
            page(&state, &web, &id, "", Some(p), &pairs).await
        }
    }
}

/// The drag endpoint: 200 "ok", or the status of the refusal with the conflicts as a fragment
/// shown in place.
pub async fn move_to(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let start = get(&pairs, "start").trim();
    let result = match bad_start(&web, start) {
        Some(e) => Err(e),
        None => reschedule(&state, &web, &id, start, None, version_of(&pairs)).await,
    };
    match result {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            let p = problem(&state, &web, &e, "start").await;
            html(
                p.status,
                "scheduling/conflicts.html",
                web.page(context! { message => p.message, conflicts => p.conflicts }),
            )
        }
    }
}

async fn close(
    state: AppState,
    web: Web,
    id: String,
    pairs: Pairs,
    status: &str,
    notice: &str,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let reason = get(&pairs, "reason").trim();
    let result = if reason.is_empty() {
        Err(service::invalid(t(web.lang, "sched-error-reason")))
    } else {
        set_status(&state, &web, &id, status, Some(reason), version_of(&pairs)).await
    };
    match result {
        Ok(()) => Redirect::to(&format!("/appointments/{id}?notice={notice}")).into_response(),
        Err(e) => {
            let p = problem(&state, &web, &e, "reason").await;
            page(&state, &web, &id, "", Some(p), &pairs).await
        }
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    close(state, web, id, pairs, "cancelled", "cancelled").await
}

pub async fn no_show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    close(state, web, id, pairs, "noshow", "noshow").await
}

/// Save or clear the telemedicine link.
pub async fn link(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let url = match telemedicine(&web, get(&pairs, "telemedicine").trim()) {
        Ok(u) => u,
        Err(_) => {
            let e = service::invalid(t(web.lang, "sched-error-link"));
            let p = problem(&state, &web, &e, "telemedicine").await;
            return page(&state, &web, &id, "", Some(p), &pairs).await;
        }
    };
    let (version, mut body) = match service::read(&state.store, &web.ctx, &id).await {
        Ok(v) => v,
        Err(e) => return store_failure(web.lang, &e),
    };
    set_link(&mut body, url.as_deref());
    let opts = WriteOptions {
        if_match: Some(version_of(&pairs).unwrap_or(version)),
        ..Default::default()
    };
    match state
        .store
        .update(&web.ctx, "Appointment", &id, body, opts)
        .await
    {
        Ok(_) => Redirect::to(&format!("/appointments/{id}?notice=saved")).into_response(),
        Err(e) => store_failure(web.lang, &e),
    }
}

/// The chart tab: the patient's upcoming and past appointments, and a "book" button.
pub async fn patient_tab(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    let head = match super::super::chart::header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let list = match views::of_patient(&state.store, &web.ctx, &id).await {
        Ok(l) => l,
        Err(e) => return store_failure(web.lang, &e),
    };
    let names = super::names(&state, &web).await;
    let tz = tz(&web);
    let now = jiff::Timestamp::now().as_microsecond();
    let (mut upcoming, mut past) = (vec![], vec![]);
    for e in &list {
        if e.end.is_some_and(|end| end >= now) {
            upcoming.push(entry_ctx(e, &names, &tz));
        } else {
            past.push(entry_ctx(e, &names, &tz));
        }
    }
    past.reverse();
    html(
        StatusCode::OK,
        "scheduling/patient_tab.html",
        web.page(context! { current_tab => "appointments", upcoming, past, ..head.context }),
    )
}
