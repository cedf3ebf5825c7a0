//! A response read back: the template's questions in order, each with its answers as text,
//! the unit, and the weight of the chosen options; groups as headings. Unanswered and hidden
//! questions are left out.

use super::template::{ext, ext_value, translated};
use super::{EXT_ORDINAL, EXT_TOTAL, EXT_UNIT, text_in};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub link_id: String,
    /// 0 for top-level items.
    pub depth: usize,
    pub text: String,
    /// A heading (group) rather than a question.
    pub group: bool,
    pub answers: Vec<String>,
    pub unit: Option<String>,
    /// The sum of the chosen options' weights, when they have any.
    pub score: Option<f64>,
    /// A computed total.
    pub total: bool,
}

fn answers_by_id(items: &Value, out: &mut HashMap<String, Vec<Value>>) {
    for i in items.as_array().into_iter().flatten() {
        if let (Some(id), Some(a)) = (i["linkId"].as_str(), i["answer"].as_array()) {
            out.insert(id.to_owned(), a.clone());
        }
        answers_by_id(&i["item"], out);
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The text of one answer; `yes_no` are the words for booleans in the reader's language.
fn answer_text(item: &Value, a: &Value, lang: &str, yes_no: (&str, &str)) -> (String, f64) {
    let weight = |code: &str| {
        item["answerOption"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["valueCoding"]["code"] == code))
            .and_then(|o| ext_value(&o["valueCoding"], EXT_ORDINAL))
            .and_then(Value::as_f64)
    };
    if let Some(c) = a.get("valueCoding") {
        let code = c["code"].as_str().unwrap_or("");
        let option = item["answerOption"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["valueCoding"]["code"] == code));
        let shown = option
            .map(|o| &o["valueCoding"])
            .and_then(|c| translated(c, "display", lang).or(c["display"].as_str()))
            .or(c["display"].as_str())
            .unwrap_or(code)
            .to_owned();
        return (shown, weight(code).unwrap_or(0.0));
    }
    let text = if let Some(b) = a["valueBoolean"].as_bool() {
        (if b { yes_no.0 } else { yes_no.1 }).to_owned()
    } else if let Some(q) = a.get("valueQuantity") {
        q["value"].as_f64().map(number).unwrap_or_default()
    } else if let Some(v) = a["valueDecimal"].as_f64() {
        number(v)
    } else if let Some(v) = a["valueInteger"].as_i64() {
        v.to_string()
    } else {
        a.as_object()
            .and_then(|m| m.values().find_map(Value::as_str))
            .unwrap_or("")
            .to_owned()
    };
    (text, 0.0)
}

/// The rows of `response` (a QuestionnaireResponse) against its template `q`.
pub fn readable(q: &Value, response: &Value, lang: &str, yes_no: (&str, &str)) -> Vec<Row> {
    let mut answers = HashMap::new();
    answers_by_id(&response["item"], &mut answers);
    let mut rows = Vec::new();
    walk(&q["item"], 0, &answers, lang, yes_no, &mut rows);
    rows
}

fn walk(
    items: &Value,
    depth: usize,
    answers: &HashMap<String, Vec<Value>>,
    lang: &str,
    yes_no: (&str, &str),
    rows: &mut Vec<Row>,
) {
    for item in items.as_array().into_iter().flatten() {
        let id = item["linkId"].as_str().unwrap_or("").to_owned();
        let text = text_in(item, lang).to_owned();
        if item["type"] == "group" {
            let before = rows.len();
            rows.push(Row {
                link_id: id,
                depth,
                text,
                group: true,
                answers: vec![],
                unit: None,
                score: None,
                total: false,
            });
            walk(&item["item"], depth + 1, answers, lang, yes_no, rows);
            if rows.len() == before + 1 {
                rows.pop();
            }
            continue;
        }
        if let Some(given) = answers.get(&id) {
            let mut texts = Vec::new();
            let mut score = None;
            for a in given {
                let (t, w) = answer_text(item, a, lang, yes_no);
                texts.push(t);
                if w != 0.0 || has_weights(item) {
                    score = Some(score.unwrap_or(0.0) + w);
                }
            }
            let unit = ext(item, EXT_UNIT)
                .and_then(|u| {
                    u["valueCoding"]["display"]
                        .as_str()
                        .or(u["valueCoding"]["code"].as_str())
                })
                .map(str::to_owned);
            rows.push(Row {
                link_id: id,
                depth,
                text,
                group: false,
                answers: texts,
                unit,
                score,
                total: ext(item, EXT_TOTAL).is_some(),
            });
        }
        walk(&item["item"], depth + 1, answers, lang, yes_no, rows);
    }
}

fn has_weights(item: &Value) -> bool {
    item["answerOption"].as_array().is_some_and(|o| {
        o.iter()
            .any(|o| ext(&o["valueCoding"], EXT_ORDINAL).is_some())
    })
}
