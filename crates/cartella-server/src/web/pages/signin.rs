//! Signing in and out: the sign-in form, the second-factor challenge, sign-out, and the
//! language switcher of the anonymous pages.

use super::super::forms::{self, FieldErrors, auth_error, pre_csrf, pre_csrf_ok, redirect_with, t};
use super::super::i18n::Lang;
use super::super::render::html;
use super::super::session::{LANG_COOKIE, anonymous_lang, anonymous_page};
use crate::AppState;
use crate::api::account::session_cookie;
use crate::auth::{SESSION_COOKIE, cookie};
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cartella_auth::AuthError;
use cartella_auth::service::LoginRequest;
use minijinja::context;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    practice: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    _csrf: String,
}

struct LoginView<'a> {
    form: &'a LoginForm,
    error: String,
    errors: FieldErrors,
    notice: String,
    ask_practice: bool,
}

fn login_page(headers: &HeaderMap, status: StatusCode, v: LoginView<'_>) -> Response {
    let lang = anonymous_lang(headers);
    let (csrf, set) = pre_csrf(headers);
    let ctx = anonymous_page(
        lang,
        context! {
            csrf, email => &v.form.email, practice => &v.form.practice, next => &v.form.next,
            error => v.error, errors => v.errors, notice => v.notice, ask_practice => v.ask_practice,
        },
    );
    let mut resp = html(status, "login.html", ctx);
    if let Some(c) = set {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    // Before the first account exists, the only useful page is setup.
    if matches!(state.auth.backend().count_users().await, Ok(0)) {
        return Redirect::to("/setup").into_response();
    }
    let lang = anonymous_lang(&headers);
    let notice = match q.notice.as_str() {
        "signed-out" => t(lang, "notice-signed-out"),
        "password-reset" => t(lang, "notice-password-reset"),
        "setup-done" => t(lang, "notice-setup-done"),
        _ => String::new(),
    };
    let form = LoginForm {
        next: q.next,
        ..Default::default()
    };
    login_page(
        &headers,
        StatusCode::OK,
        LoginView {
            form: &form,
            error: String::new(),
            errors: FieldErrors::new(),
            notice,
            ask_practice: false,
        },
    )
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    if !pre_csrf_ok(&headers, &form._csrf) {
        return forms::csrf_refused(lang);
    }
    let req = LoginRequest {
        email: form.email.clone(),
        password: form.password.clone(),
        practice: Some(form.practice.trim().to_owned()).filter(|p| !p.is_empty()),
        client_ip: Some(peer.ip().to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match state.auth.login(req).await {
        Ok(out) => {
            let max_age = state.auth.config.session_absolute_hours * 3600;
            let cookie = session_cookie(&state, &out.cookie, max_age);
            let next = forms::safe_next(&form.next);
            let to = if !out.info.session.mfa_done {
                format!(
                    "/login/2fa?next={}",
                    super::super::session::url_encode(next)
                )
            } else if out.info.mfa_enrolment_required {
                "/account/2fa".to_owned()
            } else {
                next.to_owned()
            };
            redirect_with(&to, vec![cookie])
        }
        Err(e) => {
            let ask_practice =
                matches!(&e, AuthError::Invalid(f) if f.iter().any(|(n, _)| n == "practice"));
            let (error, errors) = auth_error(lang, &e);
            let status = match e {
                AuthError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                AuthError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::UNAUTHORIZED,
            };
            login_page(
                &headers,
                status,
                LoginView {
                    form: &form,
                    error,
                    errors,
                    notice: String::new(),
                    ask_practice: ask_practice || !form.practice.is_empty(),
                },
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    _csrf: String,
}

fn mfa_page(lang: Lang, csrf: &str, status: StatusCode, error: String) -> Response {
    html(
        status,
        "login_mfa.html",
        anonymous_page(lang, context! { csrf, error, errors => FieldErrors::new() }),
    )
}

pub async fn mfa_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = anonymous_lang(&headers);
    let Some(c) = cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    match state.auth.session(c, true).await {
        Ok(info) if !info.session.mfa_done => {
            mfa_page(lang, &info.session.csrf, StatusCode::OK, String::new())
        }
        Ok(_) => Redirect::to("/").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

pub async fn mfa(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
    Form(form): Form<CodeForm>,
) -> Response {
    let lang = anonymous_lang(&headers);
    let Some(c) = cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    let Ok(pending) = state.auth.session(c, true).await else {
        return Redirect::to("/login").into_response();
    };
    if !forms::same(&form._csrf, &pending.session.csrf) {
        return forms::csrf_refused(lang);
    }
    match state.auth.complete_mfa(c, &form.code).await {
        Ok(_) => Redirect::to(forms::safe_next(&q.next)).into_response(),
        Err(e) => {
            let (error, _) = auth_error(lang, &e);
            mfa_page(lang, &pending.session.csrf, StatusCode::UNAUTHORIZED, error)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default)]
    _csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let lang = anonymous_lang(&headers);
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(info) = state.auth.session(c, true).await
            && !forms::same(&form._csrf, &info.session.csrf)
        {
            return forms::csrf_refused(lang);
        }
        if let Err(e) = state.auth.logout(c).await {
            tracing::warn!(error = %e, "sign-out failed");
        }
    }
    redirect_with(
        "/login?notice=signed-out",
        vec![session_cookie(&state, "", 0)],
    )
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: String,
}

/// The language switcher of anonymous pages: remembered in a cookie for a year.
pub async fn switch_language(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::parse(&q.lang).unwrap_or(Lang::En);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_owned()))
        .unwrap_or_else(|| "/login".into());
    let cookie = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""));
    redirect_with(forms::safe_next(&back), vec![cookie])
}
