//! `/oauth2/authorize`: the page where a user signs in (when no session exists) and consents to
//! a client's request; on consent the browser returns to the client with a single-use code.
//! Plain HTML, escaped, no script; the form carries a CSRF token bound to the request.

use super::oauth_error;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cartella_auth::AuthError;
use cartella_auth::service::LoginRequest;
use serde::Deserialize;

#[derive(Deserialize, Clone)]
pub struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn hidden(q: &AuthorizeQuery) -> String {
    [
        ("response_type", q.response_type.as_str()),
        ("client_id", &q.client_id),
        ("redirect_uri", &q.redirect_uri),
        ("scope", q.scope.as_deref().unwrap_or("")),
        ("state", q.state.as_deref().unwrap_or("")),
        ("code_challenge", &q.code_challenge),
        ("code_challenge_method", &q.code_challenge_method),
    ]
    .iter()
    .map(|(k, v)| format!(r#"<input type="hidden" name="{k}" value="{}">"#, esc(v)))
    .collect()
}

fn page_html(
    client: &str,
    q: &AuthorizeQuery,
    signed_in: Option<&str>,
    error: Option<&str>,
) -> Html<String> {
    let login = if signed_in.is_some() {
        String::new()
    } else {
        r#"<label>E-mail <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<label>Authenticator code (if enabled) <input name="code" inputmode="numeric" autocomplete="one-time-code"></label>"#
            .to_owned()
    };
    let who = signed_in
        .map(|e| format!("<p>Signed in as {}</p>", esc(e)))
        .unwrap_or_default();
    let err = error
        .map(|e| format!(r#"<p role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cartella: allow access</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>Allow {client} to access Cartella?</h1>{who}{err}
<p>It asks for: <code>{scope}</code></p>
<form method="post" action="/oauth2/authorize">{hidden}{login}
<button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></form></main></body></html>"#,
        client = esc(client),
        scope = esc(q.scope.as_deref().unwrap_or("")),
        hidden = hidden(q),
    ))
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    if q.response_type != "code" {
        return oauth_error(AuthError::OAuth(
            "unsupported_response_type",
            "only response_type=code".into(),
        ));
    }
    let client = match state
        .auth
        .authorize_request(
            &q.client_id,
            &q.redirect_uri,
            &q.code_challenge,
            &q.code_challenge_method,
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return oauth_error(e),
    };
    let signed_in = match cookie(&headers, SESSION_COOKIE) {
        Some(c) => state
            .auth
            .session(c, false)
            .await
            .ok()
            .map(|i| i.user.email),
        None => None,
    };
    with_frame_guard(page_html(&client.name, &q, signed_in.as_deref(), None).into_response())
}

/// The consent page must never be framed (clickjacking).
fn with_frame_guard(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    r
}

#[derive(Deserialize)]
pub struct Submit {
    #[serde(flatten)]
    q: AuthorizeQuery,
    decision: String,
    email: Option<String>,
    password: Option<String>,
    code: Option<String>,
}

pub async fn submit(State(state): State<AppState>, Form(f): Form<Submit>) -> Response {
    let q = AuthorizeQuery {
        scope: f.q.scope.filter(|s| !s.is_empty()),
        state: f.q.state.filter(|s| !s.is_empty()),
        ..f.q
    };
    let client = match state
        .auth
        .authorize_request(
            &q.client_id,
            &q.redirect_uri,
            &q.code_challenge,
            &q.code_challenge_method,
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return oauth_error(e),
    };
    let state_param = q
        .state
        .as_deref()
        .map(|s| format!("&state={}", urlencode(s)))
        .unwrap_or_default();
    if f.decision != "allow" {
        return Redirect::to(&format!(
            "{}?error=access_denied{state_param}",
            q.redirect_uri
        ))
        .into_response();
    }
    // A session cookie alone is not consent from this form (CSRF): the form must carry the
    // credentials, or the session's own CSRF token would be needed. We ask for credentials.
    let session = match (f.email, f.password) {
        (Some(email), Some(password)) => {
            let req = LoginRequest {
                email,
                password,
                practice: None,
                client_ip: None,
                user_agent: None,
            };
            match state.auth.login(req).await {
                Ok(out) => {
                    let info = if out.info.session.mfa_done {
                        Ok(out.info)
                    } else {
                        state
                            .auth
                            .complete_mfa(&out.cookie, f.code.as_deref().unwrap_or(""))
                            .await
                    };
                    match info {
                        Ok(i) => i,
                        Err(e) => {
                            return with_frame_guard(
                                (
                                    StatusCode::UNAUTHORIZED,
                                    page_html(&client.name, &q, None, Some(&e.to_string())),
                                )
                                    .into_response(),
                            );
                        }
                    }
                }
                Err(e) => {
                    return with_frame_guard(
                        (
                            StatusCode::UNAUTHORIZED,
                            page_html(&client.name, &q, None, Some(&e.to_string())),
                        )
                            .into_response(),
                    );
                }
            }
        }
        _ => {
            return with_frame_guard(
                (
                    StatusCode::BAD_REQUEST,
                    page_html(&client.name, &q, None, Some("sign in to allow access")),
                )
                    .into_response(),
            );
        }
    };
    let ctx = match state.auth.session_context(&session).await {
        Ok(c) => c,
        Err(e) => return oauth_error(e),
    };
    match state
        .auth
        .issue_code(
            &ctx,
            &client,
            &q.redirect_uri,
            q.scope.as_deref(),
            &q.code_challenge,
        )
        .await
    {
        Ok(code) => Redirect::to(&format!(
            "{}?code={}{state_param}",
            q.redirect_uri,
            urlencode(&code)
        ))
        .into_response(),
        Err(e) => oauth_error(e),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
