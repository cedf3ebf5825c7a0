//! Delivery records: each reminder or offer that was attempted is a FHIR `Communication` in
//! the patient's compartment (`about` the Appointment, `medium` e-mail or SMS), with its
//! delivery state (`sending`, `sent`, `failed` — will be retried —, `dead` — gave up, flagged),
//! the attempts, the last error (no patient data), and the hashes of the single-use
//! cancellation links it carried. Reminders not yet due are derived from the Appointment.
//!
//! `GET /api/v1/planning/appointments/{id}/notifications` →
//! `{notifications: [{channel, offset_minutes, state, attempts, error, sent, current}],
//!   pending: [{channel, offset_minutes, due}]}`.

use super::api::context;
use super::reminders::{ReminderSettings, batch_of, start_of};
use super::service::{self, Result};
use crate::AppState;
use crate::api::envelope::ok;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_core::scheduling::appointment::{extension, participant_actors};
use cartella_core::scheduling::zone;
use cartella_store::{AccessContext, Store, StoreError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const KEY_SYSTEM: &str = "https://cartella.dev/fhir/NamingSystem/notification-key";
pub const STATE_URL: &str = "https://cartella.dev/fhir/StructureDefinition/delivery-state";
pub const ATTEMPTS_URL: &str = "https://cartella.dev/fhir/StructureDefinition/delivery-attempts";
pub const ERROR_URL: &str = "https://cartella.dev/fhir/StructureDefinition/delivery-error";
pub const TOKEN_URL: &str = "https://cartella.dev/fhir/StructureDefinition/cancel-token-sha256";
pub const USED_URL: &str = "https://cartella.dev/fhir/StructureDefinition/cancel-token-used";
const MODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";

/// SHA-256 of a link secret, hex (what is stored; the secret only travels in the message).
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh 256-bit secret, hex.
pub fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn ext_str<'a>(r: &'a Value, url: &str) -> Option<&'a str> {
    extension(r, url).and_then(|e| {
        e.get("valueCode")
            .or(e.get("valueString"))
            .or(e.get("valueInstant"))
            .and_then(Value::as_str)
    })
}

/// Replace (or remove, with `None`) the single extension `url`.
pub fn set_ext(r: &mut Value, url: &str, value: Option<Value>) {
    let mut ext: Vec<Value> = r
        .get("extension")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ext.retain(|e| e.get("url").and_then(Value::as_str) != Some(url));
    if let Some(mut v) = value {
        v["url"] = json!(url);
        ext.push(v);
    }
    r["extension"] = Value::Array(ext);
}

/// A new record for `key` (e.g. `batch:email:2880`) about `about` (`Appointment/x`).
pub fn new_record(patient: &str, about: &str, key: &str, channel: &str) -> Value {
    let mode = if channel == "sms" {
        "SMSWRIT"
    } else {
        "EMAILWRIT"
    };
    json!({
        "resourceType": "Communication", "status": "preparation",
        "identifier": [{"system": KEY_SYSTEM, "value": key}],
        "subject": {"reference": patient},
        "about": [{"reference": about}],
        "medium": [{"coding": [{"system": MODE_SYSTEM, "code": mode}]}],
        "category": [{"text": "appointment-notification"}],
    })
}

/// Record an attempt's outcome; `state` is `sending`, `sent`, `failed` or `dead`.
pub fn set_state(r: &mut Value, state: &str, attempts: i32, error: Option<&str>) {
    r["status"] = json!(match state {
        "sent" => "completed",
        "dead" => "not-done",
        _ => "in-progress",
    });
    if state == "sent" {
        r["sent"] = json!(jiff::Timestamp::now().to_string());
    }
    set_ext(r, STATE_URL, Some(json!({"valueCode": state})));
    set_ext(r, ATTEMPTS_URL, Some(json!({"valueInteger": attempts})));
    set_ext(r, ERROR_URL, error.map(|e| json!({"valueString": e})));
}

/// Add a cancellation-link secret (its hash); returns the secret. Earlier ones stay valid: a
/// retried delivery may have reached the patient before it failed.
pub fn add_token(r: &mut Value) -> String {
    let secret = new_secret();
    let mut ext: Vec<Value> = r
        .get("extension")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    ext.push(json!({"url": TOKEN_URL, "valueString": token_hash(&secret)}));
    r["extension"] = Value::Array(ext);
    secret
}

/// Whether `secret` is one of the record's link secrets (constant-time per comparison).
pub fn token_matches(r: &Value, secret: &str) -> bool {
    use subtle::ConstantTimeEq;
    let want = token_hash(secret);
    r.get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.get("url").and_then(Value::as_str) == Some(TOKEN_URL))
        .filter_map(|e| e.get("valueString").and_then(Value::as_str))
        .any(|h| bool::from(h.as_bytes().ct_eq(want.as_bytes())))
}

pub fn used_at(r: &Value) -> Option<&str> {
    ext_str(r, USED_URL)
}

pub fn key_of(r: &Value) -> Option<&str> {
    r.get("identifier")?
        .as_array()?
        .iter()
        .find(|i| i.get("system").and_then(Value::as_str) == Some(KEY_SYSTEM))?
        .get("value")?
        .as_str()
}

/// The records about `about` in `patient`'s compartment, with id and version.
pub async fn records(
    store: &Store,
    ctx: &AccessContext,
    patient: &str,
    about: &str,
) -> std::result::Result<Vec<(String, i64, Value)>, StoreError> {
    let mut out = Vec::new();
    let mut params = vec![
        ("subject".to_owned(), patient.to_owned()),
        ("_count".to_owned(), "500".to_owned()),
    ];
    loop {
        let page = store.search(ctx, "Communication", &params).await?;
        for r in &page.resources {
            let body: Value =
                serde_json::from_slice(&r.json).map_err(|e| StoreError::Internal(e.to_string()))?;
            if body.pointer("/about/0/reference").and_then(Value::as_str) == Some(about) {
                out.push((r.id.clone(), r.version, body));
            }
        }
        match page.next {
            Some(c) => {
                params = vec![
                    ("subject".into(), patient.into()),
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
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = context(&state, &headers, peer, Method::GET).await?;
    let model = service::model(&state, &ctx).await?;
    let (_, appt) = service::read(&state.store, &ctx, &id).await?;
    let patient = participant_actors(&appt)
        .into_iter()
        .find(|a| a.starts_with("Patient/"));
    let Some(patient) = patient else {
        return Ok(ok(json!({"notifications": [], "pending": []})));
    };
    let about = format!("Appointment/{id}");
    let current = batch_of(&appt).unwrap_or("").to_owned();
    let recs = records(&state.store, &ctx, &patient, &about).await?;
    let mut done = std::collections::HashSet::new();
    let list: Vec<Value> = recs
        .iter()
        .map(|(rid, _, r)| {
            let key = key_of(r).unwrap_or("");
            done.insert(key.to_owned());
            let mut parts = key.split(':');
            let batch = parts.next().unwrap_or("");
            let channel = parts.next().unwrap_or("");
            json!({
                "id": rid, "channel": channel,
                "offset_minutes": parts.next().and_then(|o| o.parse::<i64>().ok()),
                "state": ext_str(r, STATE_URL), "attempts": extension(r, ATTEMPTS_URL).and_then(|e| e.get("valueInteger")),
                "error": ext_str(r, ERROR_URL), "sent": r.get("sent"),
                "cancel_link_used": used_at(r).is_some(),
                "current": batch == current,
            })
        })
        .collect();
    // Still ahead: the current batch's reminders not attempted yet, while the visit is booked.
    let mut pending = Vec::new();
    let booked = appt.get("status").and_then(Value::as_str) == Some("booked");
    if let (true, Some(start)) = (booked && !current.is_empty(), start_of(&appt)) {
        let settings = ReminderSettings::load(&state, &ctx.tenant).await;
        let now = cartella_core::Timestamp::now().micros();
        for offset in &settings.offsets_minutes {
            let due = start - offset * 60_000_000;
            for channel in &settings.channels {
                if due > now && !done.contains(&format!("{current}:{channel}:{offset}")) {
                    pending.push(json!({"channel": channel, "offset_minutes": offset, "due": zone::format_local(due, &model.tz)}));
                }
            }
        }
    }
    Ok(ok(json!({"notifications": list, "pending": pending})))
}
