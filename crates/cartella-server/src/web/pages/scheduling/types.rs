//! Appointment types (administrators): name, default duration, required resource roles and
//! buffers (preparation before, changeover after), stored as the ActivityDefinitions the
//! scheduling service reads (`kind` = Appointment).

use super::super::super::forms::{self, FieldErrors, t};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::resource_input::parse_roles;
use super::{Pairs, get, require_admin, store_failure};
use crate::AppState;
use crate::scheduling::resources::REQUIRED_ROLE_URL;
use crate::scheduling::views;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::scheduling::appointment::{BUFFER_AFTER_URL, BUFFER_BEFORE_URL};
use cartella_store::store::WriteOptions;
use minijinja::{Value, context};
use serde_json::{Value as Json, json};

#[derive(serde::Serialize, Default)]
struct Input {
    code: String,
    name: String,
    duration: String,
    roles: String,
    buffer_before: String,
    buffer_after: String,
    active: bool,
}

fn int_ext(a: &Json, url: &str) -> String {
    a["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["url"] == url)
        .and_then(|e| e["valueInteger"].as_i64())
        .map(|v| v.to_string())
        .unwrap_or_else(|| "0".into())
}

fn input_of(a: &Json) -> Input {
    let roles: Vec<&str> = a["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["url"] == REQUIRED_ROLE_URL)
        .filter_map(|e| e["valueCode"].as_str())
        .collect();
    Input {
        code: a
            .pointer("/code/coding/0/code")
            .and_then(Json::as_str)
            .unwrap_or("")
            .into(),
        name: a["title"].as_str().unwrap_or("").into(),
        duration: a
            .pointer("/timingDuration/value")
            .and_then(Json::as_f64)
            .map(|v| (v as i64).to_string())
            .unwrap_or_default(),
        roles: roles.join(", "),
        buffer_before: int_ext(a, BUFFER_BEFORE_URL),
        buffer_after: int_ext(a, BUFFER_AFTER_URL),
        active: a["status"] != "retired",
    }
}

fn input_from(pairs: &Pairs) -> Input {
    let v = |k: &str| get(pairs, k).trim().to_owned();
    Input {
        code: v("code").to_ascii_lowercase(),
        name: v("name"),
        duration: v("duration"),
        roles: v("roles"),
        buffer_before: v("buffer_before"),
        buffer_after: v("buffer_after"),
        active: get(pairs, "active") == "on",
    }
}

/// Minutes in `0..=max` (empty is 0 unless `required`).
fn minutes(raw: &str, min: i64, max: i64) -> Option<i64> {
    let raw = if raw.is_empty() { "0" } else { raw };
    raw.parse::<i64>().ok().filter(|m| (min..=max).contains(m))
}

/// The ActivityDefinition for valid input, or per-field translated messages.
fn validate(web: &Web, i: &Input, mut a: Json) -> Result<Json, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code_ok = !i.code.is_empty()
        && i.code.len() <= 40
        && i.code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !code_ok {
        errors.insert("code".into(), t(web.lang, "sched-error-code"));
    }
    if i.name.is_empty() || i.name.chars().count() > 120 {
        errors.insert("name".into(), t(web.lang, "sched-error-name"));
    }
    let duration = minutes(&i.duration, 1, 24 * 60);
    if duration.is_none() {
        errors.insert("duration".into(), t(web.lang, "sched-error-duration"));
    }
    let before = minutes(&i.buffer_before, 0, 24 * 60);
    let after = minutes(&i.buffer_after, 0, 24 * 60);
    for (k, v) in [("buffer_before", before), ("buffer_after", after)] {
        if v.is_none() {
            errors.insert(k.into(), t(web.lang, "sched-error-buffer"));
        }
    }
    let roles = parse_roles(&i.roles);
    if roles.is_none() {
        errors.insert("roles".into(), t(web.lang, "sched-error-roles"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut ext: Vec<Json> = a["extension"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            ![REQUIRED_ROLE_URL, BUFFER_BEFORE_URL, BUFFER_AFTER_URL]
                .contains(&e["url"].as_str().unwrap_or(""))
        })
        .collect();
    ext.extend(
        roles
            .unwrap_or_default()
            .iter()
            .map(|r| json!({"url": REQUIRED_ROLE_URL, "valueCode": r})),
    );
    ext.push(json!({"url": BUFFER_BEFORE_URL, "valueInteger": before}));
    ext.push(json!({"url": BUFFER_AFTER_URL, "valueInteger": after}));
    a["resourceType"] = json!("ActivityDefinition");
    a["kind"] = json!("Appointment");
    a["status"] = json!(if i.active { "active" } else { "retired" });
    a["title"] = json!(i.name);
    a["code"] = json!({"coding": [{"system": crate::scheduling::resources::TYPE_SYSTEM, "code": i.code, "display": i.name}]});
    a["timingDuration"] = json!({"value": duration, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"});
    a["extension"] = Json::Array(ext);
    Ok(a)
}

fn form(
    web: &Web,
    status: StatusCode,
    id: Option<&str>,
    version: Option<i64>,
    input: Input,
    errors: FieldErrors,
) -> Response {
    html(
        status,
        "scheduling/type_form.html",
        web.page(context! {
            id, version, form => input, errors,
            error => (status != StatusCode::OK).then(|| t(web.lang, "error-check-fields")),
        }),
    )
}

pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let defs = match views::all(&state.store, &web.ctx, "ActivityDefinition").await {
        Ok(d) => d,
        Err(e) => return store_failure(web.lang, &e),
    };
    let rows: Vec<Value> = defs
        .iter()
        .filter(|(_, _, a)| a["kind"] == "Appointment")
        .map(|(id, _, a)| context! { id, ..Value::from_serialize(input_of(a)) })
        .collect();
    html(
        StatusCode::OK,
        "scheduling/types.html",
        web.page(context! { rows }),
    )
}

pub async fn new_form(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let input = Input {
        duration: "30".into(),
        buffer_before: "0".into(),
        buffer_after: "0".into(),
        active: true,
        ..Default::default()
    };
    form(&web, StatusCode::OK, None, None, input, FieldErrors::new())
}

pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    match state.store.read(&web.ctx, "ActivityDefinition", &id).await {
        Ok(r) => {
            let a: Json = serde_json::from_slice(&r.json).unwrap_or_default();
            form(
                &web,
                StatusCode::OK,
                Some(&id),
                Some(r.version),
                input_of(&a),
                FieldErrors::new(),
            )
        }
        Err(e) => store_failure(web.lang, &e),
    }
}

/// Create (`id` None) or update an appointment type from the posted form.
async fn save(state: AppState, web: Web, id: Option<String>, pairs: Pairs) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let input = input_from(&pairs);
    let version = get(&pairs, "version").parse::<i64>().ok();
    let current = match &id {
        Some(id) => match state.store.read(&web.ctx, "ActivityDefinition", id).await {
            Ok(r) => serde_json::from_slice(&r.json).unwrap_or_default(),
            Err(e) => return store_failure(web.lang, &e),
        },
        None => json!({}),
    };
    // Codes are what appointments refer to: a second type with the same code is refused.
    let mut errors = FieldErrors::new();
    if let Ok(defs) = views::all(&state.store, &web.ctx, "ActivityDefinition").await
        && defs.iter().any(|(other, _, a)| {
            Some(other) != id.as_ref()
                && a["kind"] == "Appointment"
                && a.pointer("/code/coding/0/code").and_then(Json::as_str)
                    == Some(input.code.as_str())
        })
    {
        errors.insert("code".into(), t(web.lang, "sched-error-code-taken"));
    }
    let body = match validate(&web, &input, current) {
        Ok(b) if errors.is_empty() => b,
        Ok(_) => {
            return form(
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                id.as_deref(),
                version,
                input,
                errors,
            );
        }
        Err(mut e) => {
            e.append(&mut errors);
            return form(
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                id.as_deref(),
                version,
                input,
                e,
            );
        }
    };
    let out = match &id {
        Some(id) => {
            let opts = WriteOptions {
                if_match: version,
                ..Default::default()
            };
            state
                .store
                .update(&web.ctx, "ActivityDefinition", id, body, opts)
                .await
        }
        None => {
            state
                .store
                .create(
                    &web.ctx,
                    "ActivityDefinition",
                    body,
                    WriteOptions::default(),
                )
                .await
        }
    };
    match out {
        Ok(_) => Redirect::to("/scheduling/types").into_response(),
        Err(cartella_store::StoreError::VersionConflict { .. }) => {
            let mut errors = FieldErrors::new();
            errors.insert("name".into(), t(web.lang, "sched-error-stale"));
            form(
                &web,
                StatusCode::CONFLICT,
                id.as_deref(),
                version,
                input,
                errors,
            )
        }
        Err(e) => store_failure(web.lang, &e),
    }
}

pub async fn create(State(state): State<AppState>, web: Web, Form(pairs): Form<Pairs>) -> Response {
    save(state, web, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    save(state, web, Some(id), pairs).await
}
