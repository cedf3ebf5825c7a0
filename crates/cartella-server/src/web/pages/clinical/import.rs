//! The device readings import page: paste a device's CSV export; every bad row is listed with
//! its number and nothing is saved until all rows are good.

use super::{failure, forbidden, frame, may_write};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::vitals::import;
use crate::web::forms;
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

pub async fn form(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    match frame(&state, &web, &id, "vitals").await {
        Ok(f) => html(
            StatusCode::OK,
            "clinical/device_import.html",
            web.page(context! { csv => "", ..f }),
        ),
        Err(r) => r,
    }
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
    #[serde(default)]
    _csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(f): Form<ImportForm>,
) -> Response {
    if !web.csrf_ok(Some(&f._csrf)) {
        return forms::csrf_refused(web.lang);
    }
    if !may_write(&web, "Observation") {
        return forbidden(web.lang);
    }
    let frame_ctx = match frame(&state, &web, &id, "vitals").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (rows, problems) = import::parse_csv(&f.csv);
    match import::import(&state.store, &web.ctx, &id, rows, problems).await {
        Ok(done) => html(
            StatusCode::OK,
            "clinical/device_import.html",
            web.page(context! { csv => "", done => Value::from_serialize(&done), ..frame_ctx }),
        ),
        Err(ClinicalError::Validation(list)) => {
            let problems: Vec<Value> = list
                .iter()
                .map(|p| context! { field => &p.field, message => &p.message })
                .collect();
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                "clinical/device_import.html",
                web.page(context! { csv => f.csv, problems, ..frame_ctx }),
            )
        }
        Err(e) => failure(web.lang, &e),
    }
}
