//! Result entry for one order: a row per reported test (value, unit, the lab's own range),
//! every problem shown next to its field in the user's language, nothing saved until all of
//! it is valid.

use super::super::super::forms::{self, FieldErrors};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::super::chart::header;
use super::super::patients::{Pairs, get};
use super::{error, term_lang, translate};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::labs::{catalog, orders, results};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::labs::{ResultInput, ResultsInput};
use minijinja::context;
use serde_json::{Value, json};

async fn render(
    state: &AppState,
    web: &Web,
    (id, oid): (&str, &str),
    typed: &Pairs,
    errors: &FieldErrors,
    status: StatusCode,
) -> Response {
    let head = match header(state, web, id).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let order = match orders::get(&state.store, &web.ctx, oid).await {
        Ok((_, sr)) if crate::exams::support::patient_of(&sr) == Some(id) => orders::view(&sr),
        Ok(_) => return error(web, &ClinicalError::NotFound("lab order")),
        Err(e) => return error(web, &e),
    };
    let lang = term_lang(web);
    let rows: Vec<Value> = catalog::reported_tests(order["code"].as_str().unwrap_or_default())
        .iter()
        .map(|t| {
            let f = |p: &str| get(typed, &format!("{p}.{}", t.code)).to_owned();
            let e = |p: &str| errors.get(&format!("results.{}.{p}", t.code)).cloned();
            json!({
                "code": t.code, "display": t.display_in(lang), "unit": t.unit,
                "qualitative": t.unit.is_none(),
                "value": f("v"), "typed_unit": f("u"), "low": f("lo"), "high": f("hi"),
                "error": e("value").or(e("unit")).or(e("low")).or(e("high")),
            })
        })
        .collect();
    html(
        status,
        "labs/results.html",
        web.page(context! {
            current_tab => "clinical", order, rows, errors,
            effective => get(typed, "effective"), conclusion => get(typed, "conclusion"),
            ..head.context
        }),
    )
}

pub async fn results_form(
    State(state): State<AppState>,
    web: Web,
    Path((id, oid)): Path<(String, String)>,
) -> Response {
    render(
        &state,
        &web,
        (&id, &oid),
        &Pairs::new(),
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn submit_results(
    State(state): State<AppState>,
    web: Web,
    Path((id, oid)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let opt = |k: &str| Some(get(&pairs, k).to_owned()).filter(|v| !v.trim().is_empty());
    let results: Vec<ResultInput> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("v.")?, v)))
        .map(|(code, v)| ResultInput {
            code: code.to_owned(),
            value: json!(v),
            unit: opt(&format!("u.{code}")),
            low: opt(&format!("lo.{code}")).map(Value::from),
            high: opt(&format!("hi.{code}")).map(Value::from),
            note: None,
        })
        .collect();
    let input = ResultsInput {
        effective: opt("effective"),
        conclusion: opt("conclusion"),
        results,
    };
    match results::record(&state.store, &web.ctx, &oid, &input).await {
        Ok(r) => {
            let rid = r["id"].as_str().unwrap_or_default();
            Redirect::to(&format!("/patients/{id}/labs/reports/{rid}")).into_response()
        }
        Err(ClinicalError::Validation(list)) => {
            let errors: FieldErrors = list
                .iter()
                .map(|e| {
                    let code = e.field.split('.').nth(1).unwrap_or_default();
                    let unit = cartella_terminology::loinc::get(code)
                        .and_then(|t| t.unit)
                        .unwrap_or("");
                    (e.field.clone(), translate(&web, e, unit))
                })
                .collect();
            render(
                &state,
                &web,
                (&id, &oid),
                &pairs,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error(&web, &e),
    }
}
