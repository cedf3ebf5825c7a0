//! Request authentication for the API surfaces. Until user accounts and OAuth2 clients arrive,
//! the one credential is the service token (a random secret kept in the data folder), which
//! acts as the `system` role in the practice named by the `X-Cartella-Tenant` header.

use crate::AppState;
use axum::http::HeaderMap;
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

#[derive(Debug)]
pub enum AuthError {
    /// 401: no or wrong credentials.
    Unauthenticated,
    /// 400: the tenant header is missing.
    MissingTenant,
    /// 404 would reveal tenants; 403 says only "not allowed".
    UnknownTenant,
}

pub const TENANT_HEADER: &str = "x-cartella-tenant";

/// Authenticate the request and build its access context.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<AccessContext, AuthError> {
    let Some(expected) = &state.config.service_token else {
        return Err(AuthError::Unauthenticated);
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(AuthError::Unauthenticated)?;
    if !bool::from(given.as_bytes().ct_eq(expected.expose().as_bytes())) {
        return Err(AuthError::Unauthenticated);
    }
    let slug = headers
        .get(TENANT_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthError::MissingTenant)?;
    let tenant = state
        .store
        .tenant_by_slug(slug)
        .await
        .map_err(|_| AuthError::UnknownTenant)?;
    Ok(AccessContext {
        tenant: tenant.id,
        actor: "service-token".into(),
        role: "system".into(),
        purpose: headers
            .get("x-purpose-of-use")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(64).collect()),
        client_ip: peer.map(|p| p.ip().to_string()),
        user_agent: headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect()),
    })
}
