//! The signed-in user's own settings: language, password, two-factor enrolment and recovery
//! codes, and signing out on every device.

use super::super::forms::{self, FieldErrors, auth_error, redirect_with, t};
use super::super::i18n::Lang;
use super::super::render::html;
use super::super::session::Web;
use crate::AppState;
use crate::api::account::session_cookie;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use cartella_auth::totp;
use minijinja::{Value, context};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn account_page(web: &Web, status: StatusCode, extra: Value) -> Response {
    html(
        status,
        "account.html",
        web.page(context! { two_factor => web.info.user.totp_enabled, ..extra }),
    )
}

pub async fn show(web: Web, Query(q): Query<NoticeQuery>) -> Response {
    let notice = match q.notice.as_str() {
        "language" => t(web.lang, "notice-language-saved"),
        "password" => t(web.lang, "notice-password-changed"),
        _ => String::new(),
    };
    account_page(&web, StatusCode::OK, context! { notice })
}

#[derive(Deserialize, Default)]
pub struct LanguageForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn set_language(
    State(state): State<AppState>,
    web: Web,
    Form(form): Form<LanguageForm>,
) -> Response {
    if !web.csrf_ok(Some(&form._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    let Some(lang) = Lang::parse(&form.language) else {
        return account_page(
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { notice => t(web.lang, "field-error-language") },
        );
    };
    let mut user = web.info.user.clone();
    user.language = Some(lang.code().to_owned());
    user.updated_at = cartella_core::Timestamp::now().micros();
    match state.auth.backend().update_user(&user).await {
        Ok(()) => Redirect::to("/account?notice=language").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "saving the language failed");
            super::error_page(
                web.lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                &t(web.lang, "error-title"),
                &t(web.lang, "error-internal"),
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    web: Web,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !web.csrf_ok(Some(&form._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    if let Some(p) = forms::password_problems(web.lang, &form.new, &web.info.user.email) {
        let errors = FieldErrors::from([("new".to_owned(), p)]);
        return account_page(
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { errors, password_error => t(web.lang, "error-check-fields") },
        );
    }
    match state
        .auth
        .change_password(&web.info.user.id, &form.current, &form.new)
        .await
    {
        Ok(()) => Redirect::to("/account?notice=password").into_response(),
        Err(e) => {
            let (message, mut errors) = auth_error(web.lang, &e);
            if matches!(e, cartella_auth::AuthError::InvalidCredentials) {
                errors.insert("current".into(), t(web.lang, "error-current-password"));
            }
            account_page(
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { errors, password_error => message },
            )
        }
    }
}

fn enrol_page(web: &Web, status: StatusCode, secret_b32: &str, error: String) -> Response {
    let Some(secret) = totp::from_base32(secret_b32) else {
        return Redirect::to("/account/2fa").into_response();
    };
    let uri = totp::otpauth_uri(&secret, &web.info.user.email, "Cartella");
    let qr = base64::engine::general_purpose::STANDARD.encode(totp::qr_svg(&uri));
    // A data: image keeps the QR code out of the page's markup (CSP allows data: images only).
    let qr_svg = format!(
        "<img alt=\"QR\" width=\"220\" height=\"220\" src=\"data:image/svg+xml;base64,{qr}\">"
    );
    html(
        status,
        "account_2fa.html",
        web.page(context! {
            secret => secret_b32, qr_svg, error, required => web.info.mfa_enrolment_required,
            errors => FieldErrors::new(),
        }),
    )
}

pub async fn enrol_form(State(state): State<AppState>, web: Web) -> Response {
    if web.info.user.totp_enabled {
        return Redirect::to("/account").into_response();
    }
    match state.auth.totp_begin(&web.info.user.id).await {
        Ok(e) => enrol_page(&web, StatusCode::OK, &e.secret, String::new()),
        Err(e) => {
            let (message, _) = auth_error(web.lang, &e);
            super::error_page(
                web.lang,
                StatusCode::CONFLICT,
                &t(web.lang, "two-factor"),
                &message,
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EnrolForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn enrol(
    State(state): State<AppState>,
    web: Web,
    Form(form): Form<EnrolForm>,
) -> Response {
    if !web.csrf_ok(Some(&form._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    match state.auth.totp_confirm(&web.info.user.id, &form.code).await {
        Ok(codes) => recovery_page(&web, codes),
        Err(e) => {
            let (message, _) = auth_error(web.lang, &e);
            enrol_page(
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.secret,
                message,
            )
        }
    }
}

fn recovery_page(web: &Web, codes: Vec<String>) -> Response {
    html(
        StatusCode::OK,
        "recovery_codes.html",
        web.page(context! { codes }),
    )
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    _csrf: String,
}

pub async fn recovery_codes(
    State(state): State<AppState>,
    web: Web,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !web.csrf_ok(Some(&form._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    match state.auth.new_recovery_codes(&web.info.user.id).await {
        Ok(codes) => recovery_page(&web, codes),
        Err(e) => {
            let (message, _) = auth_error(web.lang, &e);
            super::error_page(
                web.lang,
                StatusCode::CONFLICT,
                &t(web.lang, "two-factor"),
                &message,
            )
        }
    }
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    web: Web,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !web.csrf_ok(Some(&form._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    if let Err(e) = state.auth.logout_everywhere(&web.info.user.id).await {
        tracing::error!(error = %e, "sign-out everywhere failed");
    }
    redirect_with(
        "/login?notice=signed-out",
        vec![session_cookie(&state, "", 0)],
    )
}
