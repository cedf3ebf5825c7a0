//! `POST /api/v1/planning/series`: book a therapy plan's sessions in one step.
//!
//! Body: `{type, patient, count, weekdays: ["mon","thu"], time: "09:00", from: "2026-03-30",
//! preferred?: ["Practitioner/x"], resources?: [...], duration_minutes?, window_days? (3),
//! alternatives? (3), reason?}`. The sessions that fit at their target time are booked together
//! (one transaction: all of them or, when the database refuses one in a race, none, 409); the
//! answer lists them and every target that could not be placed with the nearest free slots.

use super::api::{context, weekday};
use super::service::{self, Result, invalid};
use crate::AppState;
use crate::api::envelope::{body, ok};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cartella_core::ResourceId;
use cartella_core::scheduling::series::{SeriesRequest, plan};
use cartella_core::scheduling::slots::{Candidate, DEFAULT_STEP, SlotQuery};
use cartella_core::scheduling::{MINUTE, Span, zone};
use cartella_store::store::{Write, Written};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// A series request (the JSON body of `/planning/series`, and what the series page builds).
#[derive(Deserialize, Default)]
pub struct SeriesBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub patient: String,
    pub count: usize,
    pub weekdays: Vec<String>,
    pub time: String,
    pub from: String,
    #[serde(default)]
    pub preferred: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    pub duration_minutes: Option<i64>,
    pub window_days: Option<i64>,
    pub alternatives: Option<usize>,
    pub reason: Option<String>,
}

fn slot_json(c: &Candidate, tz: &jiff::tz::TimeZone) -> Value {
    json!({"start": zone::format_local(c.start, tz), "end": zone::format_local(c.end, tz), "resources": c.resources})
}

pub async fn series(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: SeriesBody = body(&raw)?;
    let (status, data) = run(&state, &ctx, b).await?;
    Ok((status, ok(data)).into_response())
}

/// Book the series that fits; `CREATED` when at least one session was booked. The data lists
/// the booked sessions and every date that could not be placed, with alternatives.
pub async fn run(
    state: &AppState,
    ctx: &cartella_store::AccessContext,
    b: SeriesBody,
) -> Result<(StatusCode, Value)> {
    let model = service::model(state, ctx).await?;
    let t = model
        .appointment_type(&b.kind)
        .ok_or_else(|| invalid(format!("type: unknown appointment type '{}'", b.kind)))?
        .clone();
    if !b.patient.starts_with("Patient/") {
        return Err(invalid("patient must be a reference like Patient/123"));
    }
    for r in b.resources.iter().chain(&b.preferred) {
        if model.calendar(r).is_none() {
            return Err(invalid(format!("unknown resource '{r}'")));
        }
    }
    let duration = match b.duration_minutes {
        Some(m) if m <= 0 => return Err(invalid("duration_minutes must be positive")),
        Some(m) => m * MINUTE,
        None => t.duration,
    };
    let weekdays = b
        .weekdays
        .iter()
        .map(|d| weekday(d))
        .collect::<Result<Vec<_>>>()?;
    let time: jiff::civil::Time = b
        .time
        .parse()
        .map_err(|_| invalid(format!("time: '{}' is not a time (HH:MM)", b.time)))?;
    let first_date = zone::parse_date(&b.from).map_err(|e| invalid(format!("from: {e}")))?;
    let window_days = b.window_days.unwrap_or(3);
    if !(0..=14).contains(&window_days) {
        return Err(invalid("window_days must be between 0 and 14"));
    }
    let mut fixed = b.resources.clone();
    fixed.push(b.patient.clone());
    let req = SeriesRequest {
        count: b.count,
        weekdays,
        time,
        first_date,
        window_days,
        alternatives: b.alternatives.unwrap_or(3).min(10),
        base: SlotQuery {
            duration,
            buffer_before: t.buffer_before,
            buffer_after: t.buffer_after,
            roles: t.roles.clone(),
            fixed,
            horizon: Span::default(),
            step: DEFAULT_STEP,
            tz: model.tz.clone(),
            weekdays: vec![],
            time_of_day: None,
            preferred: b.preferred.clone(),
            limit: 1,
        },
    };
    // Bookings over the whole series (at worst a week per session) plus the search windows.
    let first = zone::start_of_day(&model.tz, first_date);
    let weeks = (b.count.min(cartella_core::scheduling::series::MAX_SESSIONS) as i64 + 2) * 7;
    let horizon = Span::new(
        first - window_days * 86_400_000_000,
        first + (weeks + window_days) * 86_400_000_000,
    );
    let mut actors: Vec<String> = model.calendars.iter().map(|c| c.actor.clone()).collect();
    actors.push(b.patient.clone());
    let bookings = service::existing(&state.store, ctx, &actors, horizon).await?;
    let sessions = plan(&req, &model.calendars, &bookings).map_err(|e| invalid(e.to_string()))?;

    let mut writes = Vec::new();
    for s in &sessions {
        let Some(c) = &s.placed else { continue };
        let booking = service::Request {
            kind: Some(t.code.clone()),
            span: Span::new(c.start, c.end),
            patient: Some(b.patient.clone()),
            resources: c
                .resources
                .iter()
                .filter(|r| **r != b.patient)
                .cloned()
                .collect(),
            roles: t.roles.clone(),
            buffer_before: t.buffer_before,
            buffer_after: t.buffer_after,
        };
        let mut resource = service::appointment(&booking, &model.tz, b.reason.as_deref());
        let id = ResourceId::new_v7().as_str().to_owned();
        resource["id"] = json!(id);
        super::reminders::stamp(&mut resource);
        writes.push(Write::Put {
            rtype: "Appointment".into(),
            id,
            body: resource,
            if_match: None,
        });
    }
    let written = if writes.is_empty() {
        Vec::new()
    } else {
        state.store.write_all(ctx, writes).await?
    };
    let mut booked = Vec::new();
    let mut stored = Vec::new();
    for w in &written {
        if let Written::Put { resource, .. } = w {
            let body: Value = serde_json::from_slice(&resource.json).unwrap_or(Value::Null);
            booked.push(service::summary(
                &resource.id,
                resource.version,
                &body,
                &model.tz,
            ));
            stored.push((resource.id.clone(), body));
        }
    }
    // Reminders right after the commit (the transaction API has no outbox); a lost enqueue
    // only loses reminders, never a booking, and is logged.
    super::reminders::enqueue_after(state, ctx, &stored).await;
    let mut placed = booked.into_iter();
    let list: Vec<Value> = sessions
        .iter()
        .map(|s| {
            let mut v =
                json!({"index": s.index, "target": zone::format_local(s.target, &model.tz)});
            match &s.placed {
                Some(_) => v["appointment"] = placed.next().unwrap_or(Value::Null),
                None => {
                    v["alternatives"] = json!(
                        s.alternatives
                            .iter()
                            .map(|c| slot_json(c, &model.tz))
                            .collect::<Vec<_>>()
                    )
                }
            }
            v
        })
        .collect();
    let (booked, unplaced): (Vec<Value>, Vec<Value>) = list
        .into_iter()
        .partition(|v| v.get("appointment").is_some());
    let status = if booked.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, json!({"booked": booked, "unplaced": unplaced})))
}
