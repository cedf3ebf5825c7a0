//! Examination templates: the shipped set (seeded into a practice on first use), the list a
//! clinician chooses from, one template, and an administrator's create/edit with the
//! structure checked first (every problem with its JSON path).

use super::support::{Result, as_system, ensure_may, json_of, read, search_all};
use crate::clinical::ClinicalError;
use cartella_core::access::Action;
use cartella_core::exams::{TEMPLATE_BASE, check_template, title_in};
use cartella_store::store::{Write, WriteOptions, Written};
use cartella_store::{AccessContext, Store, StoreError};
use serde_json::{Value, json};

/// `(id, FHIR JSON)` of every shipped template.
pub const SHIPPED: [(&str, &str); 5] = [
    (
        "exam-general-physical",
        include_str!("../../data/questionnaires/exam-general-physical.json"),
    ),
    (
        "exam-musculoskeletal",
        include_str!("../../data/questionnaires/exam-musculoskeletal.json"),
    ),
    (
        "exam-pain",
        include_str!("../../data/questionnaires/exam-pain.json"),
    ),
    (
        "exam-preoperative",
        include_str!("../../data/questionnaires/exam-preoperative.json"),
    ),
    (
        "exam-periodontal",
        include_str!("../../data/questionnaires/exam-periodontal.json"),
    ),
];

/// Write the shipped templates a practice does not have yet (one transaction). A template an
/// administrator deleted stays deleted; one they edited keeps their version.
pub async fn ensure_seeded(store: &Store, ctx: &AccessContext) -> Result<()> {
    let sys = as_system(ctx);
    let mut writes = Vec::new();
    for (id, raw) in SHIPPED {
        match store.read(&sys, "Questionnaire", id).await {
            Err(StoreError::NotFound(_)) => {
                let body: Value = serde_json::from_str(raw).map_err(|_| {
                    ClinicalError::Store(StoreError::Corrupted(format!("shipped template {id}")))
                })?;
                writes.push(Write::Put {
                    rtype: "Questionnaire".into(),
                    id: id.into(),
                    body,
                    if_match: None,
                });
            }
            Ok(_) | Err(StoreError::Deleted(_) | StoreError::Erased(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if !writes.is_empty() {
        store.write_all(&sys, writes).await?;
    }
    Ok(())
}

/// One row of the template list.
pub fn summary(q: &Value, lang: &str) -> Value {
    json!({
        "id": q["id"],
        "url": q["url"],
        "version": q["version"],
        "title": title_in(q, lang),
        "status": q["status"],
        "description": q["description"],
        "shipped": SHIPPED.iter().any(|(id, _)| q["id"] == *id),
    })
}

/// The practice's templates (seeding the shipped ones first), by title; `all` includes drafts
/// and retired ones (the administrators' list), otherwise only active ones.
pub async fn list(store: &Store, ctx: &AccessContext, all: bool, lang: &str) -> Result<Vec<Value>> {
    ensure_may(store, ctx, "Questionnaire", Action::Read).await?;
    ensure_seeded(store, ctx).await?;
    let found = search_all(store, ctx, "Questionnaire", &[], 1_000).await?;
    let mut rows: Vec<Value> = found
        .iter()
        .filter(|q| all || q["status"] == "active")
        .map(|q| summary(q, lang))
        .collect();
    rows.sort_by_key(|r| r["title"].as_str().unwrap_or("").to_lowercase());
    Ok(rows)
}

/// One template as stored (the Questionnaire).
pub async fn get(store: &Store, ctx: &AccessContext, id: &str) -> Result<Value> {
    ensure_seeded(store, ctx).await?;
    Ok(read(store, ctx, "Questionnaire", id, "template").await?.1)
}

/// The template a response's `questionnaire` canonical (`url|version`) names: by the id at
/// the end of the url first, else the first template with that url.
pub async fn by_canonical(store: &Store, ctx: &AccessContext, canonical: &str) -> Result<Value> {
    let url = canonical.split('|').next().unwrap_or("");
    if let Some(id) = url.rsplit('/').next()
        && let Ok((_, q)) = read(store, ctx, "Questionnaire", id, "template").await
        && q["url"] == url
    {
        return Ok(q);
    }
    search_all(store, ctx, "Questionnaire", &[], 1_000)
        .await?
        .into_iter()
        .find(|q| q["url"] == url)
        .ok_or(ClinicalError::NotFound("template"))
}

/// Create (`id` = None) or replace a template after checking its structure; `version` (the
/// stored version being edited) guards against a concurrent edit.
pub async fn save(
    store: &Store,
    ctx: &AccessContext,
    id: Option<&str>,
    mut body: Value,
    version: Option<i64>,
) -> Result<Value> {
    ensure_may(store, ctx, "Questionnaire", Action::Write).await?;
    let problems = check_template(&body);
    if !problems.is_empty() {
        return Err(ClinicalError::Validation(problems));
    }
    let out = match id {
        Some(id) => {
            let (stored, old) = read(store, ctx, "Questionnaire", id, "template").await?;
            body["id"] = json!(id);
            if body.get("url").is_none() {
                body["url"] = old["url"].clone();
            }
            // A new version number, so responses keep naming the version they answered.
            let next = old["version"]
                .as_str()
                .and_then(|v| v.parse::<u64>().ok())
                .map_or_else(|| "2".to_owned(), |v| (v + 1).to_string());
            body["version"] = json!(next);
            let opts = WriteOptions {
                if_match: Some(version.unwrap_or(stored.version)),
                ..Default::default()
            };
            store.update(ctx, "Questionnaire", id, body, opts).await?
        }
        None => {
            let id = super::support::new_id();
            body["id"] = json!(id);
            if body.get("url").is_none() {
                body["url"] = json!(format!("{TEMPLATE_BASE}/{id}"));
            }
            body["version"] = json!("1");
            // A Put with a server-chosen id, so the url can name the id in the same write.
            let put = Write::Put {
                rtype: "Questionnaire".into(),
                id,
                body,
                if_match: None,
            };
            return match store.write_all(ctx, vec![put]).await?.pop() {
                Some(Written::Put { resource, .. }) => json_of(&resource),
                _ => Err(ClinicalError::State("the template was not saved".into())),
            };
        }
    };
    json_of(&out.resource)
}
