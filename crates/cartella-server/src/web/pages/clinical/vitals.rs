//! The nurses' vitals form: one set at once (BP systolic/diastolic side by side, pain 0–10),
//! large touch fields with decimal keypads, units shown; per-field translated errors with the
//! typed values kept; after saving, the alerts the set raised (out of range for age, sharp
//! change) shown first. Acknowledging an alert (a Flag) from the chart header lives here too.

use super::{Page, failure, field_errors, frame, number, unit_label};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::vitals::{self as svc, Recorded, alerts::VitalAlert};
use crate::web::format;
use crate::web::forms::{self, FieldErrors, t, t_args};
use crate::web::i18n::Lang;
use crate::web::pages::patients::{Pairs, get};
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::clinical::time;
use cartella_core::clinical::vitals::{VitalKind, VitalsInput};
use cartella_terminology::loinc::{self, AgeGroup};
use jiff::tz::TimeZone;
use minijinja::{Value, context};
use serde_json::{Value as Json, json};

/// The form's fields, in the order a nurse measures (BMI is computed, never typed).
pub const FIELDS: [VitalKind; 9] = [
    VitalKind::Systolic,
    VitalKind::Diastolic,
    VitalKind::HeartRate,
    VitalKind::RespiratoryRate,
    VitalKind::Temperature,
    VitalKind::Spo2,
    VitalKind::Weight,
    VitalKind::Height,
    VitalKind::Pain,
];

fn fields(values: &Pairs) -> Vec<Value> {
    FIELDS
        .iter()
        .map(|k| {
            context! {
                name => k.field(), unit => unit_label(k.unit()),
                value => get(values, k.field()),
                integer => matches!(k, VitalKind::Pain),
            }
        })
        .collect()
}

async fn page(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    values: &Pairs,
    errors: FieldErrors,
    saved: Option<(&Recorded, AgeGroup)>,
) -> Page {
    let base = frame(state, web, id, "vitals").await?;
    let tz = format::zone(&web.settings.time_zone);
    let (alerts, values_saved) = match saved {
        Some((r, group)) => (
            r.alerts
                .iter()
                .map(|a| context! { text => alert_text(web.lang, &tz, a, group), critical => a.critical, kind => a.kind })
                .collect::<Vec<_>>(),
            r.values
                .iter()
                .map(|v| context! { field => v.field, value => format::decimal(web.lang, v.value, if v.value.fract() == 0.0 { 0 } else { 1 }), unit => unit_label(v.unit), flag => v.flag.filter(|f| *f != "N") })
                .collect::<Vec<_>>(),
        ),
        None => (vec![], vec![]),
    };
    let message = if errors.is_empty() {
        String::new()
    } else {
        t(web.lang, "error-check-fields")
    };
    let charts: Vec<Value> = super::charts::PARAMS
        .iter()
        .map(|k| context! { field => k.field() })
        .collect();
    Ok(html(
        status,
        "clinical/vitals.html",
        web.page(context! {
            fields => fields(values), errors, message, saved => saved.is_some(),
            recorded_alerts => alerts, values_saved, charts,
            can_write => super::may_write(web, "Observation"), ..base
        }),
    ))
}

pub async fn form(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Response {
    page(
        &state,
        &web,
        &id,
        StatusCode::OK,
        &vec![],
        FieldErrors::new(),
        None,
    )
    .await
    .unwrap_or_else(|r| r)
}

/// The form as the service's input: numbers as numbers (either decimal separator); anything
/// else is passed on as text, so the service refuses it with its field and nothing is saved.
fn input_from(pairs: &Pairs) -> VitalsInput {
    let mut input = VitalsInput::default();
    for k in FIELDS {
        let raw = get(pairs, k.field());
        match number(raw) {
            None => {}
            Some(Ok(v)) => {
                input.values.insert(k.field().into(), json!(v));
            }
            Some(Err(())) => {
                input
                    .values
                    .insert(k.field().into(), Json::String(raw.into()));
            }
        }
    }
    input
}

fn group_of(base_birth: Option<jiff::civil::Date>) -> AgeGroup {
    base_birth
        .and_then(|b| time::age_days(b, jiff::Timestamp::now()))
        .map_or(AgeGroup::Adult, AgeGroup::from_age_days)
}

pub async fn record(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let input = input_from(&pairs);
    let result = svc::record(&state.store, &web.ctx, &id, &input).await;
    let out = match result {
        Ok(rec) => {
            let birth = crate::patients::get(&state.store, &web.ctx, &id)
                .await
                .ok()
                .and_then(|r| format::parse_date(&r.summary.birth_date));
            page(
                &state,
                &web,
                &id,
                StatusCode::OK,
                &vec![],
                FieldErrors::new(),
                Some((&rec, group_of(birth))),
            )
            .await
        }
        Err(ClinicalError::Validation(errs)) => {
            let mut errors = field_errors(web.lang, &errs);
            // "Enter at least one vital sign" belongs to the whole form: show it on the first field.
            if errors.remove("values").is_some() {
                errors.insert(
                    VitalKind::Systolic.field().into(),
                    t(web.lang, "clin-vitals-empty"),
                );
            }
            page(
                &state,
                &web,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                &pairs,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(failure(web.lang, &e)),
    };
    out.unwrap_or_else(|r| r)
}

/// An alert in the page's language, from its structured parts (the stored message is English).
pub fn alert_text(lang: Lang, tz: &TimeZone, a: &VitalAlert, group: AgeGroup) -> String {
    let name = t(lang, &format!("vital-{}", a.field));
    let num = |v: f64| format::decimal(lang, v, if v.fract() == 0.0 { 0 } else { 1 });
    let unit = unit_label(a.unit).to_owned();
    match &a.change {
        Some(c) => t_args(
            lang,
            "clin-alert-sharp-change-text",
            &[
                ("name", name),
                (
                    "delta",
                    format!("{}{}", if c.delta > 0.0 { "+" } else { "" }, num(c.delta)),
                ),
                ("unit", unit),
                (
                    "since",
                    c.previous_at
                        .parse::<jiff::Timestamp>()
                        .map(|p| format::datetime(lang, tz, p))
                        .unwrap_or_default(),
                ),
                ("days", c.window_days.to_string()),
            ],
        ),
        None => {
            let range = loinc::get(a.code).and_then(|term| term.range_for(group));
            let bound = |b: Option<f64>| b.map_or("…".to_owned(), num);
            let key = match (a.flag, a.critical) {
                (Some("L" | "LL"), true) => "clin-alert-critical-low-text",
                (Some("L" | "LL"), false) => "clin-alert-low-text",
                (_, true) => "clin-alert-critical-high-text",
                _ => "clin-alert-high-text",
            };
            t_args(
                lang,
                key,
                &[
                    ("name", name),
                    ("value", num(a.value)),
                    ("unit", unit),
                    ("low", bound(range.and_then(|r| r.low))),
                    ("high", bound(range.and_then(|r| r.high))),
                ],
            )
        }
    }
}

/// Acknowledge an active alert (the Flag becomes inactive, a new version) and go back.
pub async fn acknowledge(
    State(state): State<AppState>,
    web: Web,
    Path((id, flag)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    if let Err(r) = frame(&state, &web, &id, "vitals").await {
        return r;
    }
    // The Flag must be this patient's: a crafted id of another chart is "not found".
    match crate::clinical::vitals::active_alerts(&state.store, &web.ctx, &id).await {
        Ok(list) if list.iter().any(|f| f["id"] == flag.as_str()) => {}
        Ok(_) => return failure(web.lang, &ClinicalError::NotFound("alert")),
        Err(e) => return failure(web.lang, &e),
    }
    match svc::acknowledge(&state.store, &web.ctx, &flag).await {
        Ok(_) => {
            let back = forms::safe_next(get(&pairs, "back"));
            let back = if back == "/" {
                format!("/patients/{id}/clinical")
            } else {
                back.to_owned()
            };
            Redirect::to(&back).into_response()
        }
        Err(e) => failure(web.lang, &e),
    }
}
