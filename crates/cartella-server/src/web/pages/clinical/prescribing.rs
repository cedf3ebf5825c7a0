//! Prescriptions: the current list (with stop) and the form (drug, dose, unit, route,
//! frequency, duration, instructions). When the service answers with prescribing alerts
//! (allergy, cross-reactivity, interaction) the form comes back with each alert (severity,
//! message in the user's language, source) and a "prescribe anyway" button that needs an
//! override reason; the override is audited by the service (DetectedIssue).

use super::{Page, failure, field_errors, frame, number};
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::prescriptions as svc;
use crate::web::forms::{self, FieldErrors, t};
use crate::web::pages::patients::{Pairs, get};
use crate::web::render::html;
use crate::web::session::Web;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cartella_core::clinical::inputs::{PrescriptionInput, ROUTES};
use cartella_terminology::{Alert, Lang as TermLang};
use minijinja::{Value, context};

fn opt(pairs: &Pairs, name: &str) -> Option<String> {
    Some(get(pairs, name).trim().to_owned()).filter(|s| !s.is_empty())
}

const FORM_FIELDS: [&str; 8] = [
    "drug",
    "dose",
    "dose_unit",
    "route",
    "frequency",
    "duration_days",
    "instructions",
    "override_reason",
];

async fn page(
    state: &AppState,
    web: &Web,
    id: &str,
    status: StatusCode,
    (values, errors, alerts): (&Pairs, FieldErrors, &[Alert]),
    notice: String,
) -> Page {
    let base = frame(state, web, id, "prescriptions").await?;
    let list: Vec<Value> = svc::active(&state.store, &web.ctx, id)
        .await
        .map_err(|e| failure(web.lang, &e))?
        .iter()
        .map(Value::from_serialize)
        .collect();
    let lang = TermLang::from_tag(web.lang.code());
    let alerts: Vec<Value> = alerts
        .iter()
        .map(|a| {
            context! {
                severity => format!("{:?}", a.severity).to_lowercase(),
                message => a.message.get(lang), source => &a.source, trigger => &a.trigger,
            }
        })
        .collect();
    let form: std::collections::BTreeMap<&str, &str> =
        FORM_FIELDS.iter().map(|f| (*f, get(values, f))).collect();
    let message =
        (!errors.is_empty() && alerts.is_empty()).then(|| t(web.lang, "error-check-fields"));
    Ok(html(
        status,
        "clinical/prescriptions.html",
        web.page(context! {
            list, errors, message, notice, alerts, form, routes => ROUTES,
            can_write => super::may_write(web, "MedicationRequest"), ..base
        }),
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let notice = match q.notice.as_str() {
        "added" => t(web.lang, "clin-prescription-added"),
        "overridden" => t(web.lang, "clin-prescription-overridden"),
        "stopped" => t(web.lang, "clin-prescription-stopped"),
        _ => String::new(),
    };
    page(
        &state,
        &web,
        &id,
        StatusCode::OK,
        (&vec![], FieldErrors::new(), &[]),
        notice,
    )
    .await
    .unwrap_or_else(|r| r)
}

pub async fn prescribe(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    let mut local = FieldErrors::new();
    let dose = match number(get(&pairs, "dose")) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(())) => {
            local.insert("dose".into(), t(web.lang, "clin-err-not-a-number"));
            None
        }
    };
    let duration_days = match get(&pairs, "duration_days").trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                local.insert("duration_days".into(), t(web.lang, "clin-err-whole-number"));
                None
            }
        },
    };
    let overriding = get(&pairs, "action") == "override";
    let input = PrescriptionInput {
        drug: opt(&pairs, "drug"),
        dose,
        dose_unit: opt(&pairs, "dose_unit"),
        route: opt(&pairs, "route"),
        frequency: opt(&pairs, "frequency"),
        duration_days,
        instructions: opt(&pairs, "instructions"),
        encounter: None,
        override_reason: if overriding {
            opt(&pairs, "override_reason")
        } else {
            None
        },
    };
    let (state_ref, web_ref, id_ref, pairs_ref) = (&state, &web, id.as_str(), &pairs);
    if overriding && input.override_reason.is_none() {
        local.insert(
            "override_reason".into(),
            t(web.lang, "clin-override-reason-required"),
        );
    }
    let refuse = |errors: FieldErrors, alerts: Vec<Alert>| async move {
        let status = if alerts.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        };
        page(
            state_ref,
            web_ref,
            id_ref,
            status,
            (pairs_ref, errors, &alerts),
            String::new(),
        )
        .await
        .unwrap_or_else(|r| r)
    };
    if !local.is_empty() {
        // Report the rest of the form too, without saving anything.
        let (_, p) = input.check();
        let mut errors = field_errors(web.lang, &p.0);
        errors.extend(local);
        // An override without a reason: show the alerts again beside the reason field.
        let alerts = if overriding && errors.len() == 1 && errors.contains_key("override_reason") {
            alerts_for(&state, &web, &id, &input).await
        } else {
            vec![]
        };
        return refuse(errors, alerts).await;
    }
    match svc::prescribe(&state.store, &web.ctx, &id, &input).await {
        Ok(out) => {
            let notice = if out.overridden.is_empty() {
                "added"
            } else {
                "overridden"
            };
            Redirect::to(&format!(
                "/patients/{id}/clinical/prescriptions?notice={notice}"
            ))
            .into_response()
        }
        Err(ClinicalError::Alerts(alerts)) => refuse(FieldErrors::new(), alerts).await,
        Err(ClinicalError::Validation(errs)) => refuse(field_errors(web.lang, &errs), vec![]).await,
        Err(e) => failure(web.lang, &e),
    }
}

/// The alerts the prescription would raise, by the same rule table the service checks with
/// (read-only: nothing is written here).
async fn alerts_for(
    state: &AppState,
    web: &Web,
    id: &str,
    input: &PrescriptionInput,
) -> Vec<Alert> {
    let Some(drug) = input.drug.as_deref() else {
        return vec![];
    };
    let (allergies, meds) = tokio::join!(
        crate::clinical::records::active_allergies(&state.store, &web.ctx, id),
        svc::active(&state.store, &web.ctx, id),
    );
    let (allergies, meds) = (allergies.unwrap_or_default(), meds.unwrap_or_default());
    let a: Vec<&str> = allergies
        .iter()
        .filter_map(|a| a["substance"].as_str())
        .collect();
    let m: Vec<&str> = meds.iter().filter_map(|m| m["drug"].as_str()).collect();
    cartella_terminology::Rules::builtin().check_prescription(drug, &a, &m)
}

pub async fn stop(
    State(state): State<AppState>,
    web: Web,
    Path((id, rx)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> Response {
    if !web.csrf_ok(Some(get(&pairs, "_csrf"))) {
        return forms::csrf_refused(web.lang);
    }
    if let Err(r) = frame(&state, &web, &id, "prescriptions").await {
        return r;
    }
    let mine = svc::active(&state.store, &web.ctx, &id)
        .await
        .map(|l| l.iter().any(|m| m["id"] == rx.as_str()));
    match mine {
        Ok(true) => {}
        Ok(false) => return failure(web.lang, &ClinicalError::NotFound("prescription")),
        Err(e) => return failure(web.lang, &e),
    }
    match svc::stop(&state.store, &web.ctx, &rx).await {
        Ok(_) => Redirect::to(&format!(
            "/patients/{id}/clinical/prescriptions?notice=stopped"
        ))
        .into_response(),
        Err(e) => failure(web.lang, &e),
    }
}
