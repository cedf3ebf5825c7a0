//! A filled form checked against its template: conditional items evaluated (`enableWhen`;
//! answers to disabled items are dropped, as if never typed), each answer parsed by item type
//! and bounds, required items enforced, totals computed; the result is the
//! `QuestionnaireResponse.item` tree. Every problem comes back at once, keyed by `linkId`.

use super::template::{ext, ext_value};
use super::{EXT_MAX, EXT_MIN, EXT_ORDINAL, EXT_TOTAL, EXT_UNIT};
use crate::clinical::{ClinicalFieldError, Problems};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// `linkId` → the raw values typed in the form (several for a repeating choice).
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// A valid form: the response items and the computed totals (`linkId` → value).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub items: Vec<Value>,
    pub totals: Vec<(String, f64)>,
}

/// An answer as compared by `enableWhen`.
#[derive(Debug, Clone, PartialEq)]
enum Typed {
    Bool(bool),
    Num(f64),
    Text(String),
    Date(Date),
}

fn all_items(items: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for i in items.as_array().into_iter().flatten() {
        out.push(i);
        out.extend(all_items(&i["item"]));
    }
    out
}

fn link(item: &Value) -> &str {
    item["linkId"].as_str().unwrap_or("")
}

fn values<'a>(raw: &'a RawAnswers, id: &str) -> Vec<&'a str> {
    raw.get(id)
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

fn number(s: &str) -> Option<f64> {
    // Italian, French and German write decimals with a comma.
    s.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// The option a raw value picks: matched on the coding code, the string or the integer.
fn option<'a>(item: &'a Value, raw: &str) -> Option<&'a Value> {
    item["answerOption"].as_array()?.iter().find(|o| {
        o["valueCoding"]["code"].as_str() == Some(raw)
            || o["valueString"].as_str() == Some(raw)
            || o["valueInteger"]
                .as_i64()
                .is_some_and(|i| i.to_string() == raw)
            || o["valueDate"].as_str() == Some(raw)
    })
}

/// The loose reading used for conditions (no errors: a bad value just matches nothing).
fn typed(item: &Value, raw: &str) -> Option<Typed> {
    Some(match item["type"].as_str()? {
        "boolean" => Typed::Bool(matches!(raw, "true" | "yes" | "on")),
        "integer" | "decimal" => Typed::Num(number(raw)?),
        "date" => Typed::Date(raw.parse().ok()?),
        "choice" | "open-choice" => match option(item, raw) {
            Some(o) if o["valueInteger"].is_number() => Typed::Num(o["valueInteger"].as_f64()?),
            _ => Typed::Text(raw.to_owned()),
        },
        _ => Typed::Text(raw.to_owned()),
    })
}

fn expected(c: &Value) -> Option<Typed> {
    let (k, v) = c
        .as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("answer"))?;
    Some(match k.as_str() {
        "answerBoolean" => Typed::Bool(v.as_bool()?),
        "answerInteger" | "answerDecimal" => Typed::Num(v.as_f64()?),
        "answerDate" => Typed::Date(v.as_str()?.parse().ok()?),
        "answerCoding" => Typed::Text(v["code"].as_str()?.to_owned()),
        "answerQuantity" => Typed::Num(v["value"].as_f64()?),
        _ => Typed::Text(v.as_str()?.to_owned()),
    })
}

fn compare(a: &Typed, b: &Typed) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Typed::Num(x), Typed::Num(y)) => x.partial_cmp(y),
        (Typed::Date(x), Typed::Date(y)) => Some(x.cmp(y)),
        (Typed::Text(x), Typed::Text(y)) => Some(x.cmp(y)),
        (Typed::Bool(x), Typed::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn holds(c: &Value, answers: &[Typed]) -> bool {
    use std::cmp::Ordering::*;
    let op = c["operator"].as_str().unwrap_or("");
    if op == "exists" {
        return c["answerBoolean"].as_bool().unwrap_or(true) != answers.is_empty();
    }
    let Some(want) = expected(c) else {
        return false;
    };
    let cmp = |a: &Typed| compare(a, &want);
    match op {
        "=" => answers.iter().any(|a| cmp(a) == Some(Equal)),
        "!=" => !answers.is_empty() && answers.iter().all(|a| cmp(a) != Some(Equal)),
        ">" => answers.iter().any(|a| cmp(a) == Some(Greater)),
        "<" => answers.iter().any(|a| cmp(a) == Some(Less)),
        ">=" => answers
            .iter()
            .any(|a| matches!(cmp(a), Some(Greater | Equal))),
        "<=" => answers.iter().any(|a| matches!(cmp(a), Some(Less | Equal))),
        _ => false,
    }
}

/// The `linkId`s of the items shown for these answers: an item is enabled when its group is
/// and its conditions hold on the answers of enabled items (repeated until nothing changes,
/// so a condition on a hidden question is false).
pub fn enabled_items(q: &Value, raw: &RawAnswers) -> HashSet<String> {
    let items = all_items(&q["item"]);
    let by_id: HashMap<&str, &Value> = items.iter().map(|i| (link(i), *i)).collect();
    let answers: HashMap<&str, Vec<Typed>> = items
        .iter()
        .map(|i| {
            let v = values(raw, link(i))
                .into_iter()
                .filter_map(|r| typed(i, r))
                .collect();
            (link(i), v)
        })
        .collect();
    let mut enabled: HashSet<String> = items.iter().map(|i| link(i).to_owned()).collect();
    for _ in 0..=items.len() {
        let mut next = HashSet::new();
        walk_enabled(&q["item"], true, &enabled, &answers, &by_id, &mut next);
        if next == enabled {
            break;
        }
        enabled = next;
    }
    enabled
}

fn walk_enabled(
    items: &Value,
    parent: bool,
    enabled: &HashSet<String>,
    answers: &HashMap<&str, Vec<Typed>>,
    by_id: &HashMap<&str, &Value>,
    out: &mut HashSet<String>,
) {
    for item in items.as_array().into_iter().flatten() {
        let on = parent && conditions_hold(item, enabled, answers, by_id);
        if on {
            out.insert(link(item).to_owned());
        }
        walk_enabled(&item["item"], on, enabled, answers, by_id, out);
    }
}

fn conditions_hold(
    item: &Value,
    enabled: &HashSet<String>,
    answers: &HashMap<&str, Vec<Typed>>,
    by_id: &HashMap<&str, &Value>,
) -> bool {
    let Some(conds) = item["enableWhen"].as_array().filter(|c| !c.is_empty()) else {
        return true;
    };
    let empty = Vec::new();
    let check = |c: &Value| {
        let q = c["question"].as_str().unwrap_or("");
        let given = if enabled.contains(q) && by_id.contains_key(q) {
            answers.get(q).unwrap_or(&empty)
        } else {
            &empty
        };
        holds(c, given)
    };
    if item["enableBehavior"] == "any" {
        conds.iter().any(check)
    } else {
        conds.iter().all(check)
    }
}

/// Check a filled form against its template. `today` bounds dates (no future dates).
pub fn answer(
    q: &Value,
    raw: &RawAnswers,
    today: Date,
) -> Result<Answered, Vec<ClinicalFieldError>> {
    let enabled = enabled_items(q, raw);
    let mut w = Filling {
        raw,
        enabled: &enabled,
        today,
        p: Problems::default(),
        totals: Vec::new(),
    };
    let (items, _) = w.items(&q["item"]);
    w.p.into_result(Answered {
        items,
        totals: w.totals,
    })
}

struct Filling<'a> {
    raw: &'a RawAnswers,
    enabled: &'a HashSet<String>,
    today: Date,
    p: Problems,
    totals: Vec<(String, f64)>,
}

impl Filling<'_> {
    /// The response items of `items`, and the sum of the option weights answered in them.
    fn items(&mut self, items: &Value) -> (Vec<Value>, f64) {
        let mut out = Vec::new();
        let mut score = 0.0;
        let mut totals = Vec::new();
        for item in items.as_array().into_iter().flatten() {
            let id = link(item);
            if !self.enabled.contains(id) {
                continue;
            }
            match item["type"].as_str().unwrap_or("") {
                "display" => {}
                "group" => {
                    let (children, s) = self.items(&item["item"]);
                    score += s;
                    if !children.is_empty() {
                        out.push(json!({"linkId": id, "text": item["text"], "item": children}));
                    }
                }
                _ if ext(item, EXT_TOTAL).is_some() => totals.push((out.len(), item)),
                _ => {
                    let (answers, s) = self.question(item);
                    score += s;
                    let mut node = json!({"linkId": id, "text": item["text"]});
                    if !answers.is_empty() {
                        node["answer"] = Value::Array(answers);
                    }
                    let children = self.items(&item["item"]);
                    score += children.1;
                    if !children.0.is_empty() {
                        node["item"] = Value::Array(children.0);
                    }
                    if node.get("answer").is_some() || node.get("item").is_some() {
                        out.push(node);
                    }
                }
            }
        }
        // Totals go where they stand in the template, after their siblings are summed.
        for (at, item) in totals.into_iter().rev() {
            let id = link(item);
            let value = if item["type"] == "integer" && score.fract() == 0.0 {
                json!({"valueInteger": score as i64})
            } else {
                json!({"valueDecimal": score})
            };
            self.totals.push((id.to_owned(), score));
            out.insert(
                at,
                json!({"linkId": id, "text": item["text"], "answer": [value]}),
            );
        }
        (out, score)
    }

    /// The answers of one question and their option weights.
    fn question(&mut self, item: &Value) -> (Vec<Value>, f64) {
        let id = link(item);
        let given = values(self.raw, id);
        if given.is_empty() {
            if item["required"] == true {
                self.p
                    .push(id, "required", "This question must be answered.");
            }
            return (Vec::new(), 0.0);
        }
        if given.len() > 1 && item["repeats"] != true {
            self.p.push(id, "single", "Give one answer only.");
            return (Vec::new(), 0.0);
        }
        let mut out = Vec::new();
        let mut score = 0.0;
        for raw in given {
            if let Some((v, s)) = self.value(item, raw) {
                out.push(v);
                score += s;
            } else {
                break;
            }
        }
        (out, score)
    }

    fn value(&mut self, item: &Value, raw: &str) -> Option<(Value, f64)> {
        let id = link(item);
        let kind = item["type"].as_str().unwrap_or("");
        match kind {
            "string" | "text" => {
                let max = item["maxLength"].as_u64().unwrap_or(if kind == "string" {
                    500
                } else {
                    10_000
                });
                if raw.chars().count() as u64 > max {
                    self.p
                        .push(id, "too_long", format!("At most {max} characters."));
                    return None;
                }
                Some((json!({"valueString": raw}), 0.0))
            }
            "integer" | "decimal" => {
                let v = match (kind, number(raw)) {
                    ("integer", Some(v)) if v.fract() == 0.0 => v,
                    ("integer", _) => {
                        self.p.push(id, "not_integer", "Enter a whole number.");
                        return None;
                    }
                    (_, Some(v)) => v,
                    (_, None) => {
                        self.p.push(id, "not_number", "Enter a number.");
                        return None;
                    }
                };
                self.bounds(item, v)?;
                let value = match ext(item, EXT_UNIT) {
                    Some(u) => {
                        let c = &u["valueCoding"];
                        json!({"valueQuantity": {"value": v, "unit": c["display"].as_str().or(c["code"].as_str()), "system": c["system"], "code": c["code"]}})
                    }
                    None if kind == "integer" => json!({"valueInteger": v as i64}),
                    None => json!({"valueDecimal": v}),
                };
                Some((value, 0.0))
            }
            "boolean" => match raw {
                "true" | "yes" | "on" => Some((json!({"valueBoolean": true}), 0.0)),
                "false" | "no" => Some((json!({"valueBoolean": false}), 0.0)),
                _ => {
                    self.p.push(id, "not_boolean", "Answer yes or no.");
                    None
                }
            },
            "date" => match raw.parse::<Date>() {
                Ok(d) if d > self.today => {
                    self.p
                        .push(id, "future_date", "The date cannot be in the future.");
                    None
                }
                Ok(d) => Some((json!({"valueDate": d.to_string()}), 0.0)),
                Err(_) => {
                    self.p.push(id, "not_date", "Enter a date (YYYY-MM-DD).");
                    None
                }
            },
            _ => match option(item, raw) {
                Some(o) => {
                    let (k, v) = o
                        .as_object()?
                        .iter()
                        .find(|(k, _)| k.starts_with("value"))?;
                    let weight = ext_value(v, EXT_ORDINAL)
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0);
                    let mut v = v.clone();
                    if let Value::Object(m) = &mut v {
                        m.remove("extension");
                    }
                    Some((json!({ k.clone(): v }), weight))
                }
                None if kind == "open-choice" => {
                    if raw.chars().count() > 500 {
                        self.p.push(id, "too_long", "At most 500 characters.");
                        return None;
                    }
                    Some((json!({"valueString": raw}), 0.0))
                }
                None => {
                    self.p
                        .push(id, "unknown_option", "Choose one of the listed answers.");
                    None
                }
            },
        }
    }

    fn bounds(&mut self, item: &Value, v: f64) -> Option<()> {
        let id = link(item);
        if let Some(min) = ext_value(item, EXT_MIN).and_then(Value::as_f64)
            && v < min
        {
            self.p.push(
                id,
                "too_small",
                format!("The smallest accepted value is {min}."),
            );
            return None;
        }
        if let Some(max) = ext_value(item, EXT_MAX).and_then(Value::as_f64)
            && v > max
        {
            self.p.push(
                id,
                "too_large",
                format!("The largest accepted value is {max}."),
            );
            return None;
        }
        Some(())
    }
}
