//! Answers to a template for a patient: checked against the template (conditional items,
//! types, bounds, required), saved as one `QuestionnaireResponse`, listed per patient and read
//! back as question → answer rows.

use super::support::{
    Result, author, check_encounter, ensure_may, json_of, now_fhir, patient, patient_ref, read,
    search_all,
};
use super::templates;
use crate::clinical::ClinicalError;
use cartella_core::access::Action;
use cartella_core::exams::{RawAnswers, Row, answer, readable, title_in};
use cartella_store::store::WriteOptions;
use cartella_store::{AccessContext, Store};
use serde::Deserialize;
use serde_json::{Value, json};

/// A filled form: the template id, the visit (optional) and the answers by `linkId` (a
/// string, number or boolean, or a list of them for a repeating choice).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub template: String,
    #[serde(default)]
    pub encounter: Option<String>,
    #[serde(default)]
    pub answers: serde_json::Map<String, Value>,
}

/// JSON answers as the raw strings a form would send.
pub fn raw_answers(answers: &serde_json::Map<String, Value>) -> RawAnswers {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    answers
        .iter()
        .map(|(k, v)| {
            let vals = match v {
                Value::Array(a) => a.iter().filter_map(text).collect(),
                v => text(v).into_iter().collect(),
            };
            (k.clone(), vals)
        })
        .collect()
}

/// Save the answers of `raw` to template `template_id` for a patient.
pub async fn submit(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    template_id: &str,
    encounter: Option<&str>,
    raw: &RawAnswers,
) -> Result<Value> {
    ensure_may(store, ctx, "QuestionnaireResponse", Action::Write).await?;
    patient(store, ctx, patient_id).await?;
    let q = match templates::get(store, ctx, template_id).await {
        Ok(q) if q["status"] == "active" => q,
        Ok(_) | Err(ClinicalError::NotFound(_)) => {
            return Err(ClinicalError::field(
                "template",
                "unknown_template",
                "No active template has this id.",
            ));
        }
        Err(e) => return Err(e),
    };
    let encounter = encounter.map(str::trim).filter(|e| !e.is_empty());
    let mut problems = Vec::new();
    if let Some(e) = encounter {
        match check_encounter(store, ctx, e, patient_id).await {
            Err(ClinicalError::Validation(v)) => problems.extend(v),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
    }
    // UTC's date plus a day, so "today" in any practice time zone is never in the future.
    let utc = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let today = utc.tomorrow().unwrap_or(utc);
    let answered = match answer(&q, raw, today) {
        Ok(a) if problems.is_empty() => a,
        Ok(_) => return Err(ClinicalError::Validation(problems)),
        Err(v) => {
            problems.extend(v);
            return Err(ClinicalError::Validation(problems));
        }
    };
    let version = q["version"].as_str().unwrap_or("1");
    let mut r = json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": format!("{}|{version}", q["url"].as_str().unwrap_or("")),
        "status": "completed",
        "subject": patient_ref(patient_id),
        "authored": now_fhir(),
        "author": author(ctx),
        "item": answered.items,
    });
    if let Some(e) = encounter {
        r["encounter"] = json!({"reference": format!("Encounter/{e}")});
    }
    let out = store
        .create(ctx, "QuestionnaireResponse", r, WriteOptions::default())
        .await?;
    let saved = json_of(&out.resource)?;
    Ok(view(&saved, &q, "en"))
}

fn totals(q: &Value, r: &Value) -> Vec<Value> {
    readable(q, r, "en", ("yes", "no"))
        .into_iter()
        .filter(|row| row.total)
        .map(|row| json!({"link_id": row.link_id, "text": row.text, "value": row.answers.first()}))
        .collect()
}

/// One response as the API lists it.
pub fn view(r: &Value, q: &Value, lang: &str) -> Value {
    json!({
        "id": r["id"],
        "template": q["id"],
        "questionnaire": r["questionnaire"],
        "title": title_in(q, lang),
        "authored": r["authored"],
        "author": r["author"]["identifier"]["value"],
        "encounter": r["encounter"]["reference"].as_str().and_then(|e| e.strip_prefix("Encounter/")),
        "totals": totals(q, r),
    })
}

/// The patient's responses, newest first (optionally of one visit).
pub async fn list(
    store: &Store,
    ctx: &AccessContext,
    patient_id: &str,
    encounter: Option<&str>,
    lang: &str,
) -> Result<Vec<Value>> {
    patient(store, ctx, patient_id).await?;
    let params = [("patient", patient_id.to_owned())];
    let mut found = search_all(store, ctx, "QuestionnaireResponse", &params, 10_000).await?;
    if let Some(e) = encounter {
        let want = format!("Encounter/{e}");
        found.retain(|r| r["encounter"]["reference"] == want.as_str());
    }
    // Ids are UUIDv7: they break ties between responses of the same second.
    let key = |r: &Value| {
        (
            r["authored"].as_str().map(str::to_owned),
            r["id"].as_str().map(str::to_owned),
        )
    };
    found.sort_by_key(|r| std::cmp::Reverse(key(r)));
    let mut out = Vec::with_capacity(found.len());
    for r in &found {
        let canonical = r["questionnaire"].as_str().unwrap_or("");
        let q = templates::by_canonical(store, ctx, canonical)
            .await
            .unwrap_or(Value::Null);
        out.push(view(r, &q, lang));
    }
    Ok(out)
}

/// One response with its template and its rows for reading back.
pub struct ReadBack {
    pub response: Value,
    pub template: Value,
    pub rows: Vec<Row>,
}

pub async fn get(
    store: &Store,
    ctx: &AccessContext,
    id: &str,
    lang: &str,
    yes_no: (&str, &str),
) -> Result<ReadBack> {
    let (_, r) = read(store, ctx, "QuestionnaireResponse", id, "examination").await?;
    let canonical = r["questionnaire"].as_str().unwrap_or("");
    let template = templates::by_canonical(store, ctx, canonical).await?;
    let rows = readable(&template, &r, lang, yes_no);
    Ok(ReadBack {
        response: r,
        template,
        rows,
    })
}
