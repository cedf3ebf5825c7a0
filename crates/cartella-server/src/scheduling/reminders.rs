//! Appointment reminders through the outbox. Every booking or reschedule through the planning
//! API stamps the Appointment with a fresh *reminder batch* id and commits one job per
//! (offset, channel) with the Appointment version (the store's outbox, same transaction), due
//! `offset` before the start. A job only delivers while the Appointment is still booked with
//! that batch and start: a reschedule (new batch) or a cancellation turns the earlier jobs into
//! no-ops, which is how pending reminders are replaced or dropped without touching the queue.
//!
//! Practice settings (tenant settings JSON, key `scheduling`):
//! `{"reminder_offsets_minutes": [2880, 120], "reminder_channels": ["email", "sms"],
//!   "reminder_max_attempts": 5, "feed_patient_names": false}` (these are the defaults).

use crate::AppState;
use cartella_core::TenantId;
use cartella_core::scheduling::appointment::{extension, parse_instant};
use cartella_store::jobs::job;
use cartella_store::{AccessContext, Lane, NewJob};
use serde_json::{Value, json};

/// The reminder batch on an Appointment (`valueString`).
pub const BATCH_URL: &str = "https://cartella.dev/fhir/StructureDefinition/reminder-batch";
/// The job kind of a reminder (and of a waiting-list offer, see `waitlist`).
pub const JOB_REMINDER: &str = "planning.reminder";

/// The practice's reminder and feed settings.
#[derive(Debug, Clone)]
pub struct ReminderSettings {
    pub offsets_minutes: Vec<i64>,
    pub channels: Vec<String>,
    pub max_attempts: i32,
    pub default_language: Option<String>,
    /// Whether calendar feeds may show patient names (default: initials and type only).
    pub feed_patient_names: bool,
}

impl ReminderSettings {
    /// From the tenant settings JSON; absent or malformed keys take the defaults.
    pub fn parse(raw: &str) -> ReminderSettings {
        let all: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        let s = &all["scheduling"];
        let offsets = s["reminder_offsets_minutes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_i64)
                    .filter(|m| *m > 0)
                    .collect()
            })
            .unwrap_or_else(|| vec![48 * 60, 2 * 60]);
        let channels = s["reminder_channels"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter(|c| matches!(*c, "email" | "sms"))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_else(|| vec!["email".into(), "sms".into()]);
        ReminderSettings {
            offsets_minutes: offsets,
            channels,
            max_attempts: s["reminder_max_attempts"]
                .as_i64()
                .map_or(5, |n| n.clamp(1, 20) as i32),
            default_language: all["default_language"].as_str().map(str::to_owned),
            feed_patient_names: s["feed_patient_names"].as_bool().unwrap_or(false),
        }
    }

    pub async fn load(state: &AppState, tenant: &TenantId) -> ReminderSettings {
        match state.auth.backend().tenant_settings(tenant).await {
            Ok(raw) => ReminderSettings::parse(&raw),
            Err(_) => ReminderSettings::parse("{}"),
        }
    }
}

/// The practice's time zone (for texts shown to patients).
pub async fn practice_tz(state: &AppState, tenant: &TenantId) -> jiff::tz::TimeZone {
    let raw = state
        .auth
        .backend()
        .tenant_settings(tenant)
        .await
        .unwrap_or_default();
    let s = crate::web::practice::PracticeSettings::parse(if raw.is_empty() { "{}" } else { &raw });
    crate::web::format::zone(&s.time_zone)
}

/// Give `appointment` a fresh reminder batch (replacing an older one); returns it.
pub fn stamp(appointment: &mut Value) -> String {
    let batch = uuid::Uuid::new_v4().simple().to_string();
    let mut ext: Vec<Value> = appointment
        .get("extension")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ext.retain(|e| e.get("url").and_then(Value::as_str) != Some(BATCH_URL));
    ext.push(json!({"url": BATCH_URL, "valueString": batch}));
    appointment["extension"] = Value::Array(ext);
    batch
}

/// The batch an Appointment was last scheduled with.
pub fn batch_of(appointment: &Value) -> Option<&str> {
    extension(appointment, BATCH_URL)?
        .get("valueString")
        .and_then(Value::as_str)
}

/// The appointment's start, µs.
pub fn start_of(appointment: &Value) -> Option<i64> {
    appointment
        .get("start")
        .and_then(Value::as_str)
        .and_then(parse_instant)
}

/// What one reminder job carries: ids and times only, never patient data.
pub fn payload(id: &str, batch: &str, start: i64, channel: &str, offset: i64) -> String {
    json!({"kind": "reminder", "appointment": id, "batch": batch, "start": start, "channel": channel, "offset": offset}).to_string()
}

/// The reminder jobs for a stamped Appointment: one per (offset, channel) still in the future.
pub fn jobs(
    tenant: &TenantId,
    id: &str,
    appointment: &Value,
    settings: &ReminderSettings,
    now: i64,
) -> Vec<NewJob> {
    let (Some(batch), Some(start)) = (batch_of(appointment), start_of(appointment)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for offset in &settings.offsets_minutes {
        let due = start - offset * 60_000_000;
        // A 48-hour reminder for a visit booked this afternoon would arrive late: skip it.
        if due <= now {
            continue;
        }
        for channel in &settings.channels {
            let mut j = job(
                Lane::Interactive,
                JOB_REMINDER,
                payload(id, batch, start, channel, *offset),
            );
            j.tenant = Some(tenant.clone());
            j.run_at = due;
            j.max_attempts = settings.max_attempts;
            j.dedupe_key = Some(format!("reminder:{tenant}:{id}:{batch}:{channel}:{offset}"));
            out.push(j);
        }
    }
    out
}

/// The outbox of a booking write: load the settings and build the jobs.
pub async fn outbox(
    state: &AppState,
    ctx: &AccessContext,
    id: &str,
    appointment: &Value,
) -> Vec<NewJob> {
    let settings = ReminderSettings::load(state, &ctx.tenant).await;
    jobs(
        &ctx.tenant,
        id,
        appointment,
        &settings,
        cartella_core::Timestamp::now().micros(),
    )
}

/// Enqueue reminders for Appointments already committed (writes without an outbox, such as
/// a series). A failure loses reminders, never bookings, and is logged without patient data.
pub async fn enqueue_after(state: &AppState, ctx: &AccessContext, stored: &[(String, Value)]) {
    let settings = ReminderSettings::load(state, &ctx.tenant).await;
    let now = cartella_core::Timestamp::now().micros();
    let all: Vec<NewJob> = stored
        .iter()
        .flat_map(|(id, body)| jobs(&ctx.tenant, id, body, &settings, now))
        .collect();
    if all.is_empty() {
        return;
    }
    if let Err(e) = state.store.backend().enqueue(all).await {
        tracing::error!(error = %e, "reminder jobs could not be enqueued");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_follow_the_settings_and_skip_past_offsets() {
        let tenant = TenantId::new();
        let s = ReminderSettings::parse(
            r#"{"scheduling": {"reminder_offsets_minutes": [1440, 60], "reminder_channels": ["sms"]}}"#,
        );
        let mut a = json!({"start": "2026-05-04T09:00:00+02:00"});
        let batch = stamp(&mut a);
        let start = start_of(&a).unwrap();
        // Booked 2 hours before: only the 1-hour reminder is still ahead.
        let got = jobs(&tenant, "a1", &a, &s, start - 120 * 60_000_000);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].run_at, start - 3_600_000_000);
        assert!(got[0].payload.contains(&batch) && got[0].payload.contains("\"sms\""));
        let d = ReminderSettings::parse("{}");
        assert_eq!(d.offsets_minutes, vec![2880, 120]);
        assert_eq!(jobs(&tenant, "a1", &a, &d, 0).len(), 4);
        // A new stamp replaces the batch.
        assert_ne!(stamp(&mut a), batch);
        assert_eq!(a["extension"].as_array().unwrap().len(), 1);
    }
}
