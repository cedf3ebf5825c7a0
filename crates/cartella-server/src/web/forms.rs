//! Form plumbing shared by the pages: the pre-session CSRF token of anonymous forms (a
//! double-submit cookie), translated messages for identity errors, and small response helpers.

use super::i18n::Lang;
use super::render::locales;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cartella_auth::AuthError;
use fluent_bundle::FluentArgs;
use std::collections::BTreeMap;

/// Cookie holding the token that anonymous forms (sign-in, setup, reset) must echo.
pub const PRE_CSRF_COOKIE: &str = "cartella_pre";

/// Field name → translated message, as the templates' `errors` map.
pub type FieldErrors = BTreeMap<String, String>;

pub fn t(lang: Lang, key: &str) -> String {
    locales().text(lang, key, None)
}

pub fn t_args(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, v.clone());
    }
    locales().text(lang, key, Some(&fa))
}

/// The anonymous form token of this browser, and the cookie to set when it is new.
pub fn pre_csrf(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(v) = crate::auth::cookie(headers, PRE_CSRF_COOKIE).filter(|v| v.len() == 32) {
        return (v.to_owned(), None);
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let cookie = HeaderValue::from_str(&format!(
        "{PRE_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    ))
    .ok();
    (token, cookie)
}

/// Constant-time string equality (tokens).
pub fn same(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}

/// The form echoed the browser's anonymous token (constant-time comparison).
pub fn pre_csrf_ok(headers: &HeaderMap, sent: &str) -> bool {
    match crate::auth::cookie(headers, PRE_CSRF_COOKIE) {
        Some(expected) if !expected.is_empty() => {
            subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), expected.as_bytes()).into()
        }
        _ => false,
    }
}

/// A refused form: the request did not come from one of our pages.
pub fn csrf_refused(lang: Lang) -> Response {
    super::pages::error_page(
        lang,
        StatusCode::FORBIDDEN,
        &t(lang, "error-csrf-title"),
        &t(lang, "error-csrf"),
    )
}

/// Translate an identity error for display above a form, plus its per-field messages.
pub fn auth_error(lang: Lang, err: &AuthError) -> (String, FieldErrors) {
    let mut fields = FieldErrors::new();
    let message = match err {
        AuthError::InvalidCredentials => t(lang, "error-invalid-credentials"),
        AuthError::InvalidCode => t(lang, "error-invalid-code"),
        AuthError::RateLimited { retry_after } => t_args(
            lang,
            "error-rate-limited",
            &[("seconds", retry_after.to_string())],
        ),
        AuthError::Invalid(list) => {
            for (field, msg) in list {
                fields
                    .entry(field.clone())
                    .and_modify(|m| {
                        m.push_str("; ");
                        m.push_str(msg);
                    })
                    .or_insert_with(|| msg.clone());
            }
            t(lang, "error-check-fields")
        }
        AuthError::Conflict(m) | AuthError::Forbidden(m) => m.clone(),
        AuthError::Store(e) => {
            tracing::error!(error = %e, "store error behind a form");
            t(lang, "error-internal")
        }
        _ => t(lang, "error-invalid-credentials"),
    };
    (message, fields)
}

/// The password policy's problems in the page's language, one line.
pub fn password_problems(lang: Lang, password: &str, email: &str) -> Option<String> {
    let problems = cartella_auth::passwords::check(password, email);
    if problems.is_empty() {
        return None;
    }
    Some(
        problems
            .iter()
            .map(|p| {
                t(
                    lang,
                    &format!("password-problem-{}", p.code().replace('_', "-")),
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// See-other redirect after a successful POST, optionally setting cookies.
pub fn redirect_with(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut resp = Redirect::to(to).into_response();
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Only same-site relative paths are followed after sign-in (no open redirect).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/patients/1"), "/patients/1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
