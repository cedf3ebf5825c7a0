//! The patient registry pages: list with search, filters and paging; the as-you-type search
//! box; the create and edit forms with inline, translated errors, the duplicate warning and the
//! stale-version conflict page; deactivation and (administrators) merge of duplicates.

use super::super::forms::{self, FieldErrors, t};
use super::super::render::html;
use super::super::session::{Web, url_encode};
use crate::AppState;
use crate::patients::{self, PatientError, SearchQuery};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::patient::{
    FieldError, IdentifierInput, IdentifierKind, PatientInput, PatientSummary,
};
use minijinja::{Value, context};
use serde::Deserialize;

/// System of the practice's own patient number (no check digit).
pub const PRACTICE_ID_SYSTEM: &str = "urn:cartella:practice-id";

pub type Pairs = Vec<(String, String)>;

pub fn get<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A patient row for the templates.
pub fn row(s: &PatientSummary) -> Value {
    context! {
        id => &s.id, name => &s.display_name, birth_date => &s.birth_date, sex => &s.sex,
        identifier => s.main_identifier.as_ref().map(|i| i.value.clone()).unwrap_or_default(),
        phone => &s.phone, active => s.active, version => s.version,
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

fn active_filter(status: &str) -> Option<bool> {
    match status {
        "inactive" => Some(false),
        "all" => None,
        _ => Some(true),
    }
}

pub async fn list(State(state): State<AppState>, web: Web, Query(q): Query<ListQuery>) -> Response {
    let status = if q.status.is_empty() {
        "active"
    } else {
        q.status.as_str()
    };
    let query = SearchQuery {
        text: q.q.clone(),
        active: active_filter(status),
        count: Some(25),
        cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
        total: false,
    };
    let base = format!("/patients?q={}&status={status}", url_encode(&q.q));
    let (patients, next_url, error) = match patients::search(&state.store, &web.ctx, &query).await {
        Ok(r) => (
            r.patients.iter().map(row).collect::<Vec<_>>(),
            r.next_cursor
                .map(|c| format!("{base}&cursor={}", url_encode(&c))),
            String::new(),
        ),
        Err(e) => (vec![], None, error_text(&web, &e)),
    };
    let first_url = (!q.cursor.is_empty()).then(|| base.clone());
    html(
        StatusCode::OK,
        "patients/list.html",
        web.page(context! { patients, q => q.q, status, next_url, first_url, error, self_url => format!("{base}&cursor={}", url_encode(&q.cursor)) }),
    )
}

/// The global search box's answer: a short list of links, as the user types.
pub async fn quick_search(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<ListQuery>,
) -> Response {
    let query = SearchQuery {
        text: q.q.clone(),
        active: None,
        count: Some(8),
        cursor: None,
        total: false,
    };
    let patients: Vec<Value> = if q.q.trim().is_empty() {
        vec![]
    } else {
        match patients::search(&state.store, &web.ctx, &query).await {
            Ok(r) => r.patients.iter().map(row).collect(),
            Err(_) => vec![],
        }
    };
    html(
        StatusCode::OK,
        "patients/rows.html",
        web.page(context! { patients, q => q.q.trim() }),
    )
}

fn error_text(web: &Web, e: &PatientError) -> String {
    match e {
        PatientError::Forbidden(_) => t(web.lang, "error-forbidden"),
        PatientError::NotFound => t(web.lang, "error-not-found"),
        PatientError::Invalid(m) => m.clone(),
        PatientError::Store(err) => {
            tracing::error!(error = %err, "registry store error");
            t(web.lang, "error-internal")
        }
        _ => t(web.lang, "error-check-fields"),
    }
}

/// Field errors in the page's language (codes → `field-error-*` messages).
pub fn field_errors(web: &Web, errors: &[FieldError]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors {
        out.entry(e.field.clone()).or_insert_with(|| {
            t(
                web.lang,
                &format!("field-error-{}", e.code.replace('_', "-")),
            )
        });
    }
    out
}

/// The form as posted, back into the registry's input (field names are the input's paths).
pub fn input_from(pairs: &Pairs, active: bool) -> PatientInput {
    let mut input = PatientInput {
        active,
        ..Default::default()
    };
    for (k, v) in pairs {
        let v = v.clone();
        match k.as_str() {
            "given" => input.given = v,
            "family" => input.family = v,
            "sex" => input.sex = v,
            "birth_date" => input.birth_date = v,
            "phone" => input.phone = v,
            "email" => input.email = v,
            "notes" => input.notes = v,
            "language" => input.language = v,
            "address.line" => input.address.line = v,
            "address.city" => input.address.city = v,
            "address.postal_code" => input.address.postal_code = v,
            "address.country" => input.address.country = v,
            "emergency_contact.name" => input.emergency_contact.name = v,
            "emergency_contact.relationship" => input.emergency_contact.relationship = v,
            "emergency_contact.phone" => input.emergency_contact.phone = v,
            "gp.name" => input.gp.name = v,
            "gp.phone" => input.gp.phone = v,
            other => {
                if let Some((i, part)) = identifier_field(other) {
                    while input.identifiers.len() <= i {
                        input.identifiers.push(IdentifierInput::default());
                    }
                    match part {
                        "system" => input.identifiers[i].system = v,
                        _ => input.identifiers[i].value = v,
                    }
                }
            }
        }
    }
    // The form always offers an empty row; a row without a number was not filled in.
    input.identifiers.retain(|i| !i.value.trim().is_empty());
    input
}

/// `identifiers[3].value` → (3, "value"); at most 10 rows are accepted.
fn identifier_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("identifiers[")?;
    let (i, part) = rest.split_once("].")?;
    let i: usize = i.parse().ok()?;
    (i < 10 && matches!(part, "system" | "value")).then_some((i, part))
}

fn identifier_kinds() -> Vec<Value> {
    let mut kinds: Vec<Value> = IdentifierKind::ALL
        .iter()
        .map(|k| context! { system => k.system(), label => format!("identifier-{}", k.key()) })
        .collect();
    kinds.push(context! { system => PRACTICE_ID_SYSTEM, label => "identifier-practice" });
    kinds
}

pub struct FormView<'a> {
    pub input: &'a PatientInput,
    pub action: String,
    pub version: Option<i64>,
    pub cancel_url: String,
    pub error: String,
    pub errors: FieldErrors,
    pub duplicates: Vec<Value>,
}

pub fn form_page(web: &Web, status: StatusCode, creating: bool, v: FormView<'_>) -> Response {
    // Always offer one empty identifier row beyond those entered.
    let mut input = v.input.clone();
    if input.identifiers.iter().all(|i| !i.value.is_empty()) {
        input.identifiers.push(IdentifierInput {
            system: IdentifierKind::ALL[0].system().to_owned(),
            value: String::new(),
        });
    }
    let title = t(
        web.lang,
        if creating {
            "patient-new"
        } else {
            "patient-edit"
        },
    );
    let watch_id = v
        .action
        .strip_prefix("/patients/")
        .and_then(|r| r.strip_suffix("/edit"))
        .map(str::to_owned);
    html(
        status,
        "patients/form.html",
        web.page(context! {
            title, watch_id, form => input, action => v.action, version => v.version, cancel_url => v.cancel_url,
            error => v.error, errors => v.errors, duplicates => v.duplicates, identifier_kinds => identifier_kinds(),
        }),
    )
}

/// 403 for roles that may not write the registry (the form would only fail on submit).
fn refuse_unless_writer(web: &Web) -> Option<Response> {
    let decision = web
        .ctx
        .principal
        .decide("Patient", cartella_core::access::Action::Write);
    matches!(decision, cartella_core::access::Decision::Deny)
        .then(|| not_found_or(web, &PatientError::Forbidden(String::new())))
}

pub async fn new_form(web: Web) -> Response {
    if let Some(r) = refuse_unless_writer(&web) {
        return r;
    }
    let input = PatientInput {
        active: true,
        ..Default::default()
    };
    form_page(
        &web,
        StatusCode::OK,
        true,
        FormView {
            input: &input,
            action: "/patients/new".into(),
            version: None,
            cancel_url: "/patients".into(),
            error: String::new(),
            errors: FieldErrors::new(),
            duplicates: vec![],
        },
    )
}

pub async fn create(State(state): State<AppState>, web: Web, Form(pairs): Form<Pairs>) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let input = input_from(&pairs, true);
    let confirm = get(&pairs, "confirm_duplicate") == "1";
    match patients::create(&state.store, &web.ctx, &input, confirm).await {
        Ok(rec) => Redirect::to(&format!("/patients/{}", rec.id)).into_response(),
        Err(e) => {
            let (status, error, errors, duplicates) = match &e {
                PatientError::Validation(list) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t(web.lang, "error-check-fields"),
                    field_errors(&web, list),
                    vec![],
                ),
                PatientError::Duplicate(found) => (
                    StatusCode::CONFLICT,
                    String::new(),
                    FieldErrors::new(),
                    found.iter().map(row).collect(),
                ),
                PatientError::Forbidden(_) => (
                    StatusCode::FORBIDDEN,
                    error_text(&web, &e),
                    FieldErrors::new(),
                    vec![],
                ),
                _ => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    error_text(&web, &e),
                    FieldErrors::new(),
                    vec![],
                ),
            };
            form_page(
                &web,
                status,
                true,
                FormView {
                    input: &input,
                    action: "/patients/new".into(),
                    version: None,
                    cancel_url: "/patients".into(),
                    error,
                    errors,
                    duplicates,
                },
            )
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = refuse_unless_writer(&web) {
        return r;
    }
    match patients::get(&state.store, &web.ctx, &id).await {
        Ok(rec) => form_page(
            &web,
            StatusCode::OK,
            false,
            FormView {
                input: &rec.input,
                action: format!("/patients/{id}/edit"),
                version: Some(rec.version),
                cancel_url: format!("/patients/{id}"),
                error: String::new(),
                errors: FieldErrors::new(),
                duplicates: vec![],
            },
        ),
        Err(e) => not_found_or(&web, &e),
    }
}

pub fn not_found_or(web: &Web, e: &PatientError) -> Response {
    let (status, title, message) = match e {
        PatientError::NotFound => (
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found",
        ),
        PatientError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "error-forbidden-title",
            "error-forbidden",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-title",
            "error-internal",
        ),
    };
    super::error_page(web.lang, status, &t(web.lang, title), &t(web.lang, message))
}

pub async fn update(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let Ok(version) = get(&pairs, "version").parse::<i64>() else {
        return super::error_page(
            web.lang,
            StatusCode::BAD_REQUEST,
            &t(web.lang, "error-title"),
            &t(web.lang, "error-csrf"),
        );
    };
    // Deactivation is its own action: an edit keeps the current status.
    let active = patients::get(&state.store, &web.ctx, &id)
        .await
        .map(|r| r.input.active)
        .unwrap_or(true);
    let input = input_from(&pairs, active);
    match patients::update(&state.store, &web.ctx, &id, version, &input).await {
        Ok(_) => Redirect::to(&format!("/patients/{id}?notice=saved")).into_response(),
        Err(PatientError::Stale { by, at, .. }) => {
            let by = by.unwrap_or_else(|| t(web.lang, "audit-actor"));
            let at = jiff::Timestamp::from_microsecond(at.micros())
                .map(|t| t.to_string())
                .unwrap_or_default();
            let mine: std::collections::BTreeMap<String, String> = pairs
                .iter()
                .filter(|(k, v)| !k.starts_with('_') && k != "version" && !v.is_empty())
                .cloned()
                .collect();
            html(
                StatusCode::CONFLICT,
                "patients/conflict.html",
                web.page(context! { id, by, at, mine }),
            )
        }
        Err(PatientError::Validation(list)) => form_page(
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            FormView {
                input: &input,
                action: format!("/patients/{id}/edit"),
                version: Some(version),
                cancel_url: format!("/patients/{id}"),
                error: t(web.lang, "error-check-fields"),
                errors: field_errors(&web, &list),
                duplicates: vec![],
            },
        ),
        Err(e) => not_found_or(&web, &e),
    }
}

pub async fn merge_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if !web.is_admin() {
        return not_found_or(&web, &PatientError::Forbidden(String::new()));
    }
    match patients::get(&state.store, &web.ctx, &id).await {
        Ok(rec) => html(
            StatusCode::OK,
            "patients/merge.html",
            web.page(
                context! { patient => row(&rec.summary), into => "", errors => FieldErrors::new() },
            ),
        ),
        Err(e) => not_found_or(&web, &e),
    }
}

pub async fn merge(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let into = get(&pairs, "into")
        .trim()
        .trim_start_matches("/patients/")
        .to_owned();
    match patients::merge(&state.store, &web.ctx, &id, &into).await {
        Ok(_) => Redirect::to(&format!("/patients/{into}?notice=merged")).into_response(),
        Err(e @ (PatientError::Invalid(_) | PatientError::NotFound))
            if !matches!(e, PatientError::NotFound) || !into.is_empty() =>
        {
            let rec = patients::get(&state.store, &web.ctx, &id).await;
            let Ok(rec) = rec else {
                return not_found_or(&web, &e);
            };
            let errors = FieldErrors::from([("into".to_owned(), error_text(&web, &e))]);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                "patients/merge.html",
                web.page(context! { patient => row(&rec.summary), into, errors }),
            )
        }
        Err(e) => not_found_or(&web, &e),
    }
}
