//! Calendar feeds: a secret, revocable iCalendar URL per practitioner, room or device that any
//! calendar app can subscribe to. A feed is a FHIR `Basic` resource (code `ics-feed`, `subject`
//! the resource) holding only the SHA-256 of its secret; the URL is
//! `/calendar/{tenant}.{feed id}.{secret}.ics`. Revoking deletes the `Basic`, after which the
//! URL answers 404. Events show the appointment type and the patient's initials only (the feed
//! leaves the practice), full names when the practice enables `scheduling.feed_patient_names`.
//!
//! | method | path | body | success |
//! |---|---|---|---|
//! | POST | `/api/v1/planning/feeds` (admin) | `{resource}` | 201 `{id, resource, url}` (the URL is shown once) |
//! | GET | `/api/v1/planning/feeds` (admin) | — | 200 `{feeds: [{id, resource, created}]}` |
//! | DELETE | `/api/v1/planning/feeds/{id}` (admin) | — | 200 `{revoked}` |
//! | GET | `/calendar/{token}.ics` (public) | — | 200 `text/calendar` |

use super::api::context;
use super::notifications::{new_secret, token_hash, token_matches};
use super::reminders::ReminderSettings;
use super::service::{self, Result, invalid};
use crate::AppState;
use crate::api::envelope::{ApiError, body, ok};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_core::TenantId;
use cartella_core::scheduling::appointment::{parse_instant, participant_actors};
use cartella_core::scheduling::ics::{Event, calendar};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const FEED_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/cartella-basic";
const DAY: i64 = 86_400_000_000;

async fn admin(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    m: Method,
) -> Result<AccessContext> {
    let ctx = context(state, headers, peer, m).await?;
    state.store.authorize_admin(&ctx).await?;
    Ok(ctx)
}

#[derive(Deserialize)]
struct FeedBody {
    resource: String,
}

pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    let b: FeedBody = body(&raw)?;
    let model = service::model(&state, &ctx).await?;
    if model.calendar(&b.resource).is_none() {
        return Err(invalid(format!(
            "unknown resource '{}': it has no active Schedule",
            b.resource
        )));
    }
    let secret = new_secret();
    let feed = json!({
        "resourceType": "Basic",
        "code": {"coding": [{"system": FEED_SYSTEM, "code": "ics-feed"}]},
        "subject": {"reference": b.resource},
        "created": jiff::Timestamp::now().strftime("%Y-%m-%d").to_string(),
        "extension": [{"url": super::notifications::TOKEN_URL, "valueString": token_hash(&secret)}],
    });
    let out = state
        .store
        .create(&ctx, "Basic", feed, WriteOptions::default())
        .await?;
    let url = format!(
        "{}/calendar/{}.{}.{secret}.ics",
        state.config.public_url, ctx.tenant, out.resource.id
    );
    Ok((
        StatusCode::CREATED,
        ok(json!({"id": out.resource.id, "resource": b.resource, "url": url})),
    )
        .into_response())
}

fn is_feed(b: &Value) -> bool {
    b.pointer("/code/coding/0/system").and_then(Value::as_str) == Some(FEED_SYSTEM)
        && b.pointer("/code/coding/0/code").and_then(Value::as_str) == Some("ics-feed")
}

pub async fn list(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::GET).await?;
    let mut feeds = Vec::new();
    let mut params = vec![("_count".to_owned(), "500".to_owned())];
    loop {
        let page = state.store.search(&ctx, "Basic", &params).await?;
        for r in &page.resources {
            let b: Value = serde_json::from_slice(&r.json).unwrap_or(Value::Null);
            if is_feed(&b) {
                feeds.push(json!({"id": r.id, "resource": b.pointer("/subject/reference"), "created": b["created"]}));
            }
        }
        match page.next {
            Some(c) => params = vec![("_count".into(), "500".into()), ("_cursor".into(), c)],
            None => break,
        }
    }
    Ok(ok(json!({"feeds": feeds})))
}

pub async fn revoke(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::DELETE).await?;
    let r = state.store.read(&ctx, "Basic", &id).await?;
    let b: Value = serde_json::from_slice(&r.json).unwrap_or(Value::Null);
    if !is_feed(&b) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such feed",
        ));
    }
    state.store.delete(&ctx, "Basic", &id).await?;
    Ok(ok(json!({"revoked": id})))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// `J.S.` from a Patient's first name entry (no names in a feed by default).
fn patient_label(p: &Value, full: bool) -> String {
    let given: Vec<&str> = p
        .pointer("/name/0/given")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let family = p
        .pointer("/name/0/family")
        .and_then(Value::as_str)
        .unwrap_or("");
    if full {
        return format!("{} {family}", given.join(" ")).trim().to_owned();
    }
    given
        .iter()
        .chain(std::iter::once(&family))
        .filter_map(|n| n.chars().next())
        .map(|c| format!("{c}."))
        .collect()
}

/// The public feed. Any failure to authenticate the token is the same 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    let mut parts = token.splitn(3, '.');
    let (Some(tenant), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return not_found();
    };
    let Ok(tenant) = TenantId::parse(tenant) else {
        return not_found();
    };
    let ctx = AccessContext::system(tenant, "calendar-feed");
    let Ok(r) = state.store.read(&ctx, "Basic", id).await else {
        return not_found();
    };
    let b: Value = serde_json::from_slice(&r.json).unwrap_or(Value::Null);
    if !is_feed(&b) || !token_matches(&b, secret) {
        return not_found();
    }
    let Some(actor) = b.pointer("/subject/reference").and_then(Value::as_str) else {
        return not_found();
    };
    match events(&state.store, &ctx, actor, &state).await {
        Ok(events) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            calendar(actor, &events),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The actor's appointments from 30 days back to 180 days ahead.
async fn events(
    store: &Store,
    ctx: &AccessContext,
    actor: &str,
    state: &AppState,
) -> std::result::Result<Vec<Event>, cartella_store::StoreError> {
    let full = ReminderSettings::load(state, &ctx.tenant)
        .await
        .feed_patient_names;
    let now = cartella_core::Timestamp::now().micros();
    let rows = store
        .bookings(ctx, &[actor.to_owned()], now - 30 * DAY, now + 180 * DAY)
        .await?;
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        let (_, a) = service::read(store, ctx, &row.appointment_id).await?;
        let at = |k: &str| a.get(k).and_then(Value::as_str).and_then(parse_instant);
        let (Some(start), Some(end)) = (at("start"), at("end")) else {
            continue;
        };
        let kind = a
            .pointer("/appointmentType/coding/0/code")
            .and_then(Value::as_str)
            .unwrap_or("appointment");
        let mut summary = kind.to_owned();
        if let Some(p) = participant_actors(&a)
            .into_iter()
            .find(|x| x.starts_with("Patient/"))
        {
            if !labels.contains_key(&p) {
                let label = match store
                    .read(ctx, "Patient", p.trim_start_matches("Patient/"))
                    .await
                {
                    Ok(r) => serde_json::from_slice::<Value>(&r.json)
                        .map(|v| patient_label(&v, full))
                        .unwrap_or_default(),
                    Err(_) => String::new(),
                };
                labels.insert(p.clone(), label);
            }
            let label = &labels[&p];
            if !label.is_empty() {
                summary = format!("{kind} – {label}");
            }
        }
        let stamp = a
            .pointer("/meta/lastUpdated")
            .and_then(Value::as_str)
            .and_then(parse_instant)
            .unwrap_or(now);
        out.push(Event {
            uid: format!("{}@cartella", row.appointment_id),
            start,
            end,
            summary,
            status: "CONFIRMED",
            stamp,
        });
    }
    Ok(out)
}
