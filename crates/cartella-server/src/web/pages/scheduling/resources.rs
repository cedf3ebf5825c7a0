//! Bookable resources (administrators): practitioners (a staff member or a Practitioner),
//! rooms, operating theatres and devices, each a FHIR Schedule the scheduling service reads,
//! with weekly hours per weekday (practice time zone) and exceptions (holiday, leave,
//! maintenance with a note). The resource itself is a Practitioner, Location or Device whose
//! name is also kept as the Schedule's `actor.display`.

use super::super::super::forms::{self, FieldErrors, t};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::resource_input::{
    DAYS, Exception, Input, KIND_SYSTEM, KINDS, REASONS, input_from, input_of, kind_of, validate,
};
use super::{Pairs, get, require_admin, store_failure, tz};
use crate::AppState;
use crate::scheduling::resources::{HOURS_URL, ROLE_SYSTEM, UNAVAILABLE_URL};
use crate::scheduling::views;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::clinical::codes::USER_SYSTEM;
use cartella_store::store::WriteOptions;
use minijinja::{Value, context};
use serde_json::{Value as Json, json};

async fn staff_members(state: &AppState, web: &Web) -> Vec<Value> {
    state
        .auth
        .backend()
        .members(&web.ctx.tenant)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|(u, _)| u.disabled_at.is_none())
        .map(|(u, _)| context! { id => &u.id, name => &u.display_name })
        .collect()
}

async fn form(
    state: &AppState,
    web: &Web,
    status: StatusCode,
    id: Option<&str>,
    version: Option<i64>,
    mut input: Input,
    errors: FieldErrors,
) -> Response {
    input.exceptions.push(Exception::default());
    let staff = staff_members(state, web).await;
    html(
        status,
        "scheduling/resource_form.html",
        web.page(context! {
            id, version, form => input, errors, staff, kinds => KINDS, reasons => REASONS,
            error => (status != StatusCode::OK).then(|| t(web.lang, "error-check-fields")),
        }),
    )
}

pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let schedules = match views::all(&state.store, &web.ctx, "Schedule").await {
        Ok(s) => s,
        Err(e) => return store_failure(web.lang, &e),
    };
    let tz = tz(&web);
    let rows: Vec<Value> = schedules
        .iter()
        .map(|(id, _, s)| {
            let i = input_of(s, &tz);
            let hours: Vec<String> = i
                .hours
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(d, v)| format!("{d} {v}"))
                .collect();
            context! { id, name => i.name, kind => i.kind, roles => i.roles, active => i.active,
            hours, exceptions => i.exceptions.len(),
            actor => s.pointer("/actor/0/reference").and_then(Json::as_str) }
        })
        .collect();
    html(
        StatusCode::OK,
        "scheduling/resources.html",
        web.page(context! { rows }),
    )
}

pub async fn new_form(State(state): State<AppState>, web: Web) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    let input = Input {
        kind: "practitioner".into(),
        active: true,
        hours: DAYS
            .iter()
            .map(|d| {
                let open = !matches!(*d, "sat" | "sun");
                (
                    (*d).to_owned(),
                    if open {
                        "08:00-13:00,14:00-18:00".into()
                    } else {
                        String::new()
                    },
                )
            })
            .collect(),
        ..Default::default()
    };
    form(
        &state,
        &web,
        StatusCode::OK,
        None,
        None,
        input,
        FieldErrors::new(),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    match state.store.read(&web.ctx, "Schedule", &id).await {
        Ok(r) => {
            let s: Json = serde_json::from_slice(&r.json).unwrap_or_default();
            let input = input_of(&s, &tz(&web));
            form(
                &state,
                &web,
                StatusCode::OK,
                Some(&id),
                Some(r.version),
                input,
                FieldErrors::new(),
            )
            .await
        }
        Err(e) => store_failure(web.lang, &e),
    }
}

/// The actor resource for a new Schedule: the staff member's Practitioner (reused when one
/// already carries their user id), or a new Practitioner, Location or Device.
async fn create_actor(
    state: &AppState,
    web: &Web,
    i: &Input,
) -> Result<String, cartella_store::StoreError> {
    let name = &i.name;
    let (rtype, body) = match i.kind.as_str() {
        "practitioner" if !i.staff.is_empty() => {
            let params = vec![(
                "identifier".to_owned(),
                format!("{USER_SYSTEM}|{}", i.staff),
            )];
            let page = state
                .store
                .search(&web.ctx, "Practitioner", &params)
                .await?;
            if let Some(p) = page.resources.first() {
                return Ok(format!("Practitioner/{}", p.id));
            }
            (
                "Practitioner",
                json!({"resourceType": "Practitioner", "active": true,
                "identifier": [{"system": USER_SYSTEM, "value": i.staff}], "name": [{"text": name}]}),
            )
        }
        "practitioner" => (
            "Practitioner",
            json!({"resourceType": "Practitioner", "active": true, "name": [{"text": name}]}),
        ),
        "device" => (
            "Device",
            json!({"resourceType": "Device", "status": "active",
            "deviceName": [{"name": name, "type": "user-friendly-name"}]}),
        ),
        kind => {
            let mut l = json!({"resourceType": "Location", "status": "active", "mode": "instance", "name": name,
                "physicalType": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": "ro"}]}});
            if kind == "theatre" {
                l["type"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "OR"}]}]);
            }
            ("Location", l)
        }
    };
    let out = state
        .store
        .create(&web.ctx, rtype, body, WriteOptions::default())
        .await?;
    Ok(format!("{rtype}/{}", out.resource.id))
}

/// Keep the actor resource's own name in step with the form (when it is ours to edit).
async fn rename_actor(state: &AppState, web: &Web, actor: &str, name: &str) {
    let Some((rtype, id)) = actor.split_once('/') else {
        return;
    };
    let Ok(r) = state.store.read(&web.ctx, rtype, id).await else {
        return;
    };
    let Ok(mut body) = serde_json::from_slice::<Json>(&r.json) else {
        return;
    };
    match rtype {
        "Practitioner" => body["name"] = json!([{"text": name}]),
        "Location" => body["name"] = json!(name),
        "Device" => body["deviceName"] = json!([{"name": name, "type": "user-friendly-name"}]),
        _ => return,
    }
    let opts = WriteOptions {
        if_match: Some(r.version),
        ..Default::default()
    };
    if let Err(e) = state.store.update(&web.ctx, rtype, id, body, opts).await {
        tracing::warn!(error = %e, "resource name not updated");
    }
}

/// Write the managed parts into `s` (other extensions and fields are kept).
fn apply(s: &mut Json, i: &Input, kind: &str, actor: &str, roles: &[String], managed: Vec<Json>) {
    let mut ext: Vec<Json> = s["extension"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["url"] != HOURS_URL && e["url"] != UNAVAILABLE_URL)
        .collect();
    ext.extend(managed);
    s["resourceType"] = json!("Schedule");
    s["active"] = json!(i.active);
    s["actor"] = json!([{"reference": actor, "display": i.name}]);
    s["serviceCategory"] = json!([{"coding": [{"system": KIND_SYSTEM, "code": kind}]}]);
    s["serviceType"] = json!([{"coding": roles.iter().map(|r| json!({"system": ROLE_SYSTEM, "code": r})).collect::<Vec<_>>()}]);
    s["extension"] = Json::Array(ext);
}

pub async fn create(State(state): State<AppState>, web: Web, Form(pairs): Form<Pairs>) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let mut input = input_from(&pairs);
    if input.roles.trim().is_empty() && input.kind != "practitioner" {
        input.roles = input.kind.clone();
    }
    let (roles, managed) = match validate(&web, &input, true) {
        Ok(v) => v,
        Err(errors) => {
            return form(
                &state,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                input,
                errors,
            )
            .await;
        }
    };
    let actor = match create_actor(&state, &web, &input).await {
        Ok(a) => a,
        Err(e) => return store_failure(web.lang, &e),
    };
    let mut s = json!({});
    apply(&mut s, &input, &input.kind.clone(), &actor, &roles, managed);
    match state
        .store
        .create(&web.ctx, "Schedule", s, WriteOptions::default())
        .await
    {
        Ok(_) => Redirect::to("/scheduling/resources").into_response(),
        Err(e) => store_failure(web.lang, &e),
    }
}

pub async fn update(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if let Err(r) = require_admin(&state, &web).await {
        return r;
    }
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let current = match state.store.read(&web.ctx, "Schedule", &id).await {
        Ok(r) => r,
        Err(e) => return store_failure(web.lang, &e),
    };
    let mut s: Json = serde_json::from_slice(&current.json).unwrap_or_default();
    let version = get(&pairs, "version")
        .parse()
        .ok()
        .unwrap_or(current.version);
    let input = input_from(&pairs);
    let (roles, managed) = match validate(&web, &input, false) {
        Ok(v) => v,
        Err(errors) => {
            return form(
                &state,
                &web,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&id),
                Some(version),
                input,
                errors,
            )
            .await;
        }
    };
    let actor = s
        .pointer("/actor/0/reference")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_owned();
    let kind = kind_of(&s);
    apply(&mut s, &input, &kind, &actor, &roles, managed);
    let opts = WriteOptions {
        if_match: Some(version),
        ..Default::default()
    };
    match state.store.update(&web.ctx, "Schedule", &id, s, opts).await {
        Ok(_) => {
            rename_actor(&state, &web, &actor, &input.name).await;
            Redirect::to("/scheduling/resources").into_response()
        }
        Err(cartella_store::StoreError::VersionConflict { .. }) => {
            let mut errors = FieldErrors::new();
            errors.insert("name".into(), t(web.lang, "sched-error-stale"));
            form(
                &state,
                &web,
                StatusCode::CONFLICT,
                Some(&id),
                Some(current.version),
                input,
                errors,
            )
            .await
        }
        Err(e) => store_failure(web.lang, &e),
    }
}
