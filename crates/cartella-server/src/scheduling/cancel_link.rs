//! `/appointments/cancel/{token}`: the patient's single-use cancellation link from a reminder.
//! GET shows the appointment's date and asks to confirm; POST cancels it once. The token is
//! `{tenant}.{communication id}.{secret}`: the record holds only the secret's SHA-256, and is
//! marked used (with `If-Match`, so two clicks racing cannot both win) before the appointment
//! is cancelled. A second use answers 410 "already used"; an unknown token 404. The page is
//! plain HTML in the patient's language with no patient data beyond the date.

use super::notifications::{self as rec, USED_URL};
use super::reminders::batch_of;
use crate::AppState;
use crate::web::i18n::Lang;
use crate::web::render::locales;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use cartella_core::TenantId;
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, StoredResource};
use fluent_bundle::FluentArgs;
use serde_json::{Value, json};

/// Why a link cannot be used, each with its page.
enum Refusal {
    Unknown,
    Used,
    Changed,
}

struct Link {
    ctx: AccessContext,
    record: StoredResource,
    body: Value,
    appointment: (i64, Value),
    lang: Lang,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(lang: Lang, status: StatusCode, title: &str, text: &str, button: Option<&str>) -> Response {
    let form = button
        .map(|b| {
            format!(
                "<form method=\"post\"><button type=\"submit\">{}</button></form>",
                escape(b)
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{t}</title></head><body><main><h1>{t}</h1><p>{}</p>{form}</main></body></html>",
        lang.code(),
        escape(text),
        t = escape(title),
    );
    (status, Html(html)).into_response()
}

fn refused(lang: Lang, why: Refusal) -> Response {
    let l = locales();
    let (status, key) = match why {
        Refusal::Unknown => (StatusCode::NOT_FOUND, "cancel-link-unknown"),
        Refusal::Used => (StatusCode::GONE, "cancel-link-used"),
        Refusal::Changed => (StatusCode::GONE, "cancel-link-changed"),
    };
    page(
        lang,
        status,
        &l.text(lang, "cancel-link-title", None),
        &l.text(lang, key, None),
        None,
    )
}

async fn resolve(state: &AppState, token: &str) -> Result<Link, (Lang, Refusal)> {
    let unknown = (Lang::En, Refusal::Unknown);
    let mut parts = token.splitn(3, '.');
    let (Some(tenant), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unknown);
    };
    let tenant = TenantId::parse(tenant).map_err(|_| (Lang::En, Refusal::Unknown))?;
    let ctx = AccessContext::system(tenant, "cancel-link");
    let record = state
        .store
        .read(&ctx, "Communication", id)
        .await
        .map_err(|_| (Lang::En, Refusal::Unknown))?;
    let body: Value =
        serde_json::from_slice(&record.json).map_err(|_| (Lang::En, Refusal::Unknown))?;
    if !rec::token_matches(&body, secret) {
        return Err(unknown);
    }
    let patient = body
        .pointer("/subject/reference")
        .and_then(Value::as_str)
        .unwrap_or("");
    let lang = match state
        .store
        .read(&ctx, "Patient", patient.trim_start_matches("Patient/"))
        .await
    {
        Ok(p) => serde_json::from_slice::<Value>(&p.json)
            .ok()
            .and_then(|p| {
                p.pointer("/communication/0/language/coding/0/code")
                    .and_then(Value::as_str)
                    .and_then(Lang::parse)
            })
            .unwrap_or(Lang::En),
        Err(_) => Lang::En,
    };
    if rec::used_at(&body).is_some() {
        return Err((lang, Refusal::Used));
    }
    let about = body
        .pointer("/about/0/reference")
        .and_then(Value::as_str)
        .unwrap_or("");
    let appointment =
        super::service::read(&state.store, &ctx, about.trim_start_matches("Appointment/"))
            .await
            .map_err(|_| (lang, Refusal::Changed))?;
    // Valid only for the booking it was sent for: not after a reschedule or a cancellation.
    let batch = rec::key_of(&body)
        .and_then(|k| k.split(':').next())
        .unwrap_or("");
    if appointment.1["status"] != "booked" || batch_of(&appointment.1) != Some(batch) {
        return Err((lang, Refusal::Changed));
    }
    Ok(Link {
        ctx,
        record,
        body,
        appointment,
        lang,
    })
}

async fn when(state: &AppState, link: &Link) -> String {
    let start = super::reminders::start_of(&link.appointment.1).unwrap_or(0);
    let tz = super::reminders::practice_tz(state, &link.ctx.tenant).await;
    jiff::Timestamp::from_microsecond(start)
        .map(|t| crate::web::format::datetime(link.lang, &tz, t))
        .unwrap_or_default()
}

pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let link = match resolve(&state, &token).await {
        Ok(l) => l,
        Err((lang, why)) => return refused(lang, why),
    };
    let l = locales();
    let mut args = FluentArgs::new();
    args.set("when", when(&state, &link).await);
    page(
        link.lang,
        StatusCode::OK,
        &l.text(link.lang, "cancel-link-title", None),
        &l.text(link.lang, "cancel-link-question", Some(&args)),
        Some(&l.text(link.lang, "cancel-link-confirm", None)),
    )
}

pub async fn cancel(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let mut link = match resolve(&state, &token).await {
        Ok(l) => l,
        Err((lang, why)) => return refused(lang, why),
    };
    let lang = link.lang;
    // Spend the link first: of two racing clicks only one passes this If-Match.
    rec::set_ext(
        &mut link.body,
        USED_URL,
        Some(json!({"valueInstant": jiff::Timestamp::now().to_string()})),
    );
    link.body["id"] = json!(link.record.id);
    let opts = WriteOptions {
        if_match: Some(link.record.version),
        ..Default::default()
    };
    if state
        .store
        .update(
            &link.ctx,
            "Communication",
            &link.record.id,
            link.body.clone(),
            opts,
        )
        .await
        .is_err()
    {
        return refused(lang, Refusal::Used);
    }
    let (version, mut appt) = link.appointment.clone();
    let id = appt["id"].as_str().unwrap_or("").to_owned();
    appt["status"] = json!("cancelled");
    appt["cancelationReason"] = json!({"text": "cancelled by the patient (reminder link)"});
    let opts = WriteOptions {
        if_match: Some(version),
        ..Default::default()
    };
    if let Err(e) = state
        .store
        .update(&link.ctx, "Appointment", &id, appt.clone(), opts)
        .await
    {
        tracing::warn!(error = %e, "cancellation through a reminder link failed");
        return refused(lang, Refusal::Changed);
    }
    super::waitlist::on_freed(&state, &link.ctx, &appt).await;
    let l = locales();
    let mut args = FluentArgs::new();
    args.set("when", when(&state, &link).await);
    page(
        lang,
        StatusCode::OK,
        &l.text(lang, "cancel-link-title", None),
        &l.text(lang, "cancel-link-done", Some(&args)),
        None,
    )
}
