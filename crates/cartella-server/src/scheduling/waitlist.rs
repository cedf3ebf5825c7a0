//! The waiting list: a patient waiting for a slot is an Appointment with status `waitlist`
//! (FHIR's own status for it: it holds no time), its `appointmentType`, the period the patient
//! can come in `requestedPeriod`, and preferred practitioners as `information-only`
//! participants. When an appointment is cancelled, the first matching entries (oldest first)
//! get an offer through the outbox (`planning.reminder` jobs of kind `offer`), recorded like
//! reminders and listed by `/planning/appointments/{entry}/notifications`.
//!
//! | method | path | body | success |
//! |---|---|---|---|
//! | POST | `/planning/waitlist` | `{patient, type, from?, to? (dates), preferred?: [...], note?}` | 201 `{entry}` |
//! | GET | `/planning/waitlist` | — | 200 `{entries: [...]}` |
//!
//! Removing an entry: `POST /planning/cancel` with its id and a reason.

use super::api::{context, day_range};
use super::reminders::{JOB_REMINDER, ReminderSettings, start_of};
use super::resources::TYPE_SYSTEM;
use super::service::{self, Result, invalid};
use crate::AppState;
use crate::api::envelope::{body, ok};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cartella_core::scheduling::appointment::{parse_instant, participant_actors};
use cartella_core::scheduling::zone;
use cartella_store::jobs::job;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Lane};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// How many waiting patients are offered one freed slot.
const OFFERS_PER_SLOT: usize = 3;

/// A waiting-list entry as asked for (the JSON body of the API, and what the page builds).
#[derive(Deserialize, Default)]
pub struct EntryBody {
    pub patient: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default)]
    pub preferred: Vec<String>,
    pub note: Option<String>,
}

fn entry_json(id: &str, b: &Value) -> Value {
    json!({
        "id": id, "status": b["status"],
        "type": b.pointer("/appointmentType/coding/0/code"),
        "patient": participant_actors(b).into_iter().find(|a| a.starts_with("Patient/")),
        "from": b.pointer("/requestedPeriod/0/start"), "to": b.pointer("/requestedPeriod/0/end"),
        "preferred": preferred(b),
    })
}

fn preferred(b: &Value) -> Vec<String> {
    b["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["required"] == "information-only")
        .filter_map(|p| {
            p.pointer("/actor/reference")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

pub async fn add(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::POST).await?;
    let b: EntryBody = body(&raw)?;
    let entry = put(&state, &ctx, b).await?;
    Ok((StatusCode::CREATED, ok(json!({ "entry": entry }))).into_response())
}

/// Put a patient on the waiting list; returns the entry as the API lists it.
pub async fn put(state: &AppState, ctx: &AccessContext, b: EntryBody) -> Result<Value> {
    let model = service::model(state, ctx).await?;
    if !b.patient.starts_with("Patient/") {
        return Err(invalid("patient must be a reference like Patient/123"));
    }
    if model.appointment_type(&b.kind).is_none() {
        return Err(invalid(format!(
            "type: unknown appointment type '{}'",
            b.kind
        )));
    }
    for r in &b.preferred {
        if model.calendar(r).is_none() {
            return Err(invalid(format!("unknown resource '{r}'")));
        }
    }
    let mut participants = vec![
        json!({"actor": {"reference": b.patient}, "required": "required", "status": "needs-action"}),
    ];
    participants.extend(b.preferred.iter().map(|r| json!({"actor": {"reference": r}, "required": "information-only", "status": "needs-action"})));
    let mut entry = json!({
        "resourceType": "Appointment", "status": "waitlist",
        "appointmentType": {"coding": [{"system": TYPE_SYSTEM, "code": b.kind}]},
        "participant": participants,
    });
    if b.from.is_some() || b.to.is_some() {
        let from = b.from.clone().or(b.to.clone()).unwrap_or_default();
        let span = day_range(&from, b.to.as_deref().unwrap_or(&from), &model.tz)?;
        entry["requestedPeriod"] = json!([{"start": zone::format_local(span.start, &model.tz), "end": zone::format_local(span.end, &model.tz)}]);
    }
    if let Some(n) = &b.note {
        entry["comment"] = json!(n);
    }
    let out = state
        .store
        .create(ctx, "Appointment", entry, WriteOptions::default())
        .await?;
    let stored: Value = serde_json::from_slice(&out.resource.json).unwrap_or(Value::Null);
    Ok(entry_json(&out.resource.id, &stored))
}

/// Every waiting entry, oldest first.
async fn entries(state: &AppState, ctx: &AccessContext) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    let mut params = vec![
        ("status".to_owned(), "waitlist".to_owned()),
        ("_count".to_owned(), "500".to_owned()),
    ];
    loop {
        let page = state.store.search(ctx, "Appointment", &params).await?;
        for r in &page.resources {
            out.push((
                r.id.clone(),
                serde_json::from_slice(&r.json).unwrap_or(Value::Null),
            ));
        }
        match page.next {
            Some(c) => {
                params = vec![
                    ("status".into(), "waitlist".into()),
                    ("_count".into(), "500".into()),
                    ("_cursor".into(), c),
                ]
            }
            None => return Ok(out),
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    Ok(ok(json!({ "entries": waiting(&state, &ctx).await? })))
}

/// Every waiting entry, oldest first, as the API lists it.
pub async fn waiting(state: &AppState, ctx: &AccessContext) -> Result<Vec<Value>> {
    let all = entries(state, ctx).await?;
    Ok(all.iter().map(|(id, b)| entry_json(id, b)).collect())
}

/// Whether `entry` would take the slot freed by `appt`: same type, within its period, and
/// (when it names practitioners) one of them is in the freed slot.
fn matches(entry: &Value, appt: &Value) -> bool {
    let code = |v: &Value| {
        v.pointer("/appointmentType/coding/0/code")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if code(entry) != code(appt) {
        return false;
    }
    let at = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).and_then(parse_instant);
    if let (Some(s), Some(e), Some(start)) = (
        at(entry, "/requestedPeriod/0/start"),
        at(entry, "/requestedPeriod/0/end"),
        start_of(appt),
    ) && !(s <= start && start < e)
    {
        return false;
    }
    let wanted = preferred(entry);
    let freed = participant_actors(appt);
    wanted.is_empty() || wanted.iter().any(|w| freed.contains(w))
}

/// After a cancellation: offer the freed slot to the first matching waiting patients. Runs
/// after the cancellation committed; a failure loses offers, never the cancellation.
pub async fn on_freed(state: &AppState, ctx: &AccessContext, appt: &Value) {
    let Some(start) = start_of(appt) else { return };
    if start <= cartella_core::Timestamp::now().micros() {
        return; // A slot in the past frees nothing.
    }
    let end = appt
        .get("end")
        .and_then(Value::as_str)
        .and_then(parse_instant)
        .unwrap_or(start);
    let list = match entries(state, ctx).await {
        Ok(l) => l,
        Err(_) => {
            tracing::warn!("waiting list could not be read after a cancellation");
            return;
        }
    };
    let settings = ReminderSettings::load(state, &ctx.tenant).await;
    let mut jobs = Vec::new();
    for (id, _) in list
        .iter()
        .filter(|(_, e)| matches(e, appt))
        .take(OFFERS_PER_SLOT)
    {
        for channel in &settings.channels {
            let payload = json!({"kind": "offer", "entry": id, "start": start, "end": end, "channel": channel}).to_string();
            let mut j = job(Lane::Interactive, JOB_REMINDER, payload);
            j.tenant = Some(ctx.tenant.clone());
            j.max_attempts = settings.max_attempts;
            j.dedupe_key = Some(format!("offer:{}:{id}:{start}:{channel}", ctx.tenant));
            jobs.push(j);
        }
    }
    if !jobs.is_empty()
        && let Err(e) = state.store.backend().enqueue(jobs).await
    {
        tracing::error!(error = %e, "waiting-list offers could not be enqueued");
    }
}
