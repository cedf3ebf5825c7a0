//! `/api/v1/planning`: the scheduling JSON API in the envelope.
//!
//! | method | path | body / query | success |
//! |---|---|---|---|
//! | GET | `/planning/availability` | `resource` (repeatable), `from`, `to` (dates, `to` inclusive) | 200 `{resources: [{resource, free: [{start, end}]}]}` |
//! | POST | `/planning/slots` | `{type?, duration_minutes?, patient?, resources?, preferred?, weekdays?, time_of_day?: {from, to}, from, to, limit?}` | 200 `{slots: [{start, end, resources, penalty}]}` |
//! | POST | `/planning/book` | `{type?, start, end? \| duration_minutes?, patient?, resources, reason?}` | 201 `{appointment}` |
//! | POST | `/planning/reschedule` | `{id, start, end? \| duration_minutes?, resources?, version?}` | 200 `{appointment}` |
//! | POST | `/planning/cancel`, `/planning/no-show` | `{id, reason, version?}` | 200 `{appointment}` |
//!
//! Times: RFC 3339 with offset, or local (`2026-03-30T09:00`) in the practice time zone;
//! answers use local offsets. Errors: 422 VALIDATION_ERROR (bad times, DST gaps, unknown
//! type/resource, a resource closed or away: `details.conflicts`), 409 CONFLICT with
//! `details.conflicts` listing every conflict (also when the database refuses a race).

use super::service::{self, Result, invalid};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cartella_core::scheduling::calendar::ResourceCalendar;
use cartella_core::scheduling::slots::{DEFAULT_STEP, SlotQuery, free_map, search};
use cartella_core::scheduling::{MINUTE, Span, zone};
use cartella_store::AccessContext;
use cartella_store::store::WriteOptions;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub(super) async fn context(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Result<AccessContext> {
    Ok(authenticate(state, headers, Some(peer), &method).await?.ctx)
}

/// `[from 00:00, to+1 00:00)` local, from two dates.
pub(super) fn day_range(from: &str, to: &str, tz: &jiff::tz::TimeZone) -> Result<Span> {
    let f = zone::parse_date(from).map_err(|e| invalid(format!("from: {e}")))?;
    let t = zone::parse_date(to).map_err(|e| invalid(format!("to: {e}")))?;
    if t < f {
        return Err(invalid("to must not be before from"));
    }
    if (t - f).get_days() > 366 {
        return Err(invalid("the range may span at most a year"));
    }
    let end = t.tomorrow().map_err(|e| invalid(e.to_string()))?;
    Ok(Span::new(
        zone::start_of_day(tz, f),
        zone::start_of_day(tz, end),
    ))
}

fn spans_json(spans: &[Span], tz: &jiff::tz::TimeZone) -> Vec<Value> {
    spans.iter().map(|s| json!({"start": zone::format_local(s.start, tz), "end": zone::format_local(s.end, tz)})).collect()
}

pub async fn availability(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: std::result::Result<
        Query<Vec<(String, String)>>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let Query(pairs) = query.map_err(|e| invalid(e.body_text()))?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let model = service::model(&state, &ctx).await?;
    let span = day_range(
        get("from").ok_or_else(|| invalid("from is required"))?,
        get("to").or(get("from")).unwrap_or(""),
        &model.tz,
    )?;
    let wanted: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "resource")
        .map(|(_, v)| v.clone())
        .collect();
    let cals: Vec<&ResourceCalendar> = if wanted.is_empty() {
        model.calendars.iter().collect()
    } else {
        wanted
            .iter()
            .map(|r| {
                model
                    .calendar(r)
                    .ok_or_else(|| invalid(format!("unknown resource '{r}'")))
            })
            .collect::<Result<_>>()?
    };
    let actors: Vec<String> = cals.iter().map(|c| c.actor.clone()).collect();
    let bookings = service::existing(&state.store, &ctx, &actors, span).await?;
    let free = free_map(&cals, &bookings, span);
    let list: Vec<Value> = actors
        .iter()
        .map(|a| json!({"resource": a, "free": spans_json(&free[a], &model.tz)}))
        .collect();
    Ok(ok(
        json!({ "time_zone": model.tz.iana_name(), "resources": list }),
    ))
}

#[derive(Deserialize)]
struct SlotsBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    duration_minutes: Option<i64>,
    patient: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    preferred: Vec<String>,
    #[serde(default)]
    weekdays: Vec<String>,
    time_of_day: Option<TimeOfDay>,
    from: String,
    to: String,
    limit: Option<usize>,
}

#[derive(Deserialize)]
struct TimeOfDay {
    from: String,
    to: String,
}

pub async fn slots(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: SlotsBody = body(&raw)?;
    let model = service::model(&state, &ctx).await?;
    let horizon = day_range(&b.from, &b.to, &model.tz)?;
    let t = match &b.kind {
        Some(k) => Some(
            model
                .appointment_type(k)
                .ok_or_else(|| invalid(format!("type: unknown appointment type '{k}'")))?,
        ),
        None => None,
    };
    let duration = match (b.duration_minutes, t) {
        (Some(m), _) if m <= 0 => return Err(invalid("duration_minutes must be positive")),
        (Some(m), _) => m * MINUTE,
        (None, Some(t)) => t.duration,
        (None, None) => return Err(invalid("give duration_minutes or a type")),
    };
    for r in b.resources.iter().chain(&b.preferred) {
        if model.calendar(r).is_none() {
            return Err(invalid(format!("unknown resource '{r}'")));
        }
    }
    let weekdays = b
        .weekdays
        .iter()
        .map(|d| weekday(d))
        .collect::<Result<Vec<_>>>()?;
    let time_of_day = match &b.time_of_day {
        Some(t) => {
            let p = |s: &str| {
                s.parse::<jiff::civil::Time>()
                    .map_err(|_| invalid(format!("time_of_day: '{s}' is not a time")))
            };
            Some((p(&t.from)?, p(&t.to)?))
        }
        None => None,
    };
    let mut fixed = b.resources.clone();
    fixed.extend(b.patient.clone());
    let q = SlotQuery {
        duration,
        buffer_before: t.map_or(0, |t| t.buffer_before),
        buffer_after: t.map_or(0, |t| t.buffer_after),
        roles: t.map(|t| t.roles.clone()).unwrap_or_default(),
        fixed,
        horizon,
        step: DEFAULT_STEP,
        tz: model.tz.clone(),
        weekdays,
        time_of_day,
        preferred: b.preferred,
        limit: b.limit.unwrap_or(10).clamp(1, 100),
    };
    let mut actors: Vec<String> = model.calendars.iter().map(|c| c.actor.clone()).collect();
    actors.extend(b.patient);
    let bookings = service::existing(&state.store, &ctx, &actors, horizon).await?;
    let found = search(&q, &model.calendars, &bookings);
    let list: Vec<Value> = found
        .iter()
        .map(|c| json!({"start": zone::format_local(c.start, &model.tz), "end": zone::format_local(c.end, &model.tz), "resources": c.resources, "penalty": c.penalty}))
        .collect();
    Ok(ok(json!({ "slots": list })))
}

pub(super) fn weekday(d: &str) -> Result<jiff::civil::Weekday> {
    use jiff::civil::Weekday::*;
    Ok(match d.to_ascii_lowercase().as_str() {
        "mon" => Monday,
        "tue" => Tuesday,
        "wed" => Wednesday,
        "thu" => Thursday,
        "fri" => Friday,
        "sat" => Saturday,
        "sun" => Sunday,
        _ => return Err(invalid(format!("weekdays: '{d}' is not mon..sun"))),
    })
}

#[derive(Deserialize)]
struct BookBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    start: String,
    end: Option<String>,
    duration_minutes: Option<i64>,
    patient: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    reason: Option<String>,
}

pub async fn book(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: BookBody = body(&raw)?;
    let model = service::model(&state, &ctx).await?;
    let req = service::request(
        &model,
        b.kind.as_deref(),
        &b.start,
        b.end.as_deref(),
        b.duration_minutes,
        b.patient.as_deref(),
        &b.resources,
    )?;
    service::check(&state.store, &ctx, &model, &req, None).await?;
    let mut resource = service::appointment(&req, &model.tz, b.reason.as_deref());
    // Own id, so the reminder jobs can name it and commit with the Appointment (outbox).
    let id = cartella_core::ResourceId::new_v7().as_str().to_owned();
    resource["id"] = json!(id);
    super::reminders::stamp(&mut resource);
    let opts = WriteOptions {
        outbox: super::reminders::outbox(&state, &ctx, &id, &resource).await,
        ..Default::default()
    };
    let timer = std::time::Instant::now();
    let out = state
        .store
        .update(&ctx, "Appointment", &id, resource, opts)
        .await?;
    crate::metrics::booking_duration(timer.elapsed());
    let stored: Value = serde_json::from_slice(&out.resource.json).unwrap_or(Value::Null);
    let summary = service::summary(&out.resource.id, out.resource.version, &stored, &model.tz);
    Ok((StatusCode::CREATED, ok(json!({ "appointment": summary }))).into_response())
}

#[derive(Deserialize)]
struct RescheduleBody {
    id: String,
    start: String,
    end: Option<String>,
    duration_minutes: Option<i64>,
    resources: Option<Vec<String>>,
    version: Option<i64>,
}

pub async fn reschedule(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: RescheduleBody = body(&raw)?;
    let model = service::model(&state, &ctx).await?;
    let (version, mut current) = service::read(&state.store, &ctx, &b.id).await?;
    let actors = cartella_core::scheduling::appointment::participant_actors(&current);
    let patient = actors.iter().find(|a| a.starts_with("Patient/")).cloned();
    let resources = b.resources.unwrap_or_else(|| {
        actors
            .iter()
            .filter(|a| !a.starts_with("Patient/"))
            .cloned()
            .collect()
    });
    let kind = current
        .pointer("/appointmentType/coding/0/code")
        .and_then(Value::as_str)
        .map(str::to_owned);
    // Keep the length when only a new start is given.
    let length = current.get("minutesDuration").and_then(Value::as_i64);
    let minutes = b
        .duration_minutes
        .or(if b.end.is_none() { length } else { None });
    let req = service::request(
        &model,
        kind.as_deref(),
        &b.start,
        b.end.as_deref(),
        minutes,
        patient.as_deref(),
        &resources,
    )?;
    service::check(&state.store, &ctx, &model, &req, Some(&b.id)).await?;
    let fresh = service::appointment(&req, &model.tz, None);
    for k in [
        "start",
        "end",
        "minutesDuration",
        "participant",
        "extension",
    ] {
        match fresh.get(k) {
            Some(v) => current[k] = v.clone(),
            None => {
                current.as_object_mut().map(|o| o.remove(k));
            }
        }
    }
    current["status"] = json!("booked");
    // A new batch: the reminders of the old time become no-ops, new ones are queued.
    super::reminders::stamp(&mut current);
    let opts = WriteOptions {
        if_match: Some(b.version.unwrap_or(version)),
        outbox: super::reminders::outbox(&state, &ctx, &b.id, &current).await,
        ..Default::default()
    };
    let out = state
        .store
        .update(&ctx, "Appointment", &b.id, current, opts)
        .await?;
    let stored: Value = serde_json::from_slice(&out.resource.json).unwrap_or(Value::Null);
    Ok(ok(
        json!({ "appointment": service::summary(&b.id, out.resource.version, &stored, &model.tz) }),
    ))
}

#[derive(Deserialize)]
struct StatusBody {
    id: String,
    reason: String,
    version: Option<i64>,
}

async fn set_status(
    state: AppState,
    headers: HeaderMap,
    peer: SocketAddr,
    raw: Bytes,
    status: &str,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: StatusBody = body(&raw)?;
    if b.reason.trim().is_empty() {
        return Err(invalid("reason is required"));
    }
    let model = service::model(&state, &ctx).await?;
    let (version, mut current) = service::read(&state.store, &ctx, &b.id).await?;
    let now = current.get("status").and_then(Value::as_str).unwrap_or("");
    if matches!(
        now,
        "cancelled" | "noshow" | "entered-in-error" | "fulfilled"
    ) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "CONFLICT",
            format!("the appointment is already {now}"),
        ));
    }
    current["status"] = json!(status);
    // FHIR R4 uses cancelationReason for both cancelled and noshow.
    current["cancelationReason"] = json!({ "text": b.reason });
    let opts = WriteOptions {
        if_match: Some(b.version.unwrap_or(version)),
        ..Default::default()
    };
    let out = state
        .store
        .update(&ctx, "Appointment", &b.id, current, opts)
        .await?;
    let stored: Value = serde_json::from_slice(&out.resource.json).unwrap_or(Value::Null);
    if status == "cancelled" {
        super::waitlist::on_freed(&state, &ctx, &stored).await;
    }
    Ok(ok(
        json!({ "appointment": service::summary(&b.id, out.resource.version, &stored, &model.tz) }),
    ))
}

pub async fn cancel(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    set_status(state, headers, peer, raw, "cancelled").await
}

pub async fn no_show(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    set_status(state, headers, peer, raw, "noshow").await
}
