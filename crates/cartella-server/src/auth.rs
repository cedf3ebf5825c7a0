//! Request authentication for every surface: a bearer access token (OAuth2, verified in memory),
//! the service token (the system account of a deployment, for integrations and operations), or
//! a browser session cookie with its CSRF token on state-changing requests.

use crate::AppState;
use axum::http::{HeaderMap, Method};
use cartella_auth::AuthError;
use cartella_auth::service::Authenticated;
use cartella_core::TenantSlug;
use cartella_store::AccessContext;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

pub const TENANT_HEADER: &str = "x-cartella-tenant";
pub const SESSION_COOKIE: &str = "cartella_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn meta(headers: &HeaderMap, peer: Option<SocketAddr>) -> (Option<String>, Option<String>) {
    let ua = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect());
    (peer.map(|p| p.ip().to_string()), ua)
}

/// Authenticate a request; `method` decides whether a session must show its CSRF token.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    method: &Method,
) -> Result<Authenticated, AuthError> {
    let (ip, ua) = meta(headers, peer);
    if let Some(token) = bearer(headers) {
        if let Some(service) = &state.config.service_token
            && bool::from(token.as_bytes().ct_eq(service.expose().as_bytes()))
        {
            return service_context(state, headers, ip, ua).await;
        }
        return state.auth.authenticate_token(token, ip, ua).await;
    }
    if let Some(c) = cookie(headers, SESSION_COOKIE) {
        let info = state.auth.session(c, false).await?;
        if info.mfa_enrolment_required {
            return Err(AuthError::Forbidden(
                "this practice requires two-factor authentication: enrol first".into(),
            ));
        }
        let unsafe_method = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method {
            let sent = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !bool::from(sent.as_bytes().ct_eq(info.session.csrf.as_bytes())) {
                return Err(AuthError::Forbidden("missing or wrong CSRF token".into()));
            }
        }
        let ctx = state.auth.session_context(&info).await?;
        return Ok(Authenticated {
            ctx,
            csrf: Some(info.session.csrf.clone()),
            client_id: None,
            user_id: Some(info.user.id),
        });
    }
    Err(AuthError::Unauthenticated)
}

async fn service_context(
    state: &AppState,
    headers: &HeaderMap,
    ip: Option<String>,
    ua: Option<String>,
) -> Result<Authenticated, AuthError> {
    let slug = headers
        .get(TENANT_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AuthError::field(
                TENANT_HEADER,
                format!("the {TENANT_HEADER} header names the practice"),
            )
        })?;
    let slug = TenantSlug::parse(slug)
        .map_err(|_| AuthError::Forbidden("not allowed for this practice".into()))?;
    let tenant = state
        .store
        .tenant_by_slug(slug.as_str())
        .await
        .map_err(|_| AuthError::Forbidden("not allowed for this practice".into()))?;
    let mut ctx = AccessContext::system(tenant.id, "service-token");
    ctx.purpose = headers
        .get("x-purpose-of-use")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(64).collect());
    ctx.client_ip = ip;
    ctx.user_agent = ua;
    Ok(Authenticated {
        ctx,
        csrf: None,
        client_id: None,
        user_id: None,
    })
}
