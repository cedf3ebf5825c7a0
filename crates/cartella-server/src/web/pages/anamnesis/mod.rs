//! The anamnesis page of the chart (`/patients/{id}/anamnesis`): the current anamnesis (remote,
//! recent and family history, the latest of each carried forward) and one form per section.
//! A refused form re-renders the page with status 422, the typed values kept and a translated
//! message next to each field; inputs are named `{section}_{field}` so the five forms never
//! share an id.

use super::super::forms::{self, FieldErrors, t};
use super::super::render::html;
use super::super::session::Web;
use super::chart::header;
use super::patients::{Pairs, get};
use crate::AppState;
use crate::anamnesis::{api::add_entry, read};
use crate::clinical::ClinicalError;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::anamnesis::relationships::RELATIONSHIPS;
use cartella_core::anamnesis::{COURSES, PAST_STATUSES};
use minijinja::context;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const TEMPLATES: &[(&str, &str)] = crate::templates!["anamnesis/index.html"];

fn error(web: &Web, e: &ClinicalError) -> Response {
    let (status, title) = match e {
        ClinicalError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found-title"),
        ClinicalError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden-title"),
        _ => (StatusCode::CONFLICT, "anamnesis-error-title"),
    };
    super::error_page(
        web.lang,
        status,
        &t(web.lang, title),
        &t(web.lang, "anamnesis-error-message"),
    )
}

/// A field problem in the user's language (the English message when no key exists).
fn translate(web: &Web, e: &cartella_core::clinical::ClinicalFieldError) -> String {
    let key = format!("anamnesis-err-{}", e.code.replace('_', "-"));
    let text = t(web.lang, &key);
    if text == key { e.message.clone() } else { text }
}

async fn render(
    state: &AppState,
    web: &Web,
    id: &str,
    values: &BTreeMap<String, String>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let head = match header(state, web, id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let current = match read::current(&state.store, &web.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error(web, &e),
    };
    let relationships: Vec<&str> = RELATIONSHIPS.iter().map(|(c, _)| *c).collect();
    html(
        status,
        "anamnesis/index.html",
        web.page(context! {
            current_tab => "clinical", current, values, errors, relationships,
            statuses => PAST_STATUSES, courses => COURSES, ..head.context
        }),
    )
}

pub async fn show(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let none = BTreeMap::new();
    render(
        &state,
        &web,
        &id,
        &none,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// One section's form: `{section}_{field}` pairs become that section's input.
pub async fn add(
    State(state): State<AppState>,
    web: Web,
    Path((id, section)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let prefix = format!("{section}_");
    let mut input = Map::new();
    let mut values = BTreeMap::new();
    for (k, v) in &pairs {
        if let Some(field) = k.strip_prefix(&prefix) {
            values.insert(k.clone(), v.clone());
            if !v.trim().is_empty() {
                input.insert(field.to_owned(), Value::String(v.clone()));
            }
        }
    }
    match add_entry(&state.store, &web.ctx, &id, &section, Value::Object(input)).await {
        Ok(_) => Redirect::to(&format!("/patients/{id}/anamnesis#{section}")).into_response(),
        Err(ClinicalError::Validation(list)) => {
            let errors: FieldErrors = list
                .iter()
                .map(|e| (format!("{prefix}{}", e.field), translate(&web, e)))
                .collect();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &web, &id, &values, &errors, status).await
        }
        Err(e) => error(&web, &e),
    }
}
