//! First run: the page that creates the practice and its first administrator, guarded by the
//! one-time setup token printed by `cartella serve`.

use super::super::forms::{self, FieldErrors, auth_error, pre_csrf, pre_csrf_ok, redirect_with, t};
use super::super::practice::{
    COMMON_TIME_ZONES, DEFAULT_TIME_ZONE, PracticeSettings, valid_time_zone,
};
use super::super::render::html;
use super::super::session::{anonymous_lang, anonymous_page};
use crate::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cartella_auth::service::NewUser;
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    practice_name: String,
    #[serde(default)]
    practice_slug: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    _csrf: String,
}

fn page(
    headers: &HeaderMap,
    status: StatusCode,
    form: &SetupForm,
    error: String,
    errors: FieldErrors,
) -> Response {
    let lang = anonymous_lang(headers);
    let (csrf, set) = pre_csrf(headers);
    let ctx = anonymous_page(
        lang,
        context! { csrf, form, error, errors, zones => COMMON_TIME_ZONES },
    );
    let mut resp = html(status, "setup.html", ctx);
    if let Some(c) = set {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

#[derive(Deserialize, Default)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SetupQuery>,
) -> Response {
    if !matches!(state.auth.backend().count_users().await, Ok(0)) {
        return Redirect::to("/login").into_response();
    }
    let form = SetupForm {
        token: q.token,
        time_zone: DEFAULT_TIME_ZONE.into(),
        ..Default::default()
    };
    page(
        &headers,
        StatusCode::OK,
        &form,
        String::new(),
        FieldErrors::new(),
    )
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    if !pre_csrf_ok(&headers, &form._csrf) {
        return forms::csrf_refused(lang);
    }
    let mut errors = FieldErrors::new();
    for (field, value) in [
        ("token", &form.token),
        ("practice_name", &form.practice_name),
        ("practice_slug", &form.practice_slug),
        ("name", &form.name),
        ("email", &form.email),
    ] {
        if value.trim().is_empty() {
            errors.insert(field.into(), t(lang, "field-error-required"));
        }
    }
    if !valid_time_zone(&form.time_zone) {
        errors.insert("time_zone".into(), t(lang, "field-error-time-zone"));
    }
    if let Some(p) = forms::password_problems(lang, &form.password, &form.email) {
        errors.insert("password".into(), p);
    }
    if !errors.is_empty() {
        return page(
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            t(lang, "error-check-fields"),
            errors,
        );
    }
    let admin = NewUser {
        email: form.email.trim().to_owned(),
        name: form.name.trim().to_owned(),
        roles: "administrator".into(),
        password: Some(form.password.clone()),
        patient_id: None,
        expires_at: None,
    };
    match state
        .auth
        .complete_setup(
            form.token.trim(),
            form.practice_slug.trim(),
            form.practice_name.trim(),
            admin,
        )
        .await
    {
        Ok((tenant, _)) => {
            let settings = PracticeSettings {
                time_zone: form.time_zone.clone(),
                default_language: Some(lang.code().to_owned()),
                ..Default::default()
            };
            if let Err(e) = state
                .auth
                .backend()
                .put_tenant_settings(&tenant, &settings.to_json().to_string())
                .await
            {
                tracing::error!(error = %e, "saving the first practice settings failed");
            }
            redirect_with("/login?notice=setup-done", vec![])
        }
        Err(cartella_auth::AuthError::InvalidCode) => {
            let mut errors = FieldErrors::new();
            errors.insert("token".into(), t(lang, "error-setup-token"));
            page(
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                t(lang, "error-check-fields"),
                errors,
            )
        }
        Err(e) => {
            let (error, errors) = auth_error(lang, &e);
            page(
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                error,
                errors,
            )
        }
    }
}
