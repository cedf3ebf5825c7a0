//! Practice administration pages: staff (invite, roles, disable, reset 2FA), API clients and
//! practice settings. Every action goes through the identity service, which checks the admin
//! permission and writes the audit trail; a non-administrator gets 403.

use super::super::forms::{self, FieldErrors, auth_error, t};
use super::super::practice::{COMMON_TIME_ZONES, PracticeSettings, valid_time_zone};
use super::super::render::html;
use super::super::session::Web;
use crate::AppState;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_auth::service::{ClientRegistration, NewUser};
use cartella_core::access::Role;
use minijinja::{Value, context};
use serde::Deserialize;

type Pairs = Vec<(String, String)>;

fn get<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn staff_roles() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .filter(|r| r.is_staff())
        .map(|r| r.as_str())
        .collect()
}

/// 403 unless the user administers the practice (the denial is audited by the store).
async fn require_admin(state: &AppState, web: &Web) -> Result<(), Response> {
    match state.store.authorize_admin(&web.ctx).await {
        Ok(()) => Ok(()),
        Err(_) => Err(super::error_page(
            web.lang,
            StatusCode::FORBIDDEN,
            &t(web.lang, "error-forbidden-title"),
            &t(web.lang, "error-forbidden"),
        )),
    }
}

fn refuse_csrf(web: &Web, pairs: &Pairs) -> Option<Response> {
    (!web.csrf_ok(Some(get(pairs, "_csrf")))).then(|| forms::csrf_refused(web.lang))
}

#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    notice: String,
}

pub async fn staff(State(state): State<AppState>, web: Web, Query(q): Query<Notice>) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let members = state
        .auth
        .backend()
        .members(&web.ctx.tenant)
        .await
        .unwrap_or_default();
    let staff: Vec<Value> = members
        .iter()
        .map(|(u, m)| {
            let roles: Vec<&str> = m.roles.split(',').map(str::trim).filter(|r| !r.is_empty()).collect();
            context! { id => &u.id, name => &u.display_name, email => &u.email, roles,
                two_factor => u.totp_enabled, disabled => u.disabled_at.is_some(), locked => u.locked_until.is_some() }
        })
        .collect();
    let clients: Vec<Value> = state
        .auth
        .backend()
        .clients(&web.ctx.tenant)
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| context! { id => &c.id, name => &c.name, scopes => &c.scopes, disabled => c.disabled_at.is_some() })
        .collect();
    let notice = if q.notice.is_empty() {
        String::new()
    } else {
        t(web.lang, &format!("notice-staff-{}", q.notice))
    };
    html(
        StatusCode::OK,
        "admin/staff.html",
        web.page(context! { staff, clients, notice }),
    )
}

fn staff_form(
    web: &Web,
    status: StatusCode,
    creating: bool,
    action: &str,
    form: Value,
    error: String,
    errors: FieldErrors,
) -> Response {
    let title = t(web.lang, if creating { "staff-add" } else { "staff-edit" });
    html(
        status,
        "admin/staff_form.html",
        web.page(context! { title, creating, action, form, error, errors, roles => staff_roles() }),
    )
}

pub async fn new_form(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let form = context! { name => "", email => "", roles => Vec::<String>::new() };
    staff_form(
        &web,
        StatusCode::OK,
        true,
        "/admin/staff/new",
        form,
        String::new(),
        FieldErrors::new(),
    )
}

pub async fn create(State(state): State<AppState>, web: Web, Form(pairs): Form<Pairs>) -> Response {
    if let Some(r) = refuse_csrf(&web, &pairs) {
        return r;
    }
    let roles = all(&pairs, "roles");
    let new = NewUser {
        email: get(&pairs, "email").trim().to_owned(),
        name: get(&pairs, "name").trim().to_owned(),
        roles: roles.join(","),
        password: None,
        patient_id: None,
        expires_at: None,
    };
    match state.auth.create_user(&web.ctx, new).await {
        Ok(_) => Redirect::to("/admin/staff?notice=invited").into_response(),
        Err(e) => {
            let (error, mut errors) = auth_error(web.lang, &e);
            if roles.is_empty() {
                errors.insert("roles".into(), t(web.lang, "staff-roles-required"));
            }
            let status = if matches!(e, cartella_auth::AuthError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let form =
                context! { name => get(&pairs, "name"), email => get(&pairs, "email"), roles };
            staff_form(&web, status, true, "/admin/staff/new", form, error, errors)
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let members = state
        .auth
        .backend()
        .members(&web.ctx.tenant)
        .await
        .unwrap_or_default();
    let Some((u, m)) = members.iter().find(|(u, _)| u.id == id) else {
        return super::error_page(
            web.lang,
            StatusCode::NOT_FOUND,
            &t(web.lang, "error-not-found-title"),
            &t(web.lang, "error-not-found"),
        );
    };
    let roles: Vec<&str> = m.roles.split(',').map(str::trim).collect();
    let form = context! { name => &u.display_name, email => &u.email, roles };
    staff_form(
        &web,
        StatusCode::OK,
        false,
        &format!("/admin/staff/{id}"),
        form,
        String::new(),
        FieldErrors::new(),
    )
}

pub async fn update_roles(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if let Some(r) = refuse_csrf(&web, &pairs) {
        return r;
    }
    let roles = all(&pairs, "roles");
    match state.auth.set_roles(&web.ctx, &id, &roles.join(",")).await {
        Ok(()) => Redirect::to("/admin/staff?notice=saved").into_response(),
        Err(e) => action_error(&web, &e),
    }
}

fn action_error(web: &Web, e: &cartella_auth::AuthError) -> Response {
    let (message, fields) = auth_error(web.lang, e);
    let detail = fields.into_values().collect::<Vec<_>>().join("; ");
    let status = match e {
        cartella_auth::AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
        cartella_auth::AuthError::Store(cartella_store::StoreError::NotFound(_)) => {
            StatusCode::NOT_FOUND
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    super::error_page(web.lang, status, &message, &detail)
}

pub async fn staff_action(
    State(state): State<AppState>,
    web: Web,
    Path((id, action)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if let Some(r) = refuse_csrf(&web, &pairs) {
        return r;
    }
    let result = match action.as_str() {
        "disable" => state.auth.set_disabled(&web.ctx, &id, true).await,
        "enable" => state.auth.set_disabled(&web.ctx, &id, false).await,
        "reset-2fa" => state.auth.admin_reset_2fa(&web.ctx, &id).await,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok(()) => Redirect::to("/admin/staff?notice=saved").into_response(),
        Err(e) => action_error(&web, &e),
    }
}

pub async fn client_form(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let form =
        context! { name => "", scopes => "system/*.read", redirect_uris => "", rate_limit => "" };
    html(
        StatusCode::OK,
        "admin/client_form.html",
        web.page(context! { form, errors => FieldErrors::new() }),
    )
}

pub async fn create_client(
    State(state): State<AppState>,
    web: Web,
    Form(pairs): Form<Pairs>,
) -> Response {
    if let Some(r) = refuse_csrf(&web, &pairs) {
        return r;
    }
    let mut errors = FieldErrors::new();
    let rate_raw = get(&pairs, "rate_limit").trim();
    let rate_limit = if rate_raw.is_empty() {
        None
    } else {
        match rate_raw.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.insert("rate_limit".into(), t(web.lang, "field-error-whole-number"));
                None
            }
        }
    };
    let form = context! { name => get(&pairs, "name"), scopes => get(&pairs, "scopes"), redirect_uris => get(&pairs, "redirect_uris"), rate_limit => rate_raw };
    if !errors.is_empty() {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/client_form.html",
            web.page(context! { form, errors, error => t(web.lang, "error-check-fields") }),
        );
    }
    let redirect_uris: Vec<String> = get(&pairs, "redirect_uris")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let reg = ClientRegistration {
        name: get(&pairs, "name").trim().to_owned(),
        scopes: get(&pairs, "scopes").trim().to_owned(),
        public: false,
        redirect_uris,
        rate_limit,
    };
    match state.auth.register_client(&web.ctx, reg).await {
        Ok((client, secret)) => html(
            StatusCode::OK,
            "admin/client_form.html",
            web.page(context! { created => context! { id => client.id, secret } }),
        ),
        Err(e) => {
            let (error, errors) = auth_error(web.lang, &e);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/client_form.html",
                web.page(context! { form, errors, error }),
            )
        }
    }
}

fn settings_page(
    web: &Web,
    status: StatusCode,
    form: Value,
    notice: String,
    error: String,
    errors: FieldErrors,
) -> Response {
    html(
        status,
        "admin/settings.html",
        web.page(context! { form, notice, error, errors, zones => COMMON_TIME_ZONES, roles => staff_roles() }),
    )
}

pub async fn settings(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<Notice>,
) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let s = &web.settings;
    let form = context! {
        display_name => &web.practice_name, address => &s.address, phone => &s.phone, time_zone => &s.time_zone,
        default_language => s.default_language.as_deref().unwrap_or("en"), mfa_required_roles => &s.mfa_required_roles,
    };
    let notice = if q.notice == "saved" {
        t(web.lang, "notice-settings-saved")
    } else {
        String::new()
    };
    settings_page(
        &web,
        StatusCode::OK,
        form,
        notice,
        String::new(),
        FieldErrors::new(),
    )
}

pub async fn save_settings(
    State(state): State<AppState>,
    web: Web,
    Form(pairs): Form<Pairs>,
) -> Response {
    if let Some(r) = refuse_csrf(&web, &pairs) {
        return r;
    }
    let mut errors = FieldErrors::new();
    let display_name = get(&pairs, "display_name").trim();
    if display_name.is_empty() {
        errors.insert("display_name".into(), t(web.lang, "field-error-required"));
    }
    let tz = get(&pairs, "time_zone");
    if !valid_time_zone(tz) {
        errors.insert("time_zone".into(), t(web.lang, "field-error-time-zone"));
    }
    let mfa_roles = all(&pairs, "mfa_required_roles");
    let form = context! {
        display_name, address => get(&pairs, "address"), phone => get(&pairs, "phone"), time_zone => tz,
        default_language => get(&pairs, "default_language"), mfa_required_roles => &mfa_roles,
    };
    if !errors.is_empty() {
        return settings_page(
            &web,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            String::new(),
            t(web.lang, "error-check-fields"),
            errors,
        );
    }
    let mut settings: PracticeSettings = web.settings.clone();
    settings.address = get(&pairs, "address").trim().to_owned();
    settings.phone = get(&pairs, "phone").trim().to_owned();
    settings.time_zone = tz.to_owned();
    settings.default_language = super::super::i18n::Lang::parse(get(&pairs, "default_language"))
        .map(|l| l.code().to_owned());
    settings.mfa_required_roles = mfa_roles;
    settings.display_name = Some(display_name.to_owned());
    match state.auth.put_settings(&web.ctx, &settings.to_json()).await {
        Ok(()) => Redirect::to("/admin/settings?notice=saved").into_response(),
        Err(e) => {
            let (error, errors) = auth_error(web.lang, &e);
            settings_page(
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                String::new(),
                error,
                errors,
            )
        }
    }
}
