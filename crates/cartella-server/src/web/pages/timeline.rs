//! The patient timeline: every resource of the patient's compartment (as far as the user may
//! read it) and every change of the registry record, dated by its clinical time, newest first.

use super::super::format;
use super::super::forms::t;
use super::super::session::{Web, url_encode};
use crate::AppState;
use cartella_store::HistoryQuery;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub const PAGE_SIZE: usize = 30;
/// Resources read per compartment page, and the most pages read for one timeline.
const CHUNK: usize = 1_000;
const MAX_CHUNKS: usize = 10;

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
    let mut items: Vec<Item> = Vec::new();
    let mut after = None;
    for _ in 0..MAX_CHUNKS {
        let Ok(page) = state.store.everything(&web.ctx, id, CHUNK, after).await else {
            break;
        };
        for r in &page.resources {
            if r.rtype == "Patient" {
                continue;
            }
            let Ok(j) = serde_json::from_slice::<Json>(&r.json) else {
                continue;
            };
            items.push(Item {
                when: when(&j).unwrap_or_default(),
                kind: kind_of(&r.rtype),
                summary: summary(web.lang, &r.rtype, &j),
            });
        }
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) => after = Some(n),
            None => break,
        }
    }
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
