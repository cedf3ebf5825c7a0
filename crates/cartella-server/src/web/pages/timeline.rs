//! The patient timeline: every resource of the patient's compartment (as far as the user may
//! read it) and every change of the registry record, dated by its clinical time, newest first.

use super::super::format;
use super::super::forms::t;
use super::super::session::{Web, url_encode};
use crate::AppState;
use cartella_store::HistoryQuery;
use cartella_store::extract::{Kind, rules};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub const PAGE_SIZE: usize = 30;
/// A record this small is read whole (one query) instead of per type.
const SMALL_RECORD: usize = 300;
/// The most entries of one type read for one timeline page (the deepest page reachable).
const MAX_PER_TYPE: usize = 1_000;

#[derive(Deserialize, Serialize, Default)]
pub struct TimelineFilter {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: usize,
    #[serde(default, skip_serializing)]
    pub notice: String,
}

/// Kinds offered by the filter, and the resource types each covers.
const KINDS: &[(&str, &[&str])] = &[
    ("encounter", &["Encounter"]),
    ("observation", &["Observation"]),
    ("condition", &["Condition", "FamilyMemberHistory"]),
    ("allergy", &["AllergyIntolerance"]),
    (
        "medication",
        &[
            "MedicationRequest",
            "MedicationStatement",
            "MedicationAdministration",
        ],
    ),
    ("procedure", &["Procedure"]),
    ("lab", &["DiagnosticReport", "ServiceRequest", "Specimen"]),
    ("questionnaire", &["QuestionnaireResponse"]),
    ("document", &["DocumentReference", "Composition", "Consent"]),
    ("appointment", &["Appointment"]),
    ("immunization", &["Immunization"]),
    ("change", &[]),
];

pub fn kinds() -> Vec<Value> {
    KINDS
        .iter()
        .map(|(k, _)| context! { key => k, label => format!("kind-{k}") })
        .collect()
}

fn kind_of(rtype: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(_, types)| types.contains(&rtype))
        .map(|(k, _)| *k)
        .unwrap_or("other")
}

/// The clinical time of a resource: when it happened, not when it was typed in.
fn when(j: &Json) -> Option<String> {
    const PATHS: &[&[&str]] = &[
        &["effectiveDateTime"],
        &["effectivePeriod", "start"],
        &["period", "start"],
        &["start"],
        &["occurrenceDateTime"],
        &["performedDateTime"],
        &["performedPeriod", "start"],
        &["onsetDateTime"],
        &["authoredOn"],
        &["recordedDate"],
        &["issued"],
        &["date"],
        &["created"],
        &["authored"],
        &["meta", "lastUpdated"],
    ];
    PATHS.iter().find_map(|path| {
        let mut v = j;
        for p in *path {
            v = &v[*p];
        }
        v.as_str().map(str::to_owned)
    })
}

fn concept_text(c: &Json) -> Option<String> {
    c["text"].as_str().map(str::to_owned).or_else(|| {
        c["coding"]
            .as_array()?
            .iter()
            .find_map(|x| x["display"].as_str())
            .map(str::to_owned)
    })
}

fn summary(lang: super::super::i18n::Lang, rtype: &str, j: &Json) -> String {
    let mut s = concept_text(&j["code"])
        .or_else(|| {
            j["type"]
                .as_array()
                .and_then(|t| t.first())
                .and_then(concept_text)
        })
        .or_else(|| concept_text(&j["medicationCodeableConcept"]))
        .or_else(|| concept_text(&j["vaccineCode"]))
        .or_else(|| j["description"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if rtype == "Observation"
        && let Some(v) = j["valueQuantity"]["value"].as_f64()
    {
        let unit = j["valueQuantity"]["unit"].as_str().unwrap_or("");
        let places = if v.fract() == 0.0 { 0 } else { 1 };
        s = format!("{s} {} {unit}", format::decimal(lang, v, places))
            .trim()
            .to_owned();
    }
    s
}

pub struct TimelinePage {
    pub items: Vec<Value>,
    pub next_url: Option<String>,
    pub prev_url: Option<String>,
    pub error: String,
}

struct Item {
    when: String,
    kind: &'static str,
    summary: String,
}

/// The search parameter that dates a type by its clinical time (sorting and date filters).
fn date_param(rtype: &str) -> Option<&'static str> {
    ["date", "onset-date", "authoredon", "authored", "started"]
        .into_iter()
        .find(|p| rules::rule(rtype, p).is_some_and(|r| r.kind == Kind::Date))
}

/// The newest `PAGE_SIZE × (page + 1)` entries of each type of the patient's record, each type
/// one indexed query (by patient, sorted by its date): a chart with years of history costs a few
/// small queries, not a read of the whole record.
async fn gather(state: &AppState, web: &Web, id: &str, f: &TimelineFilter) -> Vec<Item> {
    // Most records are small: one read of the whole compartment is cheapest then. Only a long
    // history (more than one such read) is paged per type.
    if let Ok(page) = state
        .store
        .everything(&web.ctx, id, SMALL_RECORD, None)
        .await
        && page.next.is_none()
    {
        return page
            .resources
            .iter()
            .filter(|r| r.rtype != "Patient")
            .filter_map(|r| {
                let j = serde_json::from_slice::<Json>(&r.json).ok()?;
                Some(Item {
                    when: when(&j).unwrap_or_default(),
                    kind: kind_of(&r.rtype),
                    summary: summary(web.lang, &r.rtype, &j),
                })
            })
            .collect();
    }
    let want = ((f.page + 1) * PAGE_SIZE + 1).min(MAX_PER_TYPE);
    let types: Vec<&str> = KINDS
        .iter()
        .filter(|(k, _)| f.kind.is_empty() || *k == f.kind)
        .flat_map(|(_, types)| types.iter().copied())
        // Only types the store can search by patient: an unknown parameter would be ignored.
        .filter(|t| rules::rule(t, "patient").is_some())
        .collect();
    let searches = types.iter().map(|rtype| {
        let mut params = vec![
            ("patient".to_owned(), id.to_owned()),
            ("_count".to_owned(), want.to_string()),
        ];
        match date_param(rtype) {
            Some(p) => {
                params.push(("_sort".into(), format!("-{p}")));
                if !f.from.is_empty() {
                    params.push((p.into(), format!("ge{}", f.from)));
                }
                if !f.to.is_empty() {
                    params.push((p.into(), format!("le{}", f.to)));
                }
            }
            None => params.push(("_sort".into(), "-_lastUpdated".into())),
        }
        async move { (rtype, state.store.search(&web.ctx, rtype, &params).await) }
    });
    let mut items = Vec::new();
    // One after the other: with many sessions open, a burst of parallel queries per page costs
    // more in thread hand-offs than it saves in latency.
    let mut results = Vec::with_capacity(types.len());
    for search in searches {
        results.push(search.await);
    }
    for (rtype, result) in results {
        // A type the user may not read is simply absent; a search the store could not run as
        // asked (a warning) is left out rather than shown unfiltered.
        let Ok(page) = result else { continue };
        if !page.warnings.is_empty() {
            tracing::warn!(rtype, "timeline search warned; type left out");
            continue;
        }
        for r in &page.resources {
            let Ok(j) = serde_json::from_slice::<Json>(&r.json) else {
                continue;
            };
            items.push(Item {
                when: when(&j).unwrap_or_default(),
                kind: kind_of(rtype),
                summary: summary(web.lang, rtype, &j),
            });
        }
    }
    items
}

pub async fn build(state: &AppState, web: &Web, id: &str, f: &TimelineFilter) -> TimelinePage {
    let (from, to) = (format::parse_date(&f.from), format::parse_date(&f.to));
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return TimelinePage {
            items: vec![],
            next_url: None,
            prev_url: None,
            error: t(web.lang, "timeline-error-dates"),
        };
    }
    let mut items: Vec<Item> = gather(state, web, id, f).await;
    let query = HistoryQuery {
        tenant: web.ctx.tenant.clone(),
        rtype: Some("Patient".into()),
        id: Some(id.to_owned()),
        since: None,
        before_row: None,
        limit: 200,
    };
    if let Ok(history) = state.store.history(&web.ctx, query).await {
        for h in history {
            let label = if h.version == 1 {
                "patient-created"
            } else {
                "patient-saved"
            };
            items.push(Item {
                when: jiff::Timestamp::from_microsecond(h.last_updated.micros())
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                kind: "change",
                summary: t(web.lang, label),
            });
        }
    }
    items.retain(|i| {
        let day = format::parse_date(i.when.get(..10).unwrap_or(""));
        (f.kind.is_empty() || i.kind == f.kind)
            && from.is_none_or(|a| day.is_some_and(|d| d >= a))
            && to.is_none_or(|b| day.is_some_and(|d| d <= b))
    });
    // Newest first; instants and plain dates compare well enough as ISO strings.
    items.sort_by(|a, b| b.when.cmp(&a.when));
    let start = f.page * PAGE_SIZE;
    let more = items.len() > start + PAGE_SIZE;
    let url = |page: usize| {
        format!(
            "/patients/{id}?type={}&from={}&to={}&page={page}",
            url_encode(&f.kind),
            url_encode(&f.from),
            url_encode(&f.to)
        )
    };
    TimelinePage {
        items: items
            .into_iter()
            .skip(start)
            .take(PAGE_SIZE)
            .map(|i| context! { when => i.when, label => format!("kind-{}", i.kind), summary => i.summary })
            .collect(),
        next_url: more.then(|| url(f.page + 1)),
        prev_url: (f.page > 0).then(|| url(f.page - 1)),
        error: String::new(),
    }
}
