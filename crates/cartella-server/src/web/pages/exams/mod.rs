//! Guided examinations from templates (FHIR Questionnaires) in the patient chart: choose a
//! template (optionally within a visit), fill the form (conditional items shown and hidden by
//! `exams.js`, and checked again on the server), read the saved answers back; administrators
//! edit templates as JSON ([`editor`]).

pub mod editor;
mod form;

use super::super::forms::{self, FieldErrors, t};
use super::super::render::html;
use super::super::session::Web;
use super::chart::header;
use super::patients::{Pairs, get};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::exams::{responses, templates};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

/// Templates of the examination pages (under `templates/exams/`).
pub const TEMPLATES: &[(&str, &str)] = crate::templates![
    "exams/header.html",
    "exams/index.html",
    "exams/form.html",
    "exams/view.html",
    "exams/admin_list.html",
    "exams/editor.html",
];

/// A service error as a page: 404 for what does not exist, 403 for what may not be done.
pub(crate) fn error(web: &Web, e: &ClinicalError) -> Response {
    let (status, title) = match e {
        ClinicalError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found-title"),
        ClinicalError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden-title"),
        _ => (StatusCode::CONFLICT, "exams-error-title"),
    };
    super::error_page(
        web.lang,
        status,
        &t(web.lang, title),
        &t(web.lang, "exams-error-message"),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VisitQuery {
    encounter: String,
}

/// The examinations of a patient: the templates to start one, and the saved ones.
pub async fn index(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<VisitQuery>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let lang = web.lang.code();
    let list = templates::list(&state.store, &web.ctx, false, lang).await;
    let done = responses::list(&state.store, &web.ctx, &id, None, lang).await;
    let (list, done) = match (list, done) {
        (Ok(l), Ok(d)) => (l, d),
        (Err(e), _) | (_, Err(e)) => return error(&web, &e),
    };
    html(
        StatusCode::OK,
        "exams/index.html",
        web.page(context! {
            current_tab => "exams", templates => list, done, encounter => q.encounter,
            ..head.context
        }),
    )
}

/// What the form shows: the template, the visit, the typed answers and their errors.
struct Filled<'a> {
    template: &'a str,
    encounter: &'a str,
    raw: &'a cartella_core::exams::RawAnswers,
    errors: &'a FieldErrors,
}

async fn render_form(
    state: &AppState,
    web: &Web,
    id: &str,
    f: Filled<'_>,
    status: StatusCode,
) -> Response {
    let Filled {
        template,
        encounter,
        raw,
        errors,
    } = f;
    let head = match header(state, web, id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let q = match templates::get(&state.store, &web.ctx, template).await {
        Ok(q) => q,
        Err(e) => return error(web, &e),
    };
    let lang = web.lang;
    let fields = form::fields(&q, raw, errors, lang);
    html(
        status,
        "exams/form.html",
        web.page(context! {
            current_tab => "exams",
            title => cartella_core::exams::title_in(&q, lang.code()),
            description => q["description"].as_str(),
            template, encounter, fields, errors,
            form_error => errors.get("encounter").or(errors.get("template")),
            ..head.context
        }),
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    web: Web,
    Path((id, template)): Path<(String, String)>,
    Query(q): Query<VisitQuery>,
) -> Response {
    let raw = Default::default();
    let errors = FieldErrors::new();
    let f = Filled {
        template: &template,
        encounter: &q.encounter,
        raw: &raw,
        errors: &errors,
    };
    render_form(&state, &web, &id, f, StatusCode::OK).await
}

pub async fn submit(
    State(state): State<AppState>,
    web: Web,
    Path((id, template)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let raw = form::raw_of(&pairs);
    let encounter = get(&pairs, "encounter").to_owned();
    let enc = Some(encounter.as_str()).filter(|e| !e.is_empty());
    match responses::submit(&state.store, &web.ctx, &id, &template, enc, &raw).await {
        Ok(row) => {
            let rid = row["id"].as_str().unwrap_or("");
            Redirect::to(&format!("/patients/{id}/exams/{rid}")).into_response()
        }
        Err(ClinicalError::Validation(list)) => {
            let q = templates::get(&state.store, &web.ctx, &template)
                .await
                .unwrap_or_default();
            let errors: FieldErrors = list
                .iter()
                .map(|e| (e.field.clone(), form::translate(web.lang, &q, e)))
                .collect();
            let f = Filled {
                template: &template,
                encounter: &encounter,
                raw: &raw,
                errors: &errors,
            };
            render_form(&state, &web, &id, f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error(&web, &e),
    }
}

/// A saved examination read back: question → answer with unit and score.
pub async fn view(
    State(state): State<AppState>,
    web: Web,
    Path((id, rid)): Path<(String, String)>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let yes = t(web.lang, "exams-yes");
    let no = t(web.lang, "exams-no");
    let rb = match responses::get(&state.store, &web.ctx, &rid, web.lang.code(), (&yes, &no)).await
    {
        Ok(rb) if crate::exams::support::patient_of(&rb.response) == Some(id.as_str()) => rb,
        Ok(_) => return error(&web, &ClinicalError::NotFound("examination")),
        Err(e) => return error(&web, &e),
    };
    let r = &rb.response;
    html(
        StatusCode::OK,
        "exams/view.html",
        web.page(context! {
            current_tab => "exams",
            title => cartella_core::exams::title_in(&rb.template, web.lang.code()),
            authored => r["authored"].as_str(),
            author_role => r["author"]["extension"][0]["valueCodeableConcept"]["text"].as_str(),
            encounter => r["encounter"]["reference"].as_str().and_then(|e| e.strip_prefix("Encounter/")),
            rows => rb.rows,
            ..head.context
        }),
    )
}
