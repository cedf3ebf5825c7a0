//! The clinical record's pages in the patient chart: the overview tab, the nurses' vitals form
//! and the vitals charts, visits with SOAP notes and amendments, the problem list with the
//! ICD-10 search, allergies and prescriptions with their alerts. Pages call the services of
//! [`crate::clinical`] directly (no HTTP in between); this module holds what they share: the
//! chart frame (header, active alerts, area tabs), the read check that gives roles without
//! clinical access a 403 page, and the translation of the services' errors.

pub mod charts;
pub mod import;
pub mod overview;
pub mod prescribing;
pub mod records;
mod svg;
pub mod visits;
pub mod vitals;

use super::super::forms::{FieldErrors, t};
use super::super::i18n::Lang;
use super::super::render::locales;
use super::super::session::Web;
use super::chart;
use crate::AppState;
use crate::clinical::ClinicalError;
use crate::clinical::vitals as vitals_svc;
use axum::http::StatusCode;
use axum::response::Response;
use cartella_core::access::{Action, Decision};
use cartella_core::clinical::ClinicalFieldError;
use minijinja::{Value, context};

/// Templates of the clinical pages (under `templates/clinical/`).
pub const TEMPLATES: &[(&str, &str)] = crate::templates![
    "clinical/layout.html",
    "clinical/overview.html",
    "clinical/vitals.html",
    "clinical/chart.html",
    "clinical/visits.html",
    "clinical/visit.html",
    "clinical/diagnoses.html",
    "clinical/icd10.html",
    "clinical/allergies.html",
    "clinical/prescriptions.html",
    "clinical/device_import.html",
];

/// The areas of the clinical tab: key, path under `/patients/{id}`, label.
const AREAS: &[(&str, &str, &str)] = &[
    ("overview", "/clinical", "clin-area-overview"),
    ("vitals", "/clinical/vitals", "clin-area-vitals"),
    ("visits", "/clinical/visits", "clin-area-visits"),
    ("anamnesis", "/anamnesis", "anamnesis-title"),
    ("diagnoses", "/clinical/diagnoses", "clin-area-diagnoses"),
    ("allergies", "/clinical/allergies", "clin-area-allergies"),
    (
        "prescriptions",
        "/clinical/prescriptions",
        "clin-area-prescriptions",
    ),
    ("labs", "/labs", "labs-title"),
];

/// A page answer: the page, or the error page chosen instead.
pub type Page = Result<Response, Response>;

/// The 403 page of a role that may not see clinical content (a secretary).
pub fn forbidden(lang: Lang) -> Response {
    super::error_page(
        lang,
        StatusCode::FORBIDDEN,
        &t(lang, "error-forbidden-title"),
        &t(lang, "clin-forbidden"),
    )
}

/// Roles that may never read the clinical record get the 403 page before any other work; the
/// refusal is audited like the store's own.
async fn ensure_read(state: &AppState, web: &Web) -> Result<(), Response> {
    if web.ctx.principal.decide("Condition", Action::Read) != Decision::Deny {
        return Ok(());
    }
    let _ = state
        .store
        .audit_access(&web.ctx, "read", Some(("Condition", "")), "denied")
        .await;
    Err(forbidden(web.lang))
}

/// Whether the user may write `rtype` (the pages hide forms they could not submit).
pub fn may_write(web: &Web, rtype: &str) -> bool {
    web.ctx.principal.decide(rtype, Action::Write) != Decision::Deny
}

/// The chart frame of every clinical page: patient header, active alerts with their
/// acknowledge buttons, the chart tabs and the clinical areas.
pub async fn frame(state: &AppState, web: &Web, id: &str, area: &str) -> Result<Value, Response> {
    ensure_read(state, web).await?;
    let head = chart::header(state, web, id).await?;
    let alerts: Vec<Value> = vitals_svc::active_alerts(&state.store, &web.ctx, id)
        .await
        .unwrap_or_default()
        .iter()
        .map(Value::from_serialize)
        .collect();
    let areas: Vec<Value> = AREAS
        .iter()
        .map(|(key, path, label)| context! { key, path, label })
        .collect();
    Ok(context! {
        current_tab => "clinical", area, areas, active_alerts => alerts,
        can_ack => may_write(web, "Flag"), back_url => &web.path,
        ..head.context
    })
}

/// Field problems in the page's language: `clin-err-<code>` when translated, else the
/// service's English message (so a new code is never shown as a bare key).
pub fn field_errors(lang: Lang, errors: &[ClinicalFieldError]) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors {
        let key = format!("clin-err-{}", e.code.replace('_', "-"));
        let text = if locales().has(lang, &key) {
            t(lang, &key)
        } else {
            e.message.clone()
        };
        out.entry(e.field.clone()).or_insert(text);
    }
    out
}

/// The error page of a refusal that is not about the form's fields.
pub fn failure(lang: Lang, e: &ClinicalError) -> Response {
    let page = |status, title: &str, msg: &str| {
        super::error_page(lang, status, &t(lang, title), &t(lang, msg))
    };
    match e {
        ClinicalError::Forbidden(_) => forbidden(lang),
        ClinicalError::NotFound(_) => page(
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found",
        ),
        ClinicalError::State(_) => {
            page(StatusCode::CONFLICT, "clin-conflict-title", "clin-conflict")
        }
        ClinicalError::Invalid(_) | ClinicalError::Validation(_) | ClinicalError::Alerts(_) => {
            page(StatusCode::BAD_REQUEST, "error-title", "error-check-fields")
        }
        ClinicalError::Store(err) => {
            tracing::error!(error = %err, "store error behind a clinical page");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-title",
                "error-internal",
            )
        }
    }
}

/// The id of the Patient a clinical resource is about (`subject` or `patient`).
pub fn patient_of(resource: &serde_json::Value) -> Option<&str> {
    ["subject", "patient"].iter().find_map(|f| {
        resource[f]["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Patient/"))
    })
}

/// A number as people type it: `37.5` or `37,5`; `None` when empty.
pub fn number(raw: &str) -> Option<Result<f64, ()>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    Some(
        s.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(()),
    )
}

/// The unit as shown beside a field (UCUM codes are for machines).
pub fn unit_label(ucum: &str) -> &str {
    match ucum {
        "mm[Hg]" => "mmHg",
        "Cel" => "°C",
        "kg/m2" => "kg/m²",
        "{score}" => "0–10",
        u => u,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_accept_both_decimal_separators() {
        assert_eq!(number("37,5"), Some(Ok(37.5)));
        assert_eq!(number(" 120 "), Some(Ok(120.0)));
        assert_eq!(number(""), None);
        assert_eq!(number("abc"), Some(Err(())));
        assert_eq!(number("inf"), Some(Err(())));
    }

    #[test]
    fn field_errors_are_translated_or_fall_back_to_the_message() {
        let errs = vec![
            ClinicalFieldError {
                field: "pain".into(),
                code: "out_of_scale",
                message: "x".into(),
            },
            ClinicalFieldError {
                field: "weight".into(),
                code: "no_such_code",
                message: "English text".into(),
            },
        ];
        let f = field_errors(Lang::It, &errs);
        assert_ne!(f["pain"], "x");
        assert_eq!(f["weight"], "English text");
    }
}
