//! Forgotten password: ask for a link by e-mail (same answer whether or not the address has an
//! account), and the page the link opens to choose a new password.

use super::super::forms::{self, FieldErrors, auth_error, pre_csrf, pre_csrf_ok, redirect_with, t};
use super::super::render::html;
use super::super::session::{anonymous_lang, anonymous_page};
use crate::AppState;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;
use std::net::SocketAddr;

fn page(headers: &HeaderMap, status: StatusCode, name: &str, extra: Value) -> Response {
    let lang = anonymous_lang(headers);
    let (csrf, set) = pre_csrf(headers);
    let ctx = anonymous_page(lang, context! { csrf, ..extra });
    let mut resp = html(status, name, ctx);
    if let Some(c) = set {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

pub async fn forgot_form(headers: HeaderMap) -> Response {
    page(
        &headers,
        StatusCode::OK,
        "password_forgot.html",
        context! {},
    )
}

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    if !pre_csrf_ok(&headers, &form._csrf) {
        return forms::csrf_refused(lang);
    }
    if form.email.trim().is_empty() {
        let errors = FieldErrors::from([("email".to_owned(), t(lang, "field-error-required"))]);
        return page(
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_forgot.html",
            context! { errors },
        );
    }
    let ip = peer.ip().to_string();
    match state
        .auth
        .request_password_reset(&form.email, Some(&ip))
        .await
    {
        Ok(()) => page(
            &headers,
            StatusCode::OK,
            "password_forgot.html",
            context! { sent => true },
        ),
        Err(e) => {
            let (error, errors) = auth_error(lang, &e);
            page(
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                "password_forgot.html",
                context! { error, errors, email => form.email },
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn reset_form(headers: HeaderMap, Query(q): Query<TokenQuery>) -> Response {
    page(
        &headers,
        StatusCode::OK,
        "password_reset.html",
        context! { token => q.token },
    )
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    if !pre_csrf_ok(&headers, &form._csrf) {
        return forms::csrf_refused(lang);
    }
    if let Some(p) = forms::password_problems(lang, &form.password, "") {
        let errors = FieldErrors::from([("password".to_owned(), p)]);
        return page(
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_reset.html",
            context! { token => form.token, errors },
        );
    }
    match state
        .auth
        .confirm_password_reset(&form.token, &form.password)
        .await
    {
        Ok(()) => redirect_with("/login?notice=password-reset", vec![]),
        Err(e) => {
            let (error, errors) = auth_error(lang, &e);
            page(
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                "password_reset.html",
                context! { token => form.token, error, errors },
            )
        }
    }
}
