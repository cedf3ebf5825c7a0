//! Today's queue (secretaries and clinicians): the day's appointments in order with their
//! check-in state, expected → arrived → in room → done (Appointment status `booked` →
//! `arrived` → `checked-in` → `fulfilled`). Every viewer's list refreshes itself when an
//! Appointment changes (SSE → htmx), so the front desk and the rooms see the same queue.

use super::super::super::forms::{self, t};
use super::super::super::render::html;
use super::super::super::session::Web;
use super::{Pairs, entry_ctx, get, store_failure, tz};
use crate::AppState;
use crate::scheduling::views;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::scheduling::Span;
use cartella_core::scheduling::holds_time;
use cartella_core::scheduling::zone::start_of_day;
use minijinja::{Value, context};

/// The queue's states: form value, Appointment status.
pub const STATES: &[(&str, &str)] = &[
    ("expected", "booked"),
    ("arrived", "arrived"),
    ("in-room", "checked-in"),
    ("done", "fulfilled"),
];

fn state_of(status: &str) -> &'static str {
    STATES
        .iter()
        .find(|(_, s)| *s == status)
        .map(|(k, _)| *k)
        .unwrap_or("expected")
}

/// The state after `current` (none after done).
fn next_of(current: &str) -> Option<&'static str> {
    let i = STATES.iter().position(|(k, _)| *k == current)?;
    STATES.get(i + 1).map(|(k, _)| *k)
}

/// Today's appointments that hold time, in order, for the queue and the home page.
pub async fn today(state: &AppState, web: &Web) -> Result<Vec<Value>, cartella_store::StoreError> {
    let tz = tz(web);
    let date = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let span = Span::new(
        start_of_day(&tz, date),
        start_of_day(&tz, date.tomorrow().unwrap_or(date)),
    );
    let names = super::names(state, web).await;
    let list = views::between(&state.store, &web.ctx, span, None).await?;
    Ok(list
        .iter()
        .filter(|e| holds_time(&e.status))
        .map(|e| {
            let current = state_of(&e.status);
            context! { queue_state => current, next => next_of(current), ..entry_ctx(e, &names, &tz) }
        })
        .collect())
}

pub async fn show(State(state): State<AppState>, web: Web) -> Response {
    match today(&state, &web).await {
        Ok(rows) => html(
            StatusCode::OK,
            "scheduling/queue.html",
            web.page(context! { rows }),
        ),
        Err(e) => store_failure(web.lang, &e),
    }
}

/// Move one appointment to a queue state; back to the queue.
pub async fn set(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let Some((_, status)) = STATES.iter().find(|(k, _)| *k == get(&pairs, "state")) else {
        return super::super::error_page(
            web.lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &t(web.lang, "error-check-fields"),
            &t(web.lang, "sched-error-state"),
        );
    };
    let version = get(&pairs, "version").parse().ok();
    match super::appointment::set_status(&state, &web, &id, status, None, version).await {
        Ok(()) => Redirect::to("/queue").into_response(),
        Err(e) => {
            super::super::error_page(web.lang, e.status, &t(web.lang, "sched-queue"), &e.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_visit() {
        assert_eq!(state_of("checked-in"), "in-room");
        assert_eq!(next_of("expected"), Some("arrived"));
        assert_eq!(next_of("done"), None);
    }
}
