//! Lab pages in the patient chart: the patient's orders and reports (abnormal and critical
//! values highlighted), the order form, result entry ([`entry`]), a report, a trend chart per
//! test (server-rendered SVG with the reference band), and the signed-in doctor's critical
//! results.

mod entry;

pub use entry::{results_form, submit_results};

use super::super::forms::{self, FieldErrors, t};
use super::super::render::html;
use super::super::session::Web;
use super::chart::header;
use super::patients::{Pairs, get};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::labs::{catalog, orders, reads};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::labs::OrderInput;
use cartella_terminology::Lang as TermLang;
use minijinja::context;

/// Templates of the lab pages (under `templates/labs/`).
pub const TEMPLATES: &[(&str, &str)] = crate::templates![
    "labs/header.html",
    "labs/index.html",
    "labs/order.html",
    "labs/results.html",
    "labs/report.html",
    "labs/trend.html",
    "labs/critical.html",
];

pub(crate) fn term_lang(web: &Web) -> TermLang {
    TermLang::from_tag(web.lang.code())
}

/// A service error as a page.
pub(crate) fn error(web: &Web, e: &ClinicalError) -> Response {
    let (status, title) = match e {
        ClinicalError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found-title"),
        ClinicalError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden-title"),
        _ => (StatusCode::CONFLICT, "labs-error-title"),
    };
    super::error_page(
        web.lang,
        status,
        &t(web.lang, title),
        &t(web.lang, "labs-error-message"),
    )
}

/// A field error in the user's language (the English message is the fallback's source).
pub(crate) fn translate(
    web: &Web,
    e: &cartella_core::clinical::ClinicalFieldError,
    unit: &str,
) -> String {
    let key = format!("labs-err-{}", e.code.replace('_', "-"));
    let text = forms::t_args(web.lang, &key, &[("unit", unit.to_owned())]);
    if text == key { e.message.clone() } else { text }
}

/// The patient's lab orders and reports.
pub async fn index(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let lang = term_lang(&web);
    let (list, reports) = match (
        orders::list(&state.store, &web.ctx, &id).await,
        reads::reports(&state.store, &web.ctx, &id, lang).await,
    ) {
        (Ok(o), Ok(r)) => (o, r),
        (Err(e), _) | (_, Err(e)) => return error(&web, &e),
    };
    let pending: Vec<_> = list
        .into_iter()
        .filter(|o| o["status"] == "active")
        .collect();
    html(
        StatusCode::OK,
        "labs/index.html",
        web.page(context! { current_tab => "clinical", pending, reports, ..head.context }),
    )
}

async fn render_order(
    state: &AppState,
    web: &Web,
    id: &str,
    chosen: &[String],
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let head = match header(state, web, id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let catalogue = catalog::list(term_lang(web));
    html(
        status,
        "labs/order.html",
        web.page(context! { current_tab => "clinical", catalogue, chosen, errors, ..head.context }),
    )
}

pub async fn order_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Response {
    render_order(&state, &web, &id, &[], &FieldErrors::new(), StatusCode::OK).await
}

pub async fn place_order(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let tests: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "test")
        .map(|(_, v)| v.clone())
        .collect();
    let input = OrderInput {
        tests: tests.clone(),
        priority: Some(get(&pairs, "priority").to_owned()),
        encounter: Some(get(&pairs, "encounter").to_owned()),
        note: Some(get(&pairs, "note").to_owned()),
    };
    match orders::order(&state.store, &web.ctx, &id, &input).await {
        Ok(_) => Redirect::to(&format!("/patients/{id}/labs")).into_response(),
        Err(ClinicalError::Validation(list)) => {
            let errors: FieldErrors = list
                .iter()
                .map(|e| (e.field.clone(), translate(&web, e, "")))
                .collect();
            render_order(
                &state,
                &web,
                &id,
                &tests,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error(&web, &e),
    }
}

pub async fn report(
    State(state): State<AppState>,
    web: Web,
    Path((id, rid)): Path<(String, String)>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    match reads::report_in(&state.store, &web.ctx, &rid, term_lang(&web)).await {
        Ok(r) if r["patient"] == id.as_str() => html(
            StatusCode::OK,
            "labs/report.html",
            web.page(context! { current_tab => "clinical", report => r, ..head.context }),
        ),
        Ok(_) => error(&web, &ClinicalError::NotFound("lab report")),
        Err(e) => error(&web, &e),
    }
}

pub async fn trend(
    State(state): State<AppState>,
    web: Web,
    Path((id, code)): Path<(String, String)>,
) -> Response {
    let head = match header(&state, &web, &id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    match reads::trend(&state.store, &web.ctx, &id, &code, term_lang(&web)).await {
        Ok(tr) => html(
            StatusCode::OK,
            "labs/trend.html",
            web.page(context! { current_tab => "clinical", trend => tr, ..head.context }),
        ),
        Err(ClinicalError::Validation(_)) => error(&web, &ClinicalError::NotFound("lab test")),
        Err(e) => error(&web, &e),
    }
}

/// The signed-in user's critical results (of the orders they placed).
pub async fn critical(State(state): State<AppState>, web: Web) -> Response {
    match reads::critical_for_me(&state.store, &web.ctx, term_lang(&web)).await {
        Ok(rows) => html(
            StatusCode::OK,
            "labs/critical.html",
            web.page(context! { rows }),
        ),
        Err(e) => error(&web, &e),
    }
}
