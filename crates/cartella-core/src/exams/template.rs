//! The structure check of a template (a Questionnaire as JSON): every problem is reported with
//! the JSON path of the element (`item[2].enableWhen[0].question`), so an editor can point at
//! it. Also the translated title and item texts.

use super::{EXT_MAX, EXT_MIN, EXT_TOTAL, EXT_TRANSLATION, EXT_UNIT};
use crate::clinical::{ClinicalFieldError, Problems};
use serde_json::Value;
use std::collections::HashMap;

/// The item types the forms can render and check.
pub const ITEM_TYPES: [&str; 10] = [
    "group",
    "display",
    "string",
    "text",
    "integer",
    "decimal",
    "boolean",
    "choice",
    "open-choice",
    "date",
];
const STATUSES: [&str; 4] = ["draft", "active", "retired", "unknown"];
const OPERATORS: [&str; 7] = ["exists", "=", "!=", ">", "<", ">=", "<="];
const OPTION_VALUES: [&str; 4] = ["valueCoding", "valueString", "valueInteger", "valueDate"];

/// The extension `url` of an element, if present.
pub(super) fn ext<'a>(node: &'a Value, url: &str) -> Option<&'a Value> {
    node["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url)
}

/// The `value[x]` of an extension (whatever its type).
pub(super) fn ext_value<'a>(node: &'a Value, url: &str) -> Option<&'a Value> {
    ext(node, url)?
        .as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value"))
        .map(|(_, v)| v)
}

pub(super) fn translated<'a>(node: &'a Value, field: &str, lang: &str) -> Option<&'a str> {
    node[format!("_{field}")]["extension"]
        .as_array()?
        .iter()
        .filter(|e| e["url"] == EXT_TRANSLATION)
        .find_map(|e| {
            let parts = e["extension"].as_array()?;
            let l = parts.iter().find(|p| p["url"] == "lang")?["valueCode"].as_str()?;
            if !l.eq_ignore_ascii_case(lang) {
                return None;
            }
            parts.iter().find(|p| p["url"] == "content")?["valueString"].as_str()
        })
}

/// The template's title in `lang` (`en`, `it`, …), the base title otherwise.
pub fn title_in<'a>(q: &'a Value, lang: &str) -> &'a str {
    translated(q, "title", lang)
        .or_else(|| q["title"].as_str())
        .or_else(|| q["name"].as_str())
        .unwrap_or("")
}

/// An item's (or option's) text in `lang`, the base text otherwise.
pub fn text_in<'a>(item: &'a Value, lang: &str) -> &'a str {
    translated(item, "text", lang)
        .or_else(|| item["text"].as_str())
        .unwrap_or("")
}

struct Walk<'a> {
    p: Problems,
    /// linkId → (type, path) of every item seen.
    ids: HashMap<&'a str, (&'a str, String)>,
    /// `(path, question)` of every enableWhen, checked once all ids are known.
    conditions: Vec<(String, &'a Value)>,
}

/// Every structural problem of a template; empty when the forms can use it.
pub fn check_template(q: &Value) -> Vec<ClinicalFieldError> {
    let mut w = Walk {
        p: Problems::default(),
        ids: HashMap::new(),
        conditions: Vec::new(),
    };
    if !q.is_object() {
        w.p.push(
            "",
            "not_object",
            "A template is a JSON object (a FHIR Questionnaire).",
        );
        return w.p.0;
    }
    if q["resourceType"] != "Questionnaire" {
        w.p.push(
            "resourceType",
            "wrong_type",
            "resourceType must be \"Questionnaire\".",
        );
    }
    match q["status"].as_str() {
        Some(s) if STATUSES.contains(&s) => {}
        _ => w.p.push(
            "status",
            "invalid",
            "status must be draft, active, retired or unknown.",
        ),
    }
    if q["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
        w.p.push("title", "required", "Give the template a title.");
    }
    if q.get("url")
        .is_some_and(|u| u.as_str().is_none_or(|u| u.trim().is_empty()))
    {
        w.p.push("url", "invalid", "url must be a non-empty string.");
    }
    match q["item"].as_array() {
        Some(items) if !items.is_empty() => walk_items(&mut w, items, "item"),
        _ => {
            w.p.push("item", "required", "A template needs at least one item.")
        }
    }
    let conditions = std::mem::take(&mut w.conditions);
    for (path, cond) in conditions {
        check_condition(&mut w, &path, cond);
    }
    w.p.0
}

fn walk_items<'a>(w: &mut Walk<'a>, items: &'a [Value], base: &str) {
    for (i, item) in items.iter().enumerate() {
        let path = format!("{base}[{i}]");
        walk_item(w, item, &path);
    }
}

fn walk_item<'a>(w: &mut Walk<'a>, item: &'a Value, path: &str) {
    if !item.is_object() {
        w.p.push(path, "not_object", "An item is a JSON object.");
        return;
    }
    let kind = item["type"].as_str().unwrap_or("");
    if !ITEM_TYPES.contains(&kind) {
        w.p.push(
            format!("{path}.type"),
            "unknown_type",
            format!("type must be one of: {}.", ITEM_TYPES.join(", ")),
        );
    }
    match item["linkId"].as_str().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if let Some((_, first)) = w.ids.get(id) {
                w.p.push(
                    format!("{path}.linkId"),
                    "duplicate",
                    format!("linkId \"{id}\" is already used at {first}."),
                );
            } else {
                w.ids.insert(id, (kind, path.to_owned()));
            }
        }
        _ => w.p.push(
            format!("{path}.linkId"),
            "required",
            "Every item needs a linkId.",
        ),
    }
    if kind != "group" && item["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
        w.p.push(
            format!("{path}.text"),
            "required",
            "Every question needs a text.",
        );
    }
    if item.get("required").is_some_and(|r| !r.is_boolean()) {
        w.p.push(
            format!("{path}.required"),
            "invalid",
            "required is true or false.",
        );
    }
    let children = item["item"].as_array();
    match (kind, children) {
        ("group", Some(c)) if !c.is_empty() => walk_items(w, c, &format!("{path}.item")),
        ("group", _) => {
            w.p.push(format!("{path}.item"), "required", "A group needs items.")
        }
        ("display", Some(_)) => {
            w.p.push(
                format!("{path}.item"),
                "invalid",
                "A display item has no items.",
            );
        }
        (_, Some(c)) => walk_items(w, c, &format!("{path}.item")),
        _ => {}
    }
    if matches!(kind, "choice" | "open-choice") {
        check_options(w, item, path);
    } else if item.get("answerOption").is_some() {
        w.p.push(
            format!("{path}.answerOption"),
            "invalid",
            "Only choice items have answerOption.",
        );
    }
    for (url, name) in [(EXT_MIN, "minValue"), (EXT_MAX, "maxValue")] {
        if let Some(v) = super::template::ext_value(item, url)
            && (!v.is_number() || !matches!(kind, "integer" | "decimal"))
        {
            w.p.push(
                format!("{path}.extension"),
                "invalid",
                format!("{name} is a number on an integer or decimal item."),
            );
        }
    }
    if let Some(u) = ext(item, EXT_UNIT)
        && u["valueCoding"]["code"].as_str().is_none()
    {
        w.p.push(
            format!("{path}.extension"),
            "invalid",
            "The unit extension needs valueCoding.code (UCUM).",
        );
    }
    if ext(item, EXT_TOTAL).is_some() && !matches!(kind, "integer" | "decimal") {
        w.p.push(
            format!("{path}.extension"),
            "invalid",
            "A total is an integer or decimal item.",
        );
    }
    if let Some(b) = item.get("enableBehavior")
        && !matches!(b.as_str(), Some("all" | "any"))
    {
        w.p.push(
            format!("{path}.enableBehavior"),
            "invalid",
            "enableBehavior is all or any.",
        );
    }
    match &item["enableWhen"] {
        Value::Null => {}
        Value::Array(conds) => {
            for (i, c) in conds.iter().enumerate() {
                w.conditions.push((format!("{path}.enableWhen[{i}]"), c));
            }
        }
        _ => w.p.push(
            format!("{path}.enableWhen"),
            "invalid",
            "enableWhen is a list.",
        ),
    }
}

fn check_options(w: &mut Walk<'_>, item: &Value, path: &str) {
    let Some(options) = item["answerOption"].as_array().filter(|o| !o.is_empty()) else {
        w.p.push(
            format!("{path}.answerOption"),
            "required",
            "A choice item needs answerOption.",
        );
        return;
    };
    let mut seen = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let at = format!("{path}.answerOption[{i}]");
        let Some(key) = OPTION_VALUES.iter().find(|k| o.get(**k).is_some()) else {
            w.p.push(
                at,
                "invalid",
                "An option has valueCoding, valueString, valueInteger or valueDate.",
            );
            continue;
        };
        let v = &o[*key];
        let id = if *key == "valueCoding" {
            v["code"].as_str().map(str::to_owned)
        } else {
            Some(v.to_string().trim_matches('"').to_owned())
        };
        match id {
            None => w.p.push(
                format!("{at}.valueCoding.code"),
                "required",
                "An option needs a code.",
            ),
            Some(id) if seen.contains(&id) => w.p.push(
                &at,
                "duplicate",
                format!("The option \"{id}\" is listed twice."),
            ),
            Some(id) => seen.push(id),
        }
        if let Some(ord) = ext(v, super::EXT_ORDINAL)
            && !ord["valueDecimal"].is_number()
        {
            w.p.push(
                format!("{at}.valueCoding.extension"),
                "invalid",
                "ordinalValue needs valueDecimal.",
            );
        }
    }
}

fn check_condition(w: &mut Walk<'_>, path: &str, c: &Value) {
    let question = c["question"].as_str().unwrap_or("");
    match w.ids.get(question) {
        None => w.p.push(
            format!("{path}.question"),
            "unknown_item",
            format!("No item has the linkId \"{question}\"."),
        ),
        Some(("group" | "display", _)) => w.p.push(
            format!("{path}.question"),
            "invalid",
            "A condition must refer to a question, not a group or display item.",
        ),
        Some(_) => {}
    }
    let op = c["operator"].as_str().unwrap_or("");
    if !OPERATORS.contains(&op) {
        w.p.push(
            format!("{path}.operator"),
            "invalid",
            format!("operator must be one of: {}.", OPERATORS.join(" ")),
        );
    }
    let answers = c
        .as_object()
        .map(|m| m.keys().filter(|k| k.starts_with("answer")).count())
        .unwrap_or(0);
    if answers != 1 {
        w.p.push(
            path,
            "invalid",
            "A condition has exactly one answer[x] (answerBoolean, answerCoding, …).",
        );
    }
}
