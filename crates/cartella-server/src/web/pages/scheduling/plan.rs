//! Planning pages on top of the planning service: book a therapy series in one step (booked
//! sessions, and the dates that could not be placed with their alternatives), and optimise a
//! theatre's or practitioner's day (before/after, applied on accept).

use super::booking::{load_model, type_options};
use super::{name_of, names};
use crate::AppState;
use crate::scheduling::resources::Model;
use crate::scheduling::{optimise, series, waitlist};
use crate::web::forms;
use crate::web::pages::patients::{Pairs, get};
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

/// The planning model, the resources' display names, and the resources as select options.
async fn choices(
    state: &AppState,
    web: &Web,
) -> Result<(Model, Vec<(String, String)>, Vec<Value>), Response> {
    let model = load_model(state, web).await?;
    let names = names(state, web).await;
    let resources = model
        .calendars
        .iter()
        .map(|c| context! { actor => &c.actor, name => name_of(&names, &c.actor) })
        .collect();
    Ok((model, names, resources))
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn all(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

async fn series_page(
    state: &AppState,
    web: &Web,
    status: StatusCode,
    form: &Pairs,
    result: Value,
    message: String,
) -> Response {
    let (model, _, resources) = match choices(state, web).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let types = type_options(state, web, &model).await;
    let chosen = all(form, "weekdays");
    let form_ctx = context! {
        patient => get(form, "patient"), type => get(form, "type"), count => get(form, "count"),
        time => get(form, "time"), from => get(form, "from"), preferred => get(form, "preferred"), weekdays => chosen,
    };
    html(
        status,
        "scheduling/series.html",
        web.page(
            context! { form => form_ctx, types, resources, weekdays => WEEKDAYS, result, message },
        ),
    )
}

pub async fn series_form(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<Pairs>,
) -> Response {
    series_page(
        &state,
        &web,
        StatusCode::OK,
        &q,
        Value::UNDEFINED,
        String::new(),
    )
    .await
}

pub async fn series_submit(
    State(state): State<AppState>,
    web: Web,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let patient = get(&pairs, "patient")
        .trim()
        .trim_start_matches("Patient/")
        .to_owned();
    let body = series::SeriesBody {
        kind: get(&pairs, "type").to_owned(),
        patient: format!("Patient/{patient}"),
        count: get(&pairs, "count").parse().unwrap_or(0),
        weekdays: all(&pairs, "weekdays"),
        time: get(&pairs, "time").to_owned(),
        from: get(&pairs, "from").to_owned(),
        preferred: Some(get(&pairs, "preferred").to_owned())
            .filter(|p| !p.is_empty())
            .into_iter()
            .collect(),
        ..Default::default()
    };
    match series::run(&state, &web.ctx, body).await {
        Ok((_, data)) => {
            series_page(
                &state,
                &web,
                StatusCode::OK,
                &pairs,
                Value::from_serialize(&data),
                String::new(),
            )
            .await
        }
        Err(e) => series_page(&state, &web, e.status, &pairs, Value::UNDEFINED, e.message).await,
    }
}

async fn day_page(
    state: &AppState,
    web: &Web,
    status: StatusCode,
    resource: &str,
    date: &str,
    result: Value,
    message: String,
) -> Response {
    let (_, _, resources) = match choices(state, web).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    html(
        status,
        "scheduling/optimise.html",
        web.page(context! { resources, resource, date, result, message }),
    )
}

pub async fn day_form(State(state): State<AppState>, web: Web, Query(q): Query<Pairs>) -> Response {
    day_page(
        &state,
        &web,
        StatusCode::OK,
        get(&q, "resource"),
        get(&q, "date"),
        Value::UNDEFINED,
        String::new(),
    )
    .await
}

pub async fn day_submit(
    State(state): State<AppState>,
    web: Web,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let (resource, date) = (get(&pairs, "resource"), get(&pairs, "date"));
    let body = optimise::Body {
        resource: resource.to_owned(),
        date: date.to_owned(),
        apply: get(&pairs, "apply") == "1",
    };
    match optimise::run(&state, &web.ctx, body).await {
        Ok(data) => {
            day_page(
                &state,
                &web,
                StatusCode::OK,
                resource,
                date,
                Value::from_serialize(&data),
                String::new(),
            )
            .await
        }
        Err(e) => {
            day_page(
                &state,
                &web,
                e.status,
                resource,
                date,
                Value::UNDEFINED,
                e.message,
            )
            .await
        }
    }
}

async fn waitlist_page(
    state: &AppState,
    web: &Web,
    status: StatusCode,
    form: &Pairs,
    message: String,
) -> Response {
    let (model, names, resources) = match choices(state, web).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let types = type_options(state, web, &model).await;
    let entries: Vec<Value> = waitlist::waiting(state, &web.ctx)
        .await
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let patient = e["patient"].as_str().unwrap_or("").trim_start_matches("Patient/").to_owned();
            let preferred: Vec<String> = e["preferred"].as_array().into_iter().flatten().filter_map(|p| p.as_str()).map(|p| name_of(&names, p)).collect();
            context! { patient, kind => e["type"].as_str(), from => e["from"].as_str(), to => e["to"].as_str(), preferred }
        })
        .collect();
    let form_ctx = context! { patient => get(form, "patient"), type => get(form, "type"), from => get(form, "from"), to => get(form, "to"), preferred => get(form, "preferred"), note => get(form, "note") };
    html(
        status,
        "scheduling/waitlist.html",
        web.page(context! { form => form_ctx, types, resources, entries, message }),
    )
}

pub async fn waitlist_form(State(state): State<AppState>, web: Web) -> Response {
    waitlist_page(&state, &web, StatusCode::OK, &Pairs::new(), String::new()).await
}

pub async fn waitlist_submit(
    State(state): State<AppState>,
    web: Web,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let opt = |k: &str| Some(get(&pairs, k).trim().to_owned()).filter(|v| !v.is_empty());
    let patient = get(&pairs, "patient")
        .trim()
        .trim_start_matches("Patient/")
        .to_owned();
    let body = waitlist::EntryBody {
        patient: format!("Patient/{patient}"),
        kind: get(&pairs, "type").to_owned(),
        from: opt("from"),
        to: opt("to"),
        preferred: opt("preferred").into_iter().collect(),
        note: opt("note"),
    };
    match waitlist::put(&state, &web.ctx, body).await {
        Ok(_) => waitlist_page(&state, &web, StatusCode::OK, &Pairs::new(), String::new()).await,
        Err(e) => waitlist_page(&state, &web, e.status, &pairs, e.message).await,
    }
}
