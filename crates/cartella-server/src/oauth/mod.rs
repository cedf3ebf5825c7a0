//! OAuth2 endpoints (`/oauth2/token`, `/oauth2/revoke`, `/oauth2/authorize`) and the SMART
//! configuration document. Errors follow RFC 6749 (`{"error", "error_description"}`).

mod authorize;

use crate::AppState;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use cartella_auth::AuthError;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/oauth2/revoke", post(revoke))
        .route(
            "/oauth2/authorize",
            get(authorize::page).post(authorize::submit),
        )
        .route(
            "/fhir/R4/.well-known/smart-configuration",
            get(smart_configuration),
        )
}

pub(crate) fn oauth_error(e: AuthError) -> Response {
    let (status, code) = match &e {
        AuthError::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client"),
        AuthError::InvalidGrant(_) => (StatusCode::BAD_REQUEST, "invalid_grant"),
        AuthError::OAuth(code, _) => (StatusCode::BAD_REQUEST, *code),
        AuthError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "slow_down"),
        AuthError::Forbidden(_) => (StatusCode::FORBIDDEN, "access_denied"),
        AuthError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
        _ => (StatusCode::BAD_REQUEST, "invalid_request"),
    };
    let description = match &e {
        AuthError::Store(_) => "try again later".to_owned(),
        other => other.to_string(),
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
}

/// Client credentials from HTTP Basic or the form (RFC 6749 §2.3.1).
fn client_credentials(
    headers: &HeaderMap,
    form_id: Option<String>,
    form_secret: Option<String>,
) -> Option<(String, Option<String>)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_owned(), Some(b.to_owned())))
        });
    basic.or_else(|| form_id.map(|id| (id, form_secret)))
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return oauth_error(AuthError::OAuth(
            "invalid_request",
            "send an application/x-www-form-urlencoded body with grant_type".into(),
        ));
    };
    let Some((client_id, secret)) = client_credentials(&headers, f.client_id, f.client_secret)
    else {
        return oauth_error(AuthError::InvalidClient);
    };
    let missing = |what: &str| AuthError::OAuth("invalid_request", format!("{what} is required"));
    let result = match f.grant_type.as_str() {
        "client_credentials" => {
            state
                .auth
                .client_credentials(&client_id, secret.as_deref(), f.scope.as_deref())
                .await
        }
        "authorization_code" => match (f.code, f.redirect_uri, f.code_verifier) {
            (Some(code), Some(uri), Some(verifier)) => {
                state
                    .auth
                    .exchange_code(&client_id, secret.as_deref(), &code, &uri, &verifier)
                    .await
            }
            _ => Err(missing("code, redirect_uri and code_verifier")),
        },
        "refresh_token" => match f.refresh_token {
            Some(t) => state.auth.refresh(&client_id, secret.as_deref(), &t).await,
            None => Err(missing("refresh_token")),
        },
        other => Err(AuthError::OAuth(
            "unsupported_grant_type",
            format!(
                "grant type '{}' is not supported",
                other.chars().take(40).collect::<String>()
            ),
        )),
    };
    match result {
        Ok(t) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            Json(t),
        )
            .into_response(),
        Err(e) => oauth_error(e),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    token: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<RevokeForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return oauth_error(AuthError::OAuth(
            "invalid_request",
            "token is required".into(),
        ));
    };
    let Some((client_id, secret)) = client_credentials(&headers, f.client_id, f.client_secret)
    else {
        return oauth_error(AuthError::InvalidClient);
    };
    match state
        .auth
        .revoke(&client_id, secret.as_deref(), &f.token)
        .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => oauth_error(e),
    }
}

async fn smart_configuration(State(state): State<AppState>) -> Response {
    let base = &state.config.public_url;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "scopes_supported": ["openid", "fhirUser", "offline_access", "patient/*.read", "patient/*.write", "user/*.read", "user/*.write", "system/*.read", "system/*.write"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ["client-public", "client-confidential-symmetric", "permission-patient", "permission-user", "permission-offline", "context-standalone-patient"],
    }))
    .into_response()
}
