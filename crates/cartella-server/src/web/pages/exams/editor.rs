//! The administrators' template pages: the list of the practice's templates (drafts and
//! retired ones too) and a JSON editor whose structure check names every problem by its path.

use super::super::super::forms::{self, t, t_args};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::super::patients::{Pairs, get};
use super::error;
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::exams::templates;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::Value;

fn admin_only(web: &Web) -> Option<Response> {
    (!web.is_admin()).then(|| {
        super::super::error_page(
            web.lang,
            StatusCode::FORBIDDEN,
            &t(web.lang, "error-forbidden-title"),
            &t(web.lang, "error-forbidden"),
        )
    })
}

pub async fn list(State(state): State<AppState>, web: Web) -> Response {
    if let Some(r) = admin_only(&web) {
        return r;
    }
    match templates::list(&state.store, &web.ctx, true, web.lang.code()).await {
        Ok(rows) => html(
            StatusCode::OK,
            "exams/admin_list.html",
            web.page(context! { templates => rows }),
        ),
        Err(e) => error(&web, &e),
    }
}

const BLANK: &str = r#"{
  "resourceType": "Questionnaire",
  "status": "draft",
  "title": "",
  "item": [
    {"linkId": "q1", "text": "", "type": "string"}
  ]
}"#;

fn editor(
    web: &Web,
    id: &str,
    json: &str,
    version: &str,
    problems: Vec<String>,
    status: StatusCode,
) -> Response {
    html(
        status,
        "exams/editor.html",
        web.page(context! { id, json, version, problems }),
    )
}

pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = admin_only(&web) {
        return r;
    }
    if id == "new" {
        return editor(&web, "new", BLANK, "", vec![], StatusCode::OK);
    }
    match templates::get(&state.store, &web.ctx, &id).await {
        Ok(q) => {
            let version = q["meta"]["versionId"].as_str().unwrap_or("").to_owned();
            let mut shown = q.clone();
            if let Value::Object(m) = &mut shown {
                m.remove("meta");
            }
            let json = serde_json::to_string_pretty(&shown).unwrap_or_default();
            editor(&web, &id, &json, &version, vec![], StatusCode::OK)
        }
        Err(e) => error(&web, &e),
    }
}

pub async fn save(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    if let Some(r) = admin_only(&web) {
        return r;
    }
    let text = get(&pairs, "json");
    let version = get(&pairs, "version");
    let refuse = |problems: Vec<String>| {
        editor(
            &web,
            &id,
            text,
            version,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let body: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return refuse(vec![t_args(
                web.lang,
                "exams-editor-json-error",
                &[
                    ("line", e.line().to_string()),
                    ("column", e.column().to_string()),
                ],
            )]);
        }
    };
    let target = (id != "new").then_some(id.as_str());
    match templates::save(&state.store, &web.ctx, target, body, version.parse().ok()).await {
        Ok(_) => Redirect::to("/admin/exam-templates").into_response(),
        Err(ClinicalError::Validation(list)) => refuse(
            list.iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        if e.field.is_empty() { "/" } else { &e.field },
                        e.message
                    )
                })
                .collect(),
        ),
        Err(ClinicalError::State(_)) => refuse(vec![t(web.lang, "exams-editor-conflict")]),
        Err(e) => error(&web, &e),
    }
}
