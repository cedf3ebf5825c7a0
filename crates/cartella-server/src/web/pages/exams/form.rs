//! The examination form built from a template: a tree of fields (groups nest) with the typed
//! values, the translated error of each item, the initial shown/hidden state and the
//! conditions the small `exams.js` re-evaluates as the clinician types.

use super::super::super::forms::{FieldErrors, t, t_args};
use super::super::super::i18n::Lang;
use cartella_core::clinical::ClinicalFieldError;
use cartella_core::exams::{
    EXT_MAX, EXT_MIN, EXT_TOTAL, EXT_UNIT, RawAnswers, enabled_items, text_in,
};
use minijinja::{Value, context};
use serde_json::{Value as Json, json};
use std::collections::HashSet;

/// Input names carry this prefix, so answers never clash with `_csrf` or `encounter`.
pub const PREFIX: &str = "a.";

fn ext<'a>(item: &'a Json, url: &str) -> Option<&'a Json> {
    item["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url)
}

fn bound(item: &Json, url: &str) -> Option<f64> {
    let e = ext(item, url)?;
    e["valueInteger"].as_f64().or(e["valueDecimal"].as_f64())
}

/// The raw answers of a posted form.
pub fn raw_of(pairs: &[(String, String)]) -> RawAnswers {
    let mut raw = RawAnswers::new();
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix(PREFIX) {
            raw.entry(id.to_owned()).or_default().push(v.clone());
        }
    }
    raw
}

/// An item's error in the reader's language (the bounds named where they matter).
pub fn translate(lang: Lang, q: &Json, e: &ClinicalFieldError) -> String {
    let item = find(&q["item"], &e.field);
    let num = |url| {
        item.and_then(|i| bound(i, url))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    match e.code {
        "too_small" => t_args(lang, "exams-error-too-small", &[("min", num(EXT_MIN))]),
        "too_large" => t_args(lang, "exams-error-too-large", &[("max", num(EXT_MAX))]),
        "required" | "single" | "not_integer" | "not_number" | "not_boolean" | "not_date"
        | "future_date" | "unknown_option" | "too_long" | "unknown_encounter"
        | "unknown_template" => t(lang, &format!("exams-error-{}", e.code.replace('_', "-"))),
        _ => e.message.clone(),
    }
}

fn find<'a>(items: &'a Json, id: &str) -> Option<&'a Json> {
    items.as_array()?.iter().find_map(|i| {
        if i["linkId"] == id {
            Some(i)
        } else {
            find(&i["item"], id)
        }
    })
}

/// The conditions of an item as `exams.js` reads them: `[{q, op, v}]`.
fn conditions(item: &Json) -> String {
    let Some(conds) = item["enableWhen"].as_array() else {
        return String::new();
    };
    let list: Vec<Json> = conds
        .iter()
        .map(|c| {
            let v = c
                .as_object()
                .and_then(|m| m.iter().find(|(k, _)| k.starts_with("answer")))
                .map(|(k, v)| match k.as_str() {
                    "answerCoding" => v["code"].clone(),
                    "answerQuantity" => v["value"].clone(),
                    _ => v.clone(),
                })
                .unwrap_or(Json::Null);
            json!({"q": c["question"], "op": c["operator"], "v": v})
        })
        .collect();
    Json::Array(list).to_string()
}

/// The field tree of template `q` with the typed `raw` answers and `errors` (by linkId).
pub fn fields(q: &Json, raw: &RawAnswers, errors: &FieldErrors, lang: Lang) -> Vec<Value> {
    let enabled = enabled_items(q, raw);
    build(&q["item"], raw, errors, lang, &enabled)
}

fn build(
    items: &Json,
    raw: &RawAnswers,
    errors: &FieldErrors,
    lang: Lang,
    enabled: &HashSet<String>,
) -> Vec<Value> {
    let code = lang.code();
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let link = item["linkId"].as_str().unwrap_or("");
            let values: Vec<String> = raw.get(link).cloned().unwrap_or_default();
            let options: Vec<Value> = item["answerOption"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| {
                    let (value, label) = if let Some(c) = o.get("valueCoding") {
                        let l = text_in_display(c, code);
                        (c["code"].as_str()?.to_owned(), l)
                    } else {
                        let v = o
                            .as_object()?
                            .iter()
                            .find(|(k, _)| k.starts_with("value"))?
                            .1;
                        let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                        (s.clone(), s)
                    };
                    let selected = values.contains(&value);
                    Some(context! { value, label, selected })
                })
                .collect();
            let unit = ext(item, EXT_UNIT).and_then(|u| {
                u["valueCoding"]["display"]
                    .as_str()
                    .or(u["valueCoding"]["code"].as_str())
            });
            context! {
                link,
                name => format!("{PREFIX}{link}"),
                id => format!("q-{}", link.replace(|c: char| !c.is_ascii_alphanumeric(), "-")),
                kind => item["type"].as_str().unwrap_or(""),
                text => text_in(item, code),
                required => item["required"] == true,
                repeats => item["repeats"] == true,
                total => ext(item, EXT_TOTAL).is_some(),
                unit,
                min => bound(item, EXT_MIN),
                max => bound(item, EXT_MAX),
                value => values.first().cloned().unwrap_or_default(),
                options,
                error => errors.get(link),
                hidden => !enabled.contains(link),
                when => conditions(item),
                behavior => item["enableBehavior"].as_str().unwrap_or("all"),
                children => build(&item["item"], raw, errors, lang, enabled),
            }
        })
        .collect()
}

/// An option's label in `lang` (its `_display` translation), else its display or code.
fn text_in_display(c: &Json, lang: &str) -> String {
    let tr = c["_display"]["extension"].as_array().and_then(|list| {
        list.iter().find_map(|e| {
            let parts = e["extension"].as_array()?;
            let l = parts.iter().find(|p| p["url"] == "lang")?["valueCode"].as_str()?;
            (l == lang)
                .then(|| parts.iter().find(|p| p["url"] == "content")?["valueString"].as_str())?
        })
    });
    tr.or(c["display"].as_str())
        .or(c["code"].as_str())
        .unwrap_or("")
        .to_owned()
}
