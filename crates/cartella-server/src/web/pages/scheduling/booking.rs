//! The booking form: appointment type, patient (searched as you type), resources, start (or
//! "find slots": ranked candidates from the slot search to pick from), reason and an optional
//! telemedicine link. A refusal lists every conflict the service found next to the form and
//! books nothing; bad input answers 422 with the message next to its field.

use super::super::super::forms::{self, FieldErrors, t};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::{Pairs, all, get, hhmm, name_of, refusal, tz};
use crate::AppState;
use crate::api::envelope::ApiError;
use crate::patients::{self, SearchQuery};
use crate::scheduling::resources::Model;
use crate::scheduling::{service, views};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::scheduling::slots::{DEFAULT_STEP, SlotQuery, search};
use cartella_core::scheduling::zone::{format_local, parse_time, start_of_day, to_local};
use cartella_core::scheduling::{MINUTE, Span};
use cartella_store::store::WriteOptions;
use minijinja::{Value, context};
use serde_json::{Value as Json, json};

/// What the form holds (GET query or POST fields).
#[derive(serde::Serialize, Default)]
pub struct Values {
    #[serde(rename = "type")]
    kind: String,
    patient: String,
    patient_name: String,
    patient_q: String,
    resources: Vec<String>,
    start: String,
    duration: String,
    reason: String,
    telemedicine: String,
}

fn values(pairs: &Pairs) -> Values {
    let v = |k: &str| get(pairs, k).trim().to_owned();
    Values {
        kind: v("type"),
        patient: v("patient"),
        patient_name: String::new(),
        patient_q: v("patient_q"),
        resources: all(pairs, "resource"),
        start: v("start"),
        duration: v("duration"),
        reason: v("reason"),
        telemedicine: v("telemedicine"),
    }
}

/// Appointment types offered: active ones, with their names.
pub(super) async fn type_options(state: &AppState, web: &Web, model: &Model) -> Vec<Value> {
    let defs = views::all(&state.store, &web.ctx, "ActivityDefinition")
        .await
        .unwrap_or_default();
    model
        .types
        .iter()
        .filter_map(|ty| {
            let def = defs.iter().find(|(_, _, a)| {
                a.pointer("/code/coding/0/code").and_then(Json::as_str) == Some(ty.code.as_str())
            });
            if def.is_some_and(|(_, _, a)| a["status"] == "retired") {
                return None;
            }
            let name = def
                .and_then(|(_, _, a)| a["title"].as_str())
                .unwrap_or(&ty.code)
                .to_owned();
            Some(context! { code => &ty.code, name, minutes => ty.duration / MINUTE })
        })
        .collect()
}

/// Active patients matching `q` as `(id, name, birth date)` rows.
async fn patient_rows(state: &AppState, web: &Web, q: &str) -> Vec<Value> {
    if q.trim().is_empty() {
        return vec![];
    }
    let query = SearchQuery {
        text: q.to_owned(),
        active: Some(true),
        count: Some(8),
        cursor: None,
        total: false,
    };
    match patients::search(&state.store, &web.ctx, &query).await {
        Ok(r) => r.patients.iter().map(super::super::patients::row).collect(),
        Err(_) => vec![],
    }
}

struct Outcome {
    status: StatusCode,
    errors: FieldErrors,
    message: String,
    conflicts: Vec<Value>,
    slots: Vec<Value>,
    options: Vec<Value>,
}

impl Outcome {
    fn ok() -> Self {
        Outcome {
            status: StatusCode::OK,
            errors: FieldErrors::new(),
            message: String::new(),
            conflicts: vec![],
            slots: vec![],
            options: vec![],
        }
    }
}

async fn page(state: &AppState, web: &Web, model: &Model, mut v: Values, o: Outcome) -> Response {
    let names = super::names(state, web).await;
    if !v.patient.is_empty()
        && let Ok(p) = patients::get(&state.store, &web.ctx, &v.patient).await
    {
        v.patient_name = p.summary.display_name.clone();
    }
    let resources: Vec<Value> = model
        .calendars
        .iter()
        .map(|c| context! { actor => &c.actor, name => name_of(&names, &c.actor), roles => &c.roles, checked => v.resources.contains(&c.actor) })
        .collect();
    let types = type_options(state, web, model).await;
    html(
        o.status,
        "scheduling/book.html",
        web.page(context! {
            form => &v, types, resources, errors => o.errors, message => o.message,
            conflicts => o.conflicts, slots => o.slots, options => o.options,
        }),
    )
}

pub(super) async fn load_model(state: &AppState, web: &Web) -> Result<Model, Response> {
    service::model(state, &web.ctx).await.map_err(|e| {
        tracing::error!(error = %e.message, "booking: planning model unreadable");
        super::store_failure(web.lang, &cartella_store::StoreError::Internal(e.message))
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    web: Web,
    Query(pairs): Query<Pairs>,
) -> Response {
    let model = match load_model(&state, &web).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    page(&state, &web, &model, values(&pairs), Outcome::ok()).await
}

/// The search-as-you-type answer: radio buttons to pick a patient.
pub async fn patient_options(
    State(state): State<AppState>,
    web: Web,
    Query(pairs): Query<Pairs>,
) -> Response {
    let options = patient_rows(&state, &web, get(&pairs, "patient_q")).await;
    html(
        StatusCode::OK,
        "scheduling/patient_options.html",
        web.page(context! { options, q => get(&pairs, "patient_q") }),
    )
}

/// Local start typed in the form → instant, with translated DST messages.
pub fn parse_start(web: &Web, raw: &str) -> Result<i64, String> {
    if raw.is_empty() {
        return Err(t(web.lang, "sched-error-start"));
    }
    parse_time(raw, &tz(web)).map_err(|e| {
        let e = e.to_string();
        if e.contains("does not exist") {
            t(web.lang, "sched-error-dst-gap")
        } else if e.contains("happens twice") {
            t(web.lang, "sched-error-dst-fold")
        } else {
            t(web.lang, "sched-error-start")
        }
    })
}

/// The service's validation message, placed next to the field it names.
pub fn field_of(message: &str) -> &'static str {
    if message.starts_with("type") {
        "type"
    } else if message.contains("resource") {
        "resources"
    } else if message.contains("duration") {
        "duration"
    } else {
        "start"
    }
}

/// Ranked candidate slots over two weeks from the typed date (or today).
fn find_slots(
    model: &Model,
    v: &Values,
    bookings: &[cartella_core::scheduling::conflicts::Existing],
    horizon: Span,
    names: &[(String, String)],
) -> Vec<Value> {
    let ty = model.appointment_type(&v.kind);
    let duration = v
        .duration
        .parse::<i64>()
        .ok()
        .filter(|m| *m > 0)
        .map(|m| m * MINUTE)
        .or(ty.map(|t| t.duration));
    let Some(duration) = duration else {
        return vec![];
    };
    let mut fixed = v.resources.clone();
    if !v.patient.is_empty() {
        fixed.push(format!("Patient/{}", v.patient));
    }
    let q = SlotQuery {
        duration,
        buffer_before: ty.map_or(0, |t| t.buffer_before),
        buffer_after: ty.map_or(0, |t| t.buffer_after),
        roles: ty.map(|t| t.roles.clone()).unwrap_or_default(),
        fixed,
        horizon,
        step: DEFAULT_STEP,
        tz: model.tz.clone(),
        weekdays: vec![],
        time_of_day: None,
        preferred: vec![],
        limit: 10,
    };
    search(&q, &model.calendars, bookings)
        .iter()
        .map(|c| {
            let resources: Vec<String> = c
                .resources
                .iter()
                .filter(|r| !r.starts_with("Patient/"))
                .cloned()
                .collect();
            context! {
                value => format!("{}|{}", format_local(c.start, &model.tz), resources.join(",")),
                date => to_local(c.start, &model.tz).date().to_string(),
                start => hhmm(c.start, &model.tz), end => hhmm(c.end, &model.tz),
                resources => resources.iter().map(|r| name_of(names, r)).collect::<Vec<_>>(),
                penalty => c.penalty,
            }
        })
        .collect()
}

pub async fn submit(State(state): State<AppState>, web: Web, Form(pairs): Form<Pairs>) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let model = match load_model(&state, &web).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let mut v = values(&pairs);
    let mut o = Outcome::ok();
    let action = get(&pairs, "action");
    if action == "search" {
        o.options = patient_rows(&state, &web, &v.patient_q).await;
        return page(&state, &web, &model, v, o).await;
    }
    if action == "slots" {
        let tz = tz(&web);
        let from = parse_start(&web, &v.start)
            .map(|s| start_of_day(&tz, to_local(s, &tz).date()))
            .unwrap_or_else(|_| jiff::Timestamp::now().as_microsecond());
        let horizon = Span::new(from, from + 14 * 24 * 60 * MINUTE);
        let mut actors: Vec<String> = model.calendars.iter().map(|c| c.actor.clone()).collect();
        if !v.patient.is_empty() {
            actors.push(format!("Patient/{}", v.patient));
        }
        let bookings = match service::existing(&state.store, &web.ctx, &actors, horizon).await {
            Ok(b) => b,
            Err(e) => {
                return super::store_failure(
                    web.lang,
                    &cartella_store::StoreError::Internal(e.message),
                );
            }
        };
        let names = super::names(&state, &web).await;
        o.slots = find_slots(&model, &v, &bookings, horizon, &names);
        if o.slots.is_empty() {
            o.message = t(web.lang, "sched-no-slots");
        }
        return page(&state, &web, &model, v, o).await;
    }
    // A picked candidate carries its start and resources.
    if let Some((start, resources)) = get(&pairs, "slot").split_once('|') {
        v.start = start.to_owned();
        v.resources = resources
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
    }
    match book(&state, &web, &model, &v).await {
        Ok(id) => Redirect::to(&format!("/appointments/{id}?notice=booked")).into_response(),
        Err(mut o) => {
            // Keep the typed start readable (a picked slot carries an offset).
            if let Ok(s) = parse_start(&web, &v.start) {
                v.start = super::local_input(s, &model.tz);
            }
            o.options = vec![];
            page(&state, &web, &model, v, o).await
        }
    }
}

fn invalid(field: &str, message: String) -> Outcome {
    let mut o = Outcome::ok();
    o.status = StatusCode::UNPROCESSABLE_ENTITY;
    o.message = message.clone();
    o.errors.insert(field.into(), message);
    o
}

/// Validate, check every conflict, write; the new Appointment's id.
async fn book(state: &AppState, web: &Web, model: &Model, v: &Values) -> Result<String, Outcome> {
    if v.patient.is_empty() {
        return Err(invalid("patient", t(web.lang, "sched-error-patient")));
    }
    parse_start(web, &v.start).map_err(|m| invalid("start", m))?;
    let duration = match v.duration.as_str() {
        "" => None,
        d => Some(
            d.parse::<i64>()
                .ok()
                .filter(|m| (1..=24 * 60).contains(m))
                .ok_or_else(|| invalid("duration", t(web.lang, "sched-error-duration")))?,
        ),
    };
    if v.resources.is_empty() {
        return Err(invalid("resources", t(web.lang, "sched-error-resources")));
    }
    let link = telemedicine(web, &v.telemedicine).map_err(|m| invalid("telemedicine", m))?;
    let kind = (!v.kind.is_empty()).then_some(v.kind.as_str());
    let names = super::names(state, web).await;
    let patient = format!("Patient/{}", v.patient);
    let req = service::request(
        model,
        kind,
        &v.start,
        None,
        duration,
        Some(&patient),
        &v.resources,
    )
    .map_err(|e| invalid(field_of(&e.message), e.message))?;
    service::check(&state.store, &web.ctx, model, &req, None)
        .await
        .map_err(|e| refused(web, &e, &names))?;
    let reason = (!v.reason.is_empty()).then_some(v.reason.as_str());
    let mut body = service::appointment(&req, &model.tz, reason);
    if let Some(url) = link {
        set_link(&mut body, Some(&url));
    }
    // The same reminders as a booking through the API: a batch stamp on the appointment, and
    // the jobs queued once the booking is committed.
    crate::scheduling::reminders::stamp(&mut body);
    match state
        .store
        .create(&web.ctx, "Appointment", body, WriteOptions::default())
        .await
    {
        Ok(out) => {
            let stored: Json = serde_json::from_slice(&out.resource.json).unwrap_or(Json::Null);
            crate::scheduling::reminders::enqueue_after(
                state,
                &web.ctx,
                &[(out.resource.id.clone(), stored)],
            )
            .await;
            Ok(out.resource.id)
        }
        // The database has the last word (a concurrent booking won the race).
        Err(e @ cartella_store::StoreError::BookingConflict(_)) => {
            Err(refused(web, &ApiError::from(e), &names))
        }
        Err(e) => Err(invalid("start", e.to_string())),
    }
}

/// The refusal with every conflict listed (status from the service: 409, or 422 when closed).
fn refused(web: &Web, e: &ApiError, names: &[(String, String)]) -> Outcome {
    let mut o = Outcome::ok();
    o.status = e.status;
    let (message, conflicts) = refusal(e, names, &tz(web));
    o.message = message;
    o.conflicts = conflicts;
    o
}

/// An optional `http(s)` link, at most 500 characters; `Err` with the translated message.
pub fn telemedicine(web: &Web, raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let ok = (raw.starts_with("https://") || raw.starts_with("http://"))
        && raw.len() <= 500
        && !raw.contains(char::is_whitespace);
    if ok {
        Ok(Some(raw.to_owned()))
    } else {
        Err(t(web.lang, "sched-error-link"))
    }
}

/// Set or remove the telemedicine link extension.
pub fn set_link(body: &mut Json, url: Option<&str>) {
    let mut ext: Vec<Json> = body["extension"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["url"] != views::TELEMEDICINE_URL)
        .collect();
    if let Some(u) = url {
        ext.push(json!({"url": views::TELEMEDICINE_URL, "valueUrl": u}));
    }
    if ext.is_empty() {
        if let Some(o) = body.as_object_mut() {
            o.remove("extension");
        }
    } else {
        body["extension"] = Json::Array(ext);
    }
}
