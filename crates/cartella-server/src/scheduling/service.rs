//! The scheduling service: validation, conflict detection and the Appointment writes behind
//! `/api/v1/planning`. The database has the last word (the `bookings` constraint rows written
//! by the store with every Appointment version, whatever the surface); this layer adds what
//! the database cannot know (hours, leave, roles, buffers) and reports every conflict at once.

use super::resources::{self, Model, TYPE_SYSTEM};
use crate::AppState;
use crate::api::envelope::ApiError;
use axum::http::StatusCode;
use cartella_core::scheduling::appointment::{
    BUFFER_AFTER_URL, BUFFER_BEFORE_URL, held_times, parse_instant,
};
use cartella_core::scheduling::conflicts::{Conflict, Existing, Kind, Proposal, detect};
use cartella_core::scheduling::{Span, zone};
use cartella_store::{AccessContext, Store, StoreError};
use jiff::tz::TimeZone;
use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, ApiError>;

/// 422 VALIDATION_ERROR: the request cannot be booked as given; nothing was written.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_ERROR",
        message,
    )
}

/// The practice's model for this caller: time zone from the practice settings, Schedules and
/// appointment types from the store.
pub async fn model(state: &AppState, ctx: &AccessContext) -> Result<Model> {
    let settings = state
        .auth
        .backend()
        .tenant_settings(&ctx.tenant)
        .await
        .map(|raw| crate::web::practice::PracticeSettings::parse(&raw))
        .unwrap_or_default();
    let tz = zone::time_zone(&settings.time_zone).unwrap_or(TimeZone::UTC);
    Ok(resources::load(&state.store, ctx, tz).await?)
}

/// Existing bookings of `actors` around `span` (a day either side covers any buffer).
pub async fn existing(
    store: &Store,
    ctx: &AccessContext,
    actors: &[String],
    span: Span,
) -> Result<Vec<Existing>> {
    const DAY: i64 = 86_400_000_000;
    let rows = store
        .bookings(ctx, actors, span.start - DAY, span.end + DAY)
        .await?;
    Ok(rows
        .into_iter()
        .map(|b| Existing {
            appointment_id: b.appointment_id,
            actor: b.actor,
            span: Span::new(b.start, b.end),
        })
        .collect())
}

/// What a booking request asks for, validated.
pub struct Request {
    pub kind: Option<String>,
    pub span: Span,
    pub patient: Option<String>,
    pub resources: Vec<String>,
    pub roles: Vec<String>,
    pub buffer_before: i64,
    pub buffer_after: i64,
}

/// Validate times, type and resources. `end` or `duration_minutes` or the type's default
/// gives the length.
pub fn request(
    model: &Model,
    kind: Option<&str>,
    start: &str,
    end: Option<&str>,
    duration_minutes: Option<i64>,
    patient: Option<&str>,
    resources: &[String],
) -> Result<Request> {
    let at = |raw: &str, field: &str| {
        zone::parse_time(raw, &model.tz).map_err(|e| invalid(format!("{field}: {e}")))
    };
    let start = at(start, "start")?;
    let t = match kind {
        Some(k) => Some(
            model
                .appointment_type(k)
                .ok_or_else(|| invalid(format!("type: unknown appointment type '{k}'")))?,
        ),
        None => None,
    };
    let end = match (end, duration_minutes) {
        (Some(e), _) => at(e, "end")?,
        (None, Some(m)) if m <= 0 => return Err(invalid("duration_minutes must be positive")),
        (None, Some(m)) => start + m * cartella_core::scheduling::MINUTE,
        (None, None) => {
            start
                + t.map(|t| t.duration).ok_or_else(|| {
                    invalid("give end, duration_minutes or a type with a default duration")
                })?
        }
    };
    if end <= start {
        return Err(invalid("end must be after start"));
    }
    for r in resources {
        if model.calendar(r).is_none() {
            return Err(invalid(format!(
                "unknown resource '{r}': it has no active Schedule"
            )));
        }
    }
    if let Some(p) = patient
        && !p.starts_with("Patient/")
    {
        return Err(invalid("patient must be a reference like Patient/123"));
    }
    Ok(Request {
        kind: kind.map(str::to_owned),
        span: Span::new(start, end),
        patient: patient.map(str::to_owned),
        resources: resources.to_vec(),
        roles: t.map(|t| t.roles.clone()).unwrap_or_default(),
        buffer_before: t.map_or(0, |t| t.buffer_before),
        buffer_after: t.map_or(0, |t| t.buffer_after),
    })
}

/// Every conflict of `req`: 422 when a resource is closed (outside hours or away), 409 for the
/// rest; each listed in `details.conflicts`.
pub async fn check(
    store: &Store,
    ctx: &AccessContext,
    model: &Model,
    req: &Request,
    own: Option<&str>,
) -> Result<()> {
    let mut actors = req.resources.clone();
    actors.extend(req.patient.clone());
    let bookings = existing(store, ctx, &actors, req.span).await?;
    let p = Proposal {
        appointment_id: own.map(str::to_owned),
        span: req.span,
        buffer_before: req.buffer_before,
        buffer_after: req.buffer_after,
        resources: req.resources.clone(),
        patient: req.patient.clone(),
        required_roles: req.roles.clone(),
    };
    let found = detect(&p, &model.calendars, &bookings);
    if found.is_empty() {
        return Ok(());
    }
    let closed = found
        .iter()
        .any(|c| matches!(c.kind, Kind::OutsideHours | Kind::Unavailable));
    let (status, code, msg) = if closed {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "a resource is not available at that time",
        )
    } else {
        (
            StatusCode::CONFLICT,
            "CONFLICT",
            "the appointment conflicts with existing bookings",
        )
    };
    Err(ApiError {
        details: Box::new(
            json!({ "conflicts": found.iter().map(|c| conflict_json(c, &model.tz)).collect::<Vec<_>>() }),
        ),
        ..ApiError::new(
            status,
            code,
            format!(
                "{msg} ({} conflict{})",
                found.len(),
                if found.len() == 1 { "" } else { "s" }
            ),
        )
    })
}

pub fn conflict_json(c: &Conflict, tz: &TimeZone) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Some(s) = c.span {
        v["start"] = json!(zone::format_local(s.start, tz));
        v["end"] = json!(zone::format_local(s.end, tz));
        if let Some(o) = v.as_object_mut() {
            o.remove("span");
        }
    }
    v
}

/// The Appointment resource for a validated request.
pub fn appointment(req: &Request, tz: &TimeZone, reason: Option<&str>) -> Value {
    let mut participants: Vec<Value> = req
        .patient
        .iter()
        .chain(req.resources.iter())
        .map(|a| json!({"actor": {"reference": a}, "required": "required", "status": "accepted"}))
        .collect();
    participants.dedup();
    let mut a = json!({
        "resourceType": "Appointment",
        "status": "booked",
        "start": zone::format_local(req.span.start, tz),
        "end": zone::format_local(req.span.end, tz),
        "minutesDuration": (req.span.len() / cartella_core::scheduling::MINUTE),
        "participant": participants,
    });
    if let Some(k) = &req.kind {
        a["appointmentType"] = json!({"coding": [{"system": TYPE_SYSTEM, "code": k}]});
    }
    if let Some(r) = reason {
        a["description"] = json!(r);
    }
    let mut ext = Vec::new();
    if req.buffer_before > 0 {
        ext.push(json!({"url": BUFFER_BEFORE_URL, "valueInteger": req.buffer_before / cartella_core::scheduling::MINUTE}));
    }
    if req.buffer_after > 0 {
        ext.push(json!({"url": BUFFER_AFTER_URL, "valueInteger": req.buffer_after / cartella_core::scheduling::MINUTE}));
    }
    if !ext.is_empty() {
        a["extension"] = Value::Array(ext);
    }
    a
}

/// A stored Appointment, parsed, with what the API shows of it.
pub fn summary(id: &str, version: i64, body: &Value, tz: &TimeZone) -> Value {
    let at = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .and_then(parse_instant)
            .map(|t| zone::format_local(t, tz))
    };
    let held = held_times(body).unwrap_or_default();
    json!({
        "id": id, "version": version,
        "status": body.get("status"),
        "start": at("start"), "end": at("end"),
        "type": body.pointer("/appointmentType/coding/0/code"),
        "participants": cartella_core::scheduling::appointment::participant_actors(body),
        "holds": held.iter().map(|h| h.actor.clone()).collect::<Vec<_>>(),
    })
}

/// Read an Appointment's current body.
pub async fn read(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
) -> std::result::Result<(i64, Value), StoreError> {
    let r = store.read(ctx, "Appointment", id).await?;
    let body = serde_json::from_slice(&r.json).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok((r.version, body))
}
