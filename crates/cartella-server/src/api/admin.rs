//! Practice administration: staff, API clients, settings and shares. Every call is checked by
//! the store's permission matrix (the admin action on the practice) and audited.

use super::envelope::{ApiError, body, ok};
use crate::AppState;
use crate::auth::authenticate;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use cartella_auth::service::{ClientRegistration, NewUser};
use cartella_store::AccessContext;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

type Result<T> = std::result::Result<T, ApiError>;

async fn admin(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    method: Method,
) -> Result<AccessContext> {
    let a = authenticate(state, headers, Some(peer), &method).await?;
    state.store.authorize_admin(&a.ctx).await?;
    Ok(a.ctx)
}

pub async fn list_users(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::GET).await?;
    let members = state.auth.backend().members(&ctx.tenant).await?;
    let list: Vec<_> = members
        .into_iter()
        .map(|(u, m)| {
            json!({ "id": u.id, "email": u.email, "name": u.display_name, "roles": m.roles, "disabled": u.disabled_at.is_some(),
                    "two_factor": u.totp_enabled, "locked": u.locked_until.is_some() })
        })
        .collect();
    Ok(ok(json!(list)))
}

pub async fn create_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    let new: NewUser = body(&raw)?;
    let user = state.auth.create_user(&ctx, new).await?;
    Ok(ok(json!({ "id": user.id, "email": user.email })))
}

#[derive(Deserialize)]
pub struct RolesBody {
    roles: String,
}

pub async fn set_roles(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::PUT).await?;
    let req: RolesBody = body(&raw)?;
    state.auth.set_roles(&ctx, &id, &req.roles).await?;
    Ok(ok(json!({ "id": id, "roles": req.roles })))
}

pub async fn disable_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    state.auth.set_disabled(&ctx, &id, true).await?;
    Ok(ok(json!({ "id": id, "disabled": true })))
}

pub async fn enable_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    state.auth.set_disabled(&ctx, &id, false).await?;
    Ok(ok(json!({ "id": id, "disabled": false })))
}

pub async fn reset_2fa(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    state.auth.admin_reset_2fa(&ctx, &id).await?;
    Ok(ok(json!({ "id": id, "two_factor": false })))
}

pub async fn list_clients(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::GET).await?;
    let clients = state.auth.backend().clients(&ctx.tenant).await?;
    let list: Vec<_> = clients
        .into_iter()
        .map(|c| json!({ "client_id": c.id, "name": c.name, "scopes": c.scopes, "redirect_uris": c.redirect_uris, "rate_limit": c.rate_limit, "disabled": c.disabled_at.is_some() }))
        .collect();
    Ok(ok(json!(list)))
}

#[derive(Deserialize)]
pub struct ClientBody {
    name: String,
    scopes: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    rate_limit: Option<i64>,
}

pub async fn create_client(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    let req: ClientBody = body(&raw)?;
    let reg = ClientRegistration {
        name: req.name,
        scopes: req.scopes,
        redirect_uris: req.redirect_uris,
        public: req.public,
        rate_limit: req.rate_limit,
    };
    let (client, secret) = state.auth.register_client(&ctx, reg).await?;
    Ok(ok(
        json!({ "client_id": client.id, "client_secret": secret, "scopes": client.scopes }),
    ))
}

pub async fn put_settings(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::PUT).await?;
    let settings: serde_json::Value = body(&raw)?;
    state.auth.put_settings(&ctx, &settings).await?;
    Ok(ok(settings))
}

#[derive(Deserialize)]
pub struct ShareBody {
    user_id: String,
    patient_id: String,
    expires_at: i64,
}

pub async fn create_share(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: Bytes,
) -> Result<Response> {
    let ctx = admin(&state, &headers, peer, Method::POST).await?;
    let req: ShareBody = body(&raw)?;
    let share = state
        .auth
        .share_patient(&ctx, &req.user_id, &req.patient_id, req.expires_at)
        .await?;
    Ok(ok(json!({ "id": share.id })))
}
