//! `POST /api/v1/planning/optimise-day` `{resource, date, apply?}`: propose an order of the
//! day's booked cases of a theatre or practitioner that reduces idle and overrun time, within
//! every participant's hours and other bookings and with each case's buffers. Answers
//! `{before, after: {cases: [{id, start, end}], idle_minutes, overrun_minutes}, applied}`.
//! With `apply: true` every moved case is rewritten in one transaction (all or nothing, the
//! database's booking constraint checking the final state), with fresh reminders.

use super::api::{context, day_range};
use super::service::{self, Result, invalid};
use crate::AppState;
use crate::api::envelope::{body, ok};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::scheduling::appointment::{
    BUFFER_AFTER_URL, BUFFER_BEFORE_URL, buffer_minutes, participant_actors,
};
use cartella_core::scheduling::optimise::{Case, DayPlan, current, optimise};
use cartella_core::scheduling::{MINUTE, Span, subtract, zone};
use cartella_store::store::{Write, Written};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

/// A day to optimise: the resource (e.g. `Location/theatre-1`), the local date, and whether
/// to apply the proposal.
#[derive(Deserialize, Default)]
pub struct Body {
    pub resource: String,
    pub date: String,
    #[serde(default)]
    pub apply: bool,
}

fn plan_json(p: &DayPlan, cases: &[Case], tz: &jiff::tz::TimeZone) -> Value {
    json!({
        "cases": p.order.iter().map(|(i, s)| json!({"id": cases[*i].id, "start": zone::format_local(*s, tz), "end": zone::format_local(s + cases[*i].duration, tz)})).collect::<Vec<_>>(),
        "idle_minutes": p.idle / MINUTE, "overrun_minutes": p.overrun / MINUTE,
    })
}

pub async fn optimise_day(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: Body = body(&raw)?;
    Ok(ok(run(&state, &ctx, b).await?))
}

/// The day's order now and the proposed one (idle and overrun minutes), applied all-or-nothing
/// when asked.
pub async fn run(state: &AppState, ctx: &cartella_store::AccessContext, b: Body) -> Result<Value> {
    let model = service::model(state, ctx).await?;
    let cal = model
        .calendar(&b.resource)
        .ok_or_else(|| invalid(format!("unknown resource '{}'", b.resource)))?;
    let whole = day_range(&b.date, &b.date, &model.tz)?;
    let open = cal.open_spans(whole.start, whole.end);
    let (Some(first), Some(last)) = (open.first(), open.last()) else {
        return Err(invalid(format!("{} is closed on {}", b.resource, b.date)));
    };
    let day = Span::new(first.start, last.end);
    // The day's booked cases of the resource, with versions for the all-or-nothing write.
    let rows = state
        .store
        .bookings(
            ctx,
            std::slice::from_ref(&b.resource),
            whole.start,
            whole.end,
        )
        .await?;
    let mut cases = Vec::new();
    let mut bodies = Vec::new();
    for row in rows {
        let (version, a) = service::read(&state.store, ctx, &row.appointment_id).await?;
        if a["status"] != "booked" {
            continue;
        }
        let span = super::reminders::start_of(&a).zip(
            a.get("end")
                .and_then(Value::as_str)
                .and_then(cartella_core::scheduling::appointment::parse_instant),
        );
        let Some((start, end)) = span else { continue };
        if start < whole.start || start >= whole.end {
            continue;
        }
        let minutes = |url| buffer_minutes(&a, url).unwrap_or(0) * MINUTE;
        cases.push(Case {
            id: row.appointment_id.clone(),
            start,
            duration: end - start,
            buffer_before: minutes(BUFFER_BEFORE_URL),
            buffer_after: minutes(BUFFER_AFTER_URL),
            actors: participant_actors(&a),
        });
        bodies.push((version, a));
    }
    if cases.is_empty() {
        return Err(invalid(format!(
            "{} has no booked cases on {}",
            b.resource, b.date
        )));
    }
    // Free time of every participant: hours (none for patients) minus bookings of anything
    // but these cases.
    let mut actors: Vec<String> = cases.iter().flat_map(|c| c.actors.clone()).collect();
    actors.sort();
    actors.dedup();
    let limit = day.end + 6 * 60 * MINUTE;
    let wide = Span::new(day.start - 60 * MINUTE, limit);
    let others = service::existing(&state.store, ctx, &actors, wide).await?;
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut free: HashMap<String, Vec<Span>> = HashMap::new();
    for a in &actors {
        let base = match model.calendar(a) {
            Some(c) => c.open_spans(wide.start, wide.end),
            None => vec![wide],
        };
        let held: Vec<Span> = others
            .iter()
            .filter(|o| &o.actor == a && !ids.contains(&o.appointment_id.as_str()))
            .map(|o| o.span)
            .collect();
        free.insert(a.clone(), subtract(&base, &held));
    }
    let before = current(&cases, day);
    let after = optimise(&cases, day, limit, &free).unwrap_or_else(|| before.clone());
    let after = if after.cost() < before.cost() {
        after
    } else {
        before.clone()
    };
    let mut applied = false;
    if b.apply && after != before {
        let mut writes = Vec::new();
        for (i, start) in &after.order {
            let c = &cases[*i];
            if *start == c.start {
                continue;
            }
            let (version, mut a) = bodies[*i].clone();
            a["start"] = json!(zone::format_local(*start, &model.tz));
            a["end"] = json!(zone::format_local(start + c.duration, &model.tz));
            super::reminders::stamp(&mut a);
            writes.push(Write::Put {
                rtype: "Appointment".into(),
                id: c.id.clone(),
                body: a,
                if_match: Some(version),
            });
        }
        let written = state.store.write_all(ctx, writes).await?;
        let stored: Vec<(String, Value)> = written
            .iter()
            .filter_map(|w| match w {
                Written::Put { resource, .. } => serde_json::from_slice(&resource.json)
                    .ok()
                    .map(|b| (resource.id.clone(), b)),
                _ => None,
            })
            .collect();
        super::reminders::enqueue_after(state, ctx, &stored).await;
        applied = true;
    }
    Ok(json!({
        "before": plan_json(&before, &cases, &model.tz),
        "after": plan_json(&after, &cases, &model.tz),
        "applied": applied,
    }))
}
