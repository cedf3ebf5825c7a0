//! Reading the anamnesis back: the rows of each section (newest first) and the current
//! anamnesis, which carries the latest of each section forward (see [`super`]).

use super::support::*;
use super::{EXT_COURSE, RECENT, REMOTE};
use cartella_core::access::Action;
use cartella_core::clinical::codes::ANAMNESIS_SYSTEM;
use cartella_store::{AccessContext, Store};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The sections of the API (`/patients/{id}/anamnesis/{section}`).
pub const SECTIONS: [&str; 5] = [
    "conditions",
    "surgeries",
    "hospitalisations",
    "complaints",
    "family",
];

fn recorded(r: &Value) -> Value {
    let at = r["recordedDate"].as_str().or(r["date"].as_str());
    json!(at.or(r["meta"]["lastUpdated"].as_str()))
}

fn coding(c: &Value) -> (&Value, &Value) {
    (&c["coding"][0]["code"], &c["text"])
}

pub fn condition_row(c: &Value) -> Value {
    let (code, text) = coding(&c["code"]);
    json!({
        "id": c["id"], "code": code, "text": text,
        "clinical_status": c["clinicalStatus"]["coding"][0]["code"],
        "onset": c["onsetDateTime"], "abatement": c["abatementDateTime"],
        "note": c["note"][0]["text"], "recorded": recorded(c),
    })
}

pub fn surgery_row(p: &Value) -> Value {
    let (code, text) = coding(&p["code"]);
    json!({
        "id": p["id"], "code": code, "text": text, "performed": p["performedDateTime"],
        "note": p["note"][0]["text"], "recorded": recorded(p),
    })
}

pub fn hospitalisation_row(e: &Value) -> Value {
    let (code, text) = coding(&e["reasonCode"][0]);
    // The narrative is stored escaped inside its XHTML div: give the plain text back.
    let note = e["text"]["div"].as_str().map(|d| {
        let inner = d.split_once('>').map_or(d, |(_, r)| r);
        inner
            .trim_end_matches("</div>")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    });
    json!({
        "id": e["id"], "start": e["period"]["start"], "end": e["period"]["end"],
        "code": code, "text": text, "location": e["location"][0]["location"]["display"],
        "note": note, "recorded": recorded(e),
    })
}

pub fn complaint_row(c: &Value) -> Value {
    let (code, text) = coding(&c["code"]);
    let course = c["extension"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["url"] == EXT_COURSE))
        .map_or(Value::Null, |e| e["valueCode"].clone());
    json!({
        "id": c["id"], "code": code, "text": text, "onset": c["onsetDateTime"],
        "course": course, "note": c["note"][0]["text"],
        "encounter": c["encounter"]["reference"].as_str().and_then(|r| r.strip_prefix("Encounter/")),
        "recorded": recorded(c),
    })
}

pub fn family_row(f: &Value) -> Value {
    let cond = &f["condition"][0];
    let (code, text) = coding(&cond["code"]);
    json!({
        "id": f["id"],
        "relationship": f["relationship"]["coding"][0]["code"],
        "relationship_display": f["relationship"]["coding"][0]["display"],
        "code": code, "text": text, "onset_age": cond["onsetAge"]["value"],
        "deceased": f["deceasedBoolean"], "note": f["note"][0]["text"], "recorded": recorded(f),
    })
}

fn tagged(r: &Value, field: &str, code: &str) -> bool {
    let has = |c: &Value| {
        c["coding"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["system"] == ANAMNESIS_SYSTEM && x["code"] == code)
        })
    };
    match &r[field] {
        Value::Array(a) => a.iter().any(has),
        c => has(c),
    }
}

/// How a section is found: type, search, tag element and code, row shape.
type Query = (
    &'static str,
    Vec<(&'static str, String)>,
    &'static str,
    &'static str,
    fn(&Value) -> Value,
);

/// The rows of one section, newest first; `None` for an unknown section.
pub async fn section(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    name: &str,
) -> Result<Option<Vec<Value>>> {
    let (rtype, params, field, tag, row): Query = match name {
        "conditions" => (
            "Condition",
            vec![("category", format!("{ANAMNESIS_SYSTEM}|{REMOTE}"))],
            "category",
            REMOTE,
            condition_row,
        ),
        "complaints" => (
            "Condition",
            vec![("category", format!("{ANAMNESIS_SYSTEM}|{RECENT}"))],
            "category",
            RECENT,
            complaint_row,
        ),
        "hospitalisations" => (
            "Encounter",
            vec![("type", format!("{ANAMNESIS_SYSTEM}|{REMOTE}"))],
            "type",
            REMOTE,
            hospitalisation_row,
        ),
        // Procedure has no indexed category: filtered here.
        "surgeries" => ("Procedure", vec![], "category", REMOTE, surgery_row),
        "family" => ("FamilyMemberHistory", vec![], "", "", family_row),
        _ => return Ok(None),
    };
    ensure_may(store, ctx, rtype, Action::Read).await?;
    patient(store, ctx, patient_id).await?;
    let mut q = params;
    q.push(("patient", patient_id.to_owned()));
    let found = search_all(store, ctx, rtype, &q, 10_000).await?;
    let mut found: Vec<Value> = found
        .into_iter()
        .filter(|r| field.is_empty() || tagged(r, field, tag))
        .collect();
    // Newest first; entries of the same second are told apart by their ids (UUIDv7, which
    // sort by creation time).
    let key = |r: &Value| {
        (
            r["meta"]["lastUpdated"].as_str().map(str::to_owned),
            r["id"].as_str().map(str::to_owned),
        )
    };
    found.sort_by_key(|r| std::cmp::Reverse(key(r)));
    Ok(Some(found.iter().map(row).collect()))
}

/// Rows (newest first) with the later ones of the same `key` dropped: the latest carries forward.
fn latest_by(rows: Vec<Value>, key: impl Fn(&Value) -> String) -> Vec<Value> {
    let mut seen = HashSet::new();
    rows.into_iter().filter(|r| seen.insert(key(r))).collect()
}

/// What identifies "the same" entry: its code, else its text (case-insensitive).
fn what(r: &Value) -> String {
    r["code"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| r["text"].as_str().unwrap_or("").trim().to_lowercase())
}

/// The current anamnesis: `{remote: {conditions, surgeries, hospitalisations}, recent:
/// {complaint, earlier_complaints}, family}`.
pub async fn current(store: &Store, ctx: &AccessContext, patient_id: &str) -> Result<Value> {
    async fn get(s: &Store, c: &AccessContext, p: &str, name: &str) -> Result<Vec<Value>> {
        Ok(section(s, c, p, name).await?.unwrap_or_default())
    }
    let (s, c, p) = (store, ctx, patient_id);
    let conditions = latest_by(get(s, c, p, "conditions").await?, what);
    let surgeries = latest_by(get(s, c, p, "surgeries").await?, |r| {
        format!("{}|{}", what(r), r["performed"].as_str().unwrap_or(""))
    });
    let hospitalisations = latest_by(get(s, c, p, "hospitalisations").await?, |r| {
        format!("{}|{}", r["start"].as_str().unwrap_or(""), what(r))
    });
    let complaints = get(s, c, p, "complaints").await?;
    let family = latest_by(get(s, c, p, "family").await?, |r| {
        format!("{}|{}", r["relationship"].as_str().unwrap_or(""), what(r))
    });
    Ok(json!({
        "remote": {
            "conditions": conditions,
            "surgeries": surgeries,
            "hospitalisations": hospitalisations,
        },
        "recent": {
            "complaint": complaints.first(),
            "earlier_complaints": complaints.len().saturating_sub(1),
        },
        "family": family,
    }))
}
