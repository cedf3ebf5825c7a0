//! Account endpoints: sign in (with the second factor), sign out, who am I, passwords, 2FA
//! enrolment, recovery codes, and first-run setup. The session travels in an HttpOnly cookie;
//! state-changing requests of a session carry its CSRF token in `X-CSRF-Token`.

use super::envelope::{ApiError, body, ok};
use crate::AppState;
use crate::auth::{CSRF_HEADER, SESSION_COOKIE, authenticate, cookie};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use cartella_auth::service::{LoginRequest, NewUser, SessionInfo};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn session_cookie(state: &AppState, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn session_json(info: &SessionInfo) -> serde_json::Value {
    json!({
        "user": { "id": info.user.id, "email": info.user.email, "name": info.user.display_name, "two_factor": info.user.totp_enabled },
        "practice": info.membership.tenant.to_string(),
        "roles": info.membership.roles,
        "mfa_pending": !info.session.mfa_done,
        "mfa_enrolment_required": info.mfa_enrolment_required,
        "csrf_token": info.session.csrf,
    })
}

fn peer_ip(peer: SocketAddr) -> Option<String> {
    Some(peer.ip().to_string())
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let mut req: LoginRequest = body(&raw)?;
    req.client_ip = peer_ip(peer);
    req.user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let out = state.auth.login(req).await?;
    let mut resp = ok(session_json(&out.info));
    let max_age = state.auth.config.session_absolute_hours * 3600;
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &out.cookie, max_age),
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct CodeBody {
    code: String,
}

pub async fn mfa(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let req: CodeBody = body(&raw)?;
    let c = cookie(&headers, SESSION_COOKIE)
        .ok_or_else(|| ApiError::from(cartella_auth::AuthError::Unauthenticated))?;
    let pending = state.auth.session(c, true).await?;
    check_csrf(&headers, &pending.session.csrf)?;
    let info = state.auth.complete_mfa(c, &req.code).await?;
    Ok(ok(session_json(&info)))
}

fn check_csrf(headers: &HeaderMap, expected: &str) -> Result<()> {
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), expected.as_bytes()).into() {
        Ok(())
    } else {
        Err(ApiError::from(cartella_auth::AuthError::Forbidden(
            "missing or wrong CSRF token".into(),
        )))
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(info) = state.auth.session(c, true).await {
            check_csrf(&headers, &info.session.csrf)?;
        }
        state.auth.logout(c).await?;
    }
    let mut resp = ok(json!({ "signed_out": true }));
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(resp)
}

/// The signed-in user (session or user token).
async fn user_of(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: &Method,
) -> Result<String> {
    let a = authenticate(state, headers, Some(peer), method).await?;
    a.user_id.ok_or_else(|| {
        ApiError::from(cartella_auth::AuthError::Forbidden(
            "only a user can do this".into(),
        ))
    })
}

/// A session whose second factor may still be missing (enrolment must work before it).
async fn enrolling_user(state: &AppState, headers: &HeaderMap) -> Result<String> {
    let c = cookie(headers, SESSION_COOKIE)
        .ok_or_else(|| ApiError::from(cartella_auth::AuthError::Unauthenticated))?;
    let info = state.auth.session(c, false).await?;
    check_csrf(headers, &info.session.csrf)?;
    Ok(info.user.id)
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let user = user_of(&state, &headers, peer, &Method::POST).await?;
    state.auth.logout_everywhere(&user).await?;
    Ok(ok(json!({ "signed_out_everywhere": true })))
}

pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let c = cookie(&headers, SESSION_COOKIE)
        .ok_or_else(|| ApiError::from(cartella_auth::AuthError::Unauthenticated))?;
    let info = state.auth.session(c, true).await?;
    Ok(ok(session_json(&info)))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let req: PasswordChange = body(&raw)?;
    let user = user_of(&state, &headers, peer, &Method::POST).await?;
    state
        .auth
        .change_password(&user, &req.current_password, &req.new_password)
        .await?;
    Ok(ok(json!({ "changed": true })))
}

#[derive(Deserialize)]
pub struct ResetRequest {
    email: String,
}

pub async fn request_reset(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    raw: Bytes,
) -> Result<Response> {
    let req: ResetRequest = body(&raw)?;
    state
        .auth
        .request_password_reset(&req.email, peer_ip(peer).as_deref())
        .await?;
    Ok(ok(
        json!({ "message": "if the address belongs to an account, a link to choose a new password is on its way" }),
    ))
}

#[derive(Deserialize)]
pub struct ResetConfirm {
    token: String,
    new_password: String,
}

pub async fn confirm_reset(State(state): State<AppState>, raw: Bytes) -> Result<Response> {
    let req: ResetConfirm = body(&raw)?;
    state
        .auth
        .confirm_password_reset(&req.token, &req.new_password)
        .await?;
    Ok(ok(json!({ "changed": true })))
}

pub async fn totp_begin(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let user = enrolling_user(&state, &headers).await?;
    let e = state.auth.totp_begin(&user).await?;
    Ok(ok(serde_json::to_value(e).unwrap_or_default()))
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let req: CodeBody = body(&raw)?;
    let user = enrolling_user(&state, &headers).await?;
    let codes = state.auth.totp_confirm(&user, &req.code).await?;
    Ok(ok(json!({ "enabled": true, "recovery_codes": codes })))
}

pub async fn recovery_codes(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let user = user_of(&state, &headers, peer, &Method::POST).await?;
    let codes = state.auth.new_recovery_codes(&user).await?;
    Ok(ok(json!({ "recovery_codes": codes })))
}

#[derive(Deserialize)]
pub struct SetupBody {
    token: String,
    practice_slug: String,
    practice_name: String,
    email: String,
    name: String,
    password: String,
}

pub async fn setup(State(state): State<AppState>, raw: Bytes) -> Result<Response> {
    let req: SetupBody = body(&raw)?;
    let admin = NewUser {
        email: req.email,
        name: req.name,
        roles: "administrator".into(),
        password: Some(req.password),
        patient_id: None,
        expires_at: None,
    };
    let (tenant, user) = state
        .auth
        .complete_setup(&req.token, &req.practice_slug, &req.practice_name, admin)
        .await?;
    Ok(ok(
        json!({ "practice": tenant.to_string(), "user": user.id }),
    ))
}
