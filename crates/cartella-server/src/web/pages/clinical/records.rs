//! Diagnoses and allergies. Diagnoses: the problem list (active / resolved, with a resolve
//! action) and the add form, whose ICD-10-CM search answers as you type (htmx, a fragment of
//! radio buttons inside the form, so choosing a code needs no script) and also without
//! JavaScript (the search button reloads the page with the hits). Allergies: the active list
//! and the form (substance, category, criticality, reaction, severity).

use super::{Page, failure, field_errors, frame};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::records as svc;
use crate::web::forms::{self, FieldErrors, t};
use crate::web::pages::patients::{Pairs, get};
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::clinical::inputs::{AllergyInput, ConditionInput};
use cartella_terminology::Icd10;
use minijinja::{Value, context};
use serde::Deserialize;

/// Hits shown by the ICD-10 search.
const HITS: usize = 12;

fn opt(pairs: &Pairs, name: &str) -> Option<String> {
    Some(get(pairs, name).trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    notice: String,
}

/// ICD-10-CM hits for a code or words (descriptions in English: the shipped release).
fn hits(q: &str, chosen: &str) -> Vec<Value> {
    if q.trim().chars().count() < 2 {
        return vec![];
    }
    Icd10::search(q, HITS)
        .into_iter()
        .map(|e| context! { code => e.code(), description => e.description(), billable => e.is_billable(), checked => e.code() == chosen })
        .collect()
}

/// The as-you-type answer: a fragment of choices for the add form.
pub async fn icd10(web: Web, Query(q): Query<SearchQuery>) -> Response {
    html(
        StatusCode::OK,
        "clinical/icd10.html",
        web.page(context! { hits => hits(&q.q, ""), q => q.q.trim() }),
    )
}

async fn diagnoses_page(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    values: &Pairs,
    errors: FieldErrors,
    notice: String,
) -> Page {
    let base = frame(state, web, id, "diagnoses").await?;
    let all = svc::conditions(&state.store, &web.ctx, id, None, None)
        .await
        .map_err(|e| failure(web.lang, &e))?;
    let (active, resolved): (Vec<_>, Vec<_>) = all.iter().partition(|c| {
        matches!(
            c["clinical_status"].as_str(),
            Some("active" | "recurrence" | "relapse")
        )
    });
    let rows = |v: Vec<&serde_json::Value>| -> Vec<Value> {
        v.into_iter().map(Value::from_serialize).collect()
    };
    let q = get(values, "q");
    let message = (!errors.is_empty()).then(|| t(web.lang, "error-check-fields"));
    Ok(html(
        status,
        "clinical/diagnoses.html",
        web.page(context! {
            active => rows(active), resolved => rows(resolved), errors, message, notice,
            q, hits => hits(q, get(values, "code")), text => get(values, "text"),
            onset => get(values, "onset"), note => get(values, "note"),
            can_write => super::may_write(web, "Condition"), ..base
        }),
    ))
}

pub async fn diagnoses(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let notice = match q.notice.as_str() {
        "added" => t(web.lang, "clin-diagnosis-added"),
        "resolved" => t(web.lang, "clin-diagnosis-resolved"),
        _ => String::new(),
    };
    let values = vec![("q".to_owned(), q.q)];
    diagnoses_page(
        &state,
        &web,
        &id,
        StatusCode::OK,
        &values,
        FieldErrors::new(),
        notice,
    )
    .await
    .unwrap_or_else(|r| r)
}

pub async fn add_diagnosis(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    // A chosen hit wins; otherwise what was typed in the search box is taken as the code.
    let code = opt(&pairs, "code").or_else(|| opt(&pairs, "q"));
    let input = ConditionInput {
        code,
        text: opt(&pairs, "text"),
        onset: opt(&pairs, "onset"),
        note: opt(&pairs, "note"),
        ..Default::default()
    };
    let r = svc::add_condition(
        &state.store,
        &web.ctx,
        &id,
        &input,
        &svc::DIAGNOSIS_CATEGORIES,
    )
    .await;
    match r {
        Ok(_) => {
            Redirect::to(&format!("/patients/{id}/clinical/diagnoses?notice=added")).into_response()
        }
        Err(ClinicalError::Validation(errs)) => {
            let mut errors = field_errors(web.lang, &errs);
            // The code is typed in the search box: its message belongs there.
            if let Some(m) = errors.remove("code") {
                errors.insert("q".into(), m);
            }
            diagnoses_page(
                &state,
                &web,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &pairs,
                errors,
                String::new(),
            )
            .await
            .unwrap_or_else(|r| r)
        }
        Err(e) => failure(web.lang, &e),
    }
}

/// Resolve (or reactivate) a problem of this patient.
pub async fn set_status(
    State(state): State<AppState>,
    web: Web,
    Path((id, condition)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    if let Err(r) = frame(&state, &web, &id, "diagnoses").await {
        return r;
    }
    let mine = svc::conditions(&state.store, &web.ctx, &id, None, None)
        .await
        .map(|all| all.iter().any(|c| c["id"] == condition.as_str()));
    match mine {
        Ok(true) => {}
        Ok(false) => return failure(web.lang, &ClinicalError::NotFound("condition")),
        Err(e) => return failure(web.lang, &e),
    }
    let to = get(&pairs, "clinical_status");
    match svc::set_condition_status(&state.store, &web.ctx, &condition, to, None).await {
        Ok(_) => {
            let notice = if to == "active" { "" } else { "resolved" };
            Redirect::to(&format!(
                "/patients/{id}/clinical/diagnoses?notice={notice}"
            ))
            .into_response()
        }
        Err(e @ ClinicalError::Validation(_)) => failure(web.lang, &e),
        Err(e) => failure(web.lang, &e),
    }
}

async fn allergies_page(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    values: &Pairs,
    errors: FieldErrors,
    notice: String,
) -> Page {
    let base = frame(state, web, id, "allergies").await?;
    let list: Vec<Value> = svc::active_allergies(&state.store, &web.ctx, id)
        .await
        .map_err(|e| failure(web.lang, &e))?
        .iter()
        .map(Value::from_serialize)
        .collect();
    let v = |k: &str| get(values, k).to_owned();
    let message = (!errors.is_empty()).then(|| t(web.lang, "error-check-fields"));
    Ok(html(
        status,
        "clinical/allergies.html",
        web.page(context! {
            list, errors, message, notice,
            form => context! {
                substance => v("substance"), category => v("category"), criticality => v("criticality"),
                reaction => v("reaction"), severity => v("severity"),
            },
            categories => ["medication", "food", "environment", "biologic"],
            criticalities => ["unable-to-assess", "low", "high"],
            severities => ["mild", "moderate", "severe"],
            can_write => super::may_write(web, "AllergyIntolerance"), ..base
        }),
    ))
}

pub async fn allergies(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let notice = if q.notice == "added" {
        t(web.lang, "clin-allergy-added")
    } else {
        String::new()
    };
    allergies_page(
        &state,
        &web,
        &id,
        StatusCode::OK,
        &vec![],
        FieldErrors::new(),
        notice,
    )
    .await
    .unwrap_or_else(|r| r)
}

pub async fn add_allergy(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let input = AllergyInput {
        substance: opt(&pairs, "substance"),
        category: opt(&pairs, "category"),
        criticality: opt(&pairs, "criticality"),
        reaction: opt(&pairs, "reaction"),
        severity: opt(&pairs, "severity"),
        ..Default::default()
    };
    match svc::add_allergy(&state.store, &web.ctx, &id, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/patients/{id}/clinical/allergies?notice=added")).into_response()
        }
        Err(ClinicalError::Validation(errs)) => {
            let errors = field_errors(web.lang, &errs);
            allergies_page(
                &state,
                &web,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &pairs,
                errors,
                String::new(),
            )
            .await
            .unwrap_or_else(|r| r)
        }
        Err(e) => failure(web.lang, &e),
    }
}
