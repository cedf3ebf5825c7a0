//! Visits: the list with "open a visit", and a visit's page: the SOAP note (four text areas)
//! saved as a draft while the visit is open, "close" (saves the note, then finishes the visit),
//! and after closing an amendment that needs a reason; the note's versions with who, when and
//! why are listed below.

use super::{Page, failure, field_errors, frame};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::encounters as svc;
use crate::web::forms::{self, FieldErrors, t};
use crate::web::pages::patients::{Pairs, get};
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::clinical::inputs::{ENCOUNTER_CLASSES, EncounterInput};
use cartella_core::clinical::notes::{SECTIONS, SoapInput};
use minijinja::{Value, context};
use serde_json::Value as Json;
use std::collections::HashMap;

/// Visits listed on the page (newest first).
const LIST_MAX: usize = 100;

fn opt(pairs: &Pairs, name: &str) -> Option<String> {
    Some(get(pairs, name).to_owned()).filter(|s| !s.trim().is_empty())
}

async fn list_page(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    values: &Pairs,
    errors: FieldErrors,
) -> Page {
    let base = frame(state, web, id, "visits").await?;
    let visits = svc::list(&state.store, &web.ctx, id)
        .await
        .map_err(|e| failure(web.lang, &e))?;
    let visits: Vec<Value> = visits
        .iter()
        .take(LIST_MAX)
        .map(|e| {
            context! {
                id => e["id"].as_str(), status => e["status"].as_str(),
                start => e["period"]["start"].as_str(), end => e["period"]["end"].as_str(),
                reason => e["reasonCode"][0]["text"].as_str(),
                class => e["class"]["code"].as_str(),
            }
        })
        .collect();
    let message = (!errors.is_empty()).then(|| t(web.lang, "error-check-fields"));
    Ok(html(
        status,
        "clinical/visits.html",
        web.page(context! {
            visits, classes => ENCOUNTER_CLASSES, errors, message,
            class => get(values, "class"), reason => get(values, "reason"),
            can_write => super::may_write(web, "Encounter"), ..base
        }),
    ))
}

pub async fn list(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    list_page(
        &state,
        &web,
        &id,
        StatusCode::OK,
        &vec![],
        FieldErrors::new(),
    )
    .await
    .unwrap_or_else(|r| r)
}

pub async fn open(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let input = EncounterInput {
        class: opt(&pairs, "class"),
        reason: opt(&pairs, "reason"),
        start: None,
    };
    match svc::open(&state.store, &web.ctx, &id, &input).await {
        Ok(v) => Redirect::to(&format!("/patients/{id}/clinical/visits/{}", v.id)).into_response(),
        Err(ClinicalError::Validation(errs)) => {
            let errors = field_errors(web.lang, &errs);
            list_page(
                &state,
                &web,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &pairs,
                errors,
            )
            .await
            .unwrap_or_else(|r| r)
        }
        Err(e) => failure(web.lang, &e),
    }
}

/// User id → display name, for "who" in the history.
async fn names(state: &AppState, web: &Web) -> HashMap<String, String> {
    state
        .auth
        .backend()
        .members(&web.ctx.tenant)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(u, _)| (u.id, u.display_name))
        .collect()
}

async fn visit_page(
    state: &AppState,
    web: &Web,
    id: &str,
    visit_id: &str,
    status: StatusCode,
    typed: Option<(&Pairs, FieldErrors)>,
    notice: String,
) -> Page {
    let base = frame(state, web, id, "visits").await?;
    let visit = svc::get(&state.store, &web.ctx, visit_id)
        .await
        .map_err(|e| failure(web.lang, &e))?;
    if super::patient_of(&visit.encounter) != Some(id) {
        return Err(failure(web.lang, &ClinicalError::NotFound("encounter")));
    }
    let history = svc::history(&state.store, &web.ctx, visit_id)
        .await
        .map_err(|e| failure(web.lang, &e))?;
    let who = names(state, web).await;
    let versions: Vec<Value> = history["note"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            let author = h["author"].as_str().unwrap_or("");
            context! {
                version => h["version"].as_i64(), status => h["status"].as_str(),
                when => h["last_updated"].as_str(), role => h["role"].as_str(),
                who => who.get(author).cloned().unwrap_or_else(|| author.to_owned()),
                reason => h["amendment_reason"].as_str(),
            }
        })
        .collect();
    let sections = &visit
        .note
        .as_ref()
        .map_or(Json::Null, |n| n["sections"].clone());
    let reason = typed
        .as_ref()
        .map(|(p, _)| get(p, "reason").to_owned())
        .unwrap_or_default();
    let (errors, notes): (FieldErrors, Vec<Value>) = match typed {
        Some((pairs, errors)) => (
            errors,
            SECTIONS
                .iter()
                .map(|s| context! { name => s, text => get(pairs, s) })
                .collect(),
        ),
        None => (
            FieldErrors::new(),
            SECTIONS
                .iter()
                .map(|s| context! { name => s, text => sections[*s].as_str().unwrap_or("") })
                .collect(),
        ),
    };
    let message = (!errors.is_empty()).then(|| t(web.lang, "error-check-fields"));
    let e = &visit.encounter;
    Ok(html(
        status,
        "clinical/visit.html",
        web.page(context! {
            visit => context! {
                id => &visit.id, status => &visit.status, start => e["period"]["start"].as_str(),
                end => e["period"]["end"].as_str(), reason => e["reasonCode"][0]["text"].as_str(),
                has_note => visit.note.is_some(),
            },
            notes, errors, message, reason, versions, notice,
            amending => visit.status == "finished" && visit.note.is_some(),
            can_write => super::may_write(web, "Composition"), ..base
        }),
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path((id, visit)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let notice = match q.notice.as_str() {
        "saved" => t(web.lang, "clin-note-saved"),
        "closed" => t(web.lang, "clin-visit-closed"),
        _ => String::new(),
    };
    visit_page(&state, &web, &id, &visit, StatusCode::OK, None, notice)
        .await
        .unwrap_or_else(|r| r)
}

/// Save the note (draft, or amendment with its reason); with `action=close`, then close.
pub async fn save(
    State(state): State<AppState>,
    web: Web,
    Path((id, visit)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    // The visit must be this patient's before anything is written.
    match svc::get(&state.store, &web.ctx, &visit).await {
        Ok(v) if super::patient_of(&v.encounter) == Some(id.as_str()) => {}
        Ok(_) => return failure(web.lang, &ClinicalError::NotFound("encounter")),
        Err(e) => return failure(web.lang, &e),
    }
    let note = SoapInput {
        subjective: opt(&pairs, "subjective"),
        objective: opt(&pairs, "objective"),
        assessment: opt(&pairs, "assessment"),
        plan: opt(&pairs, "plan"),
    };
    let closing = get(&pairs, "action") == "close";
    let empty = SECTIONS.iter().all(|s| note.get(s).is_none());
    // Closing without any text closes the visit as it is; otherwise the note is saved first.
    let saved = if closing && empty {
        Ok(())
    } else {
        let reason = opt(&pairs, "reason");
        svc::document(&state.store, &web.ctx, &visit, &note, reason.as_deref())
            .await
            .map(|_| ())
    };
    let result = match saved {
        Ok(()) if closing => svc::close(&state.store, &web.ctx, &visit, None)
            .await
            .map(|_| ()),
        other => other,
    };
    match result {
        Ok(()) => {
            let notice = if closing { "closed" } else { "saved" };
            Redirect::to(&format!(
                "/patients/{id}/clinical/visits/{visit}?notice={notice}"
            ))
            .into_response()
        }
        Err(ClinicalError::Validation(errs)) => {
            let errors = field_errors(web.lang, &errs);
            visit_page(
                &state,
                &web,
                &id,
                &visit,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((&pairs, errors)),
                String::new(),
            )
            .await
            .unwrap_or_else(|r| r)
        }
        Err(e) => failure(web.lang, &e),
    }
}
