//! The audit view (administrators): the practice's audit events with filters, a patient's
//! access report ("who accessed this record", for GDPR requests), and both as CSV.

use super::super::format;
use super::super::forms::t;
use super::super::render::html;
use super::super::session::{Web, url_encode};
use super::patients::not_found_or;
use crate::AppState;
use crate::patients::PatientError;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cartella_store::{AuditFilter, AuditRow};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const PAGE: usize = 100;
/// The most rows one CSV export holds (an export of more is narrowed by date).
const CSV_MAX: usize = 50_000;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default, rename = "type")]
    rtype: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    patient: String,
    #[serde(default)]
    before: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Start of a local day in the practice's zone, in µs.
fn day_start(web: &Web, raw: &str, plus_days: i64) -> Result<Option<i64>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let d = format::parse_date(raw).ok_or(())?;
    let d = d
        .checked_add(jiff::Span::new().days(plus_days))
        .map_err(|_| ())?;
    let z = d
        .to_zoned_datetime(format::zone(&web.settings.time_zone))
        .map_err(|_| ())?;
    Ok(Some(z.timestamp().as_microsecond()))
}

fn filter_of(web: &Web, q: &AuditQuery) -> Result<AuditFilter, String> {
    let bad = |_| t(web.lang, "field-error-invalid-date");
    Ok(AuditFilter {
        actor: opt(&q.actor),
        action: opt(&q.action),
        resource_type: opt(&q.rtype),
        patient_id: opt(&q.patient),
        outcome: opt(&q.outcome),
        from_at: day_start(web, &q.from, 0).map_err(bad)?,
        // The "to" day is included: stop at the start of the next day.
        to_at: day_start(web, &q.to, 1).map_err(bad)?,
    })
}

async fn names(state: &AppState, web: &Web) -> HashMap<String, String> {
    state
        .auth
        .backend()
        .members(&web.ctx.tenant)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(u, _)| (u.id, u.display_name))
        .collect()
}

fn actor_name(names: &HashMap<String, String>, actor: &str) -> String {
    names
        .get(actor)
        .cloned()
        .unwrap_or_else(|| actor.to_owned())
}

fn when(row: &AuditRow) -> String {
    jiff::Timestamp::from_microsecond(row.at)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn resource(row: &AuditRow) -> String {
    match (&row.resource_type, &row.resource_id) {
        (Some(t), Some(i)) => format!("{t}/{i}"),
        (Some(t), None) => t.clone(),
        _ => String::new(),
    }
}

fn forbidden(web: &Web) -> Response {
    not_found_or(web, &PatientError::Forbidden(String::new()))
}

pub async fn view(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<AuditQuery>,
) -> Response {
    if !web.is_admin() {
        return forbidden(&web);
    }
    let names = names(&state, &web).await;
    let mut staff: Vec<Value> = names
        .iter()
        .map(|(id, name)| context! { id, name })
        .collect();
    staff.sort_by_key(|v| {
        v.get_attr("name")
            .map(|n| n.to_string())
            .unwrap_or_default()
    });
    let filter = match filter_of(&web, &q) {
        Ok(f) => f,
        Err(error) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/audit.html",
                web.page(context! { error, filter => &q, staff, events => Vec::<Value>::new() }),
            );
        }
    };
    let before = q.before.parse::<i64>().ok();
    let rows = match state
        .store
        .audit_events(&web.ctx, &filter, before, PAGE)
        .await
    {
        Ok(r) => r,
        Err(_) => return forbidden(&web),
    };
    let events: Vec<Value> = rows
        .iter()
        .map(|r| context! {
            at => when(r), actor => actor_name(&names, &r.actor), role => &r.role, action => &r.action,
            resource => resource(r), outcome => &r.outcome, ip => &r.client_ip,
        })
        .collect();
    let qs = |before: Option<i64>| {
        let mut s = format!(
            "actor={}&action={}&type={}&outcome={}&from={}&to={}&patient={}",
            url_encode(&q.actor),
            url_encode(&q.action),
            url_encode(&q.rtype),
            url_encode(&q.outcome),
            url_encode(&q.from),
            url_encode(&q.to),
            url_encode(&q.patient)
        );
        if let Some(b) = before {
            s.push_str(&format!("&before={b}"));
        }
        s
    };
    let next_url =
        (rows.len() == PAGE).then(|| format!("/admin/audit?{}", qs(rows.last().map(|r| r.seq))));
    let patient_name = if q.patient.is_empty() {
        None
    } else {
        crate::patients::get(&state.store, &web.ctx, &q.patient)
            .await
            .ok()
            .map(|p| p.summary.display_name)
    };
    html(
        StatusCode::OK,
        "admin/audit.html",
        web.page(context! {
            events, staff, filter => &q, next_url, csv_url => format!("/admin/audit.csv?{}", qs(None)),
            patient => patient_name, patient_id => &q.patient,
        }),
    )
}

/// CSV field quoting (RFC 4180), and no formula injection when opened in a spreadsheet.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub async fn csv(State(state): State<AppState>, web: Web, Query(q): Query<AuditQuery>) -> Response {
    if !web.is_admin() {
        return forbidden(&web);
    }
    let Ok(filter) = filter_of(&web, &q) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            t(web.lang, "field-error-invalid-date"),
        )
            .into_response();
    };
    let names = names(&state, &web).await;
    let mut out = String::from(
        "time,actor,actor_id,role,action,resource,patient,outcome,client_ip,purpose\r\n",
    );
    let mut before = None;
    let mut written = 0;
    while written < CSV_MAX {
        let rows = match state
            .store
            .audit_events(&web.ctx, &filter, before, 1_000)
            .await
        {
            Ok(r) => r,
            Err(_) => return forbidden(&web),
        };
        for r in &rows {
            let fields = [
                when(r),
                actor_name(&names, &r.actor),
                r.actor.clone(),
                r.role.clone(),
                r.action.clone(),
                resource(r),
                r.patient_id.clone().unwrap_or_default(),
                r.outcome.clone(),
                r.client_ip.clone().unwrap_or_default(),
                r.purpose.clone().unwrap_or_default(),
            ];
            out.push_str(
                &fields
                    .iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        written += rows.len();
        match rows.last() {
            Some(last) if rows.len() == 1_000 => before = Some(last.seq),
            _ => break,
        }
    }
    let name = if q.patient.is_empty() {
        "audit.csv".to_owned()
    } else {
        format!(
            "access-report-{}.csv",
            q.patient
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        )
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
