//! Lab orders and results, the rules free of I/O and of terminology tables: what an order and a
//! result set look like as sent, the checks that need no LOINC or UCUM table (numbers, lengths,
//! choices, a lab range that makes sense), conversions between lab units of one dimension
//! ([`units`]) and the geometry of a trend chart ([`chart`]). The server checks codes and units
//! against the terminology crate and merges its problems with these.

pub mod chart;
pub mod units;

use crate::clinical::{Problems, time};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const MAX_NOTE: usize = 2_000;
/// An order names at most this many tests (a requisition, not a catalogue).
pub const MAX_TESTS: usize = 30;
pub const PRIORITIES: [&str; 4] = ["routine", "urgent", "asap", "stat"];

/// Order tests or panels for a patient: one ServiceRequest per code, one requisition.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderInput {
    /// LOINC codes of orderable tests or panels.
    pub tests: Vec<String>,
    pub priority: Option<String>,
    pub encounter: Option<String>,
    pub note: Option<String>,
}

pub struct ValidOrder {
    pub tests: Vec<String>,
    pub priority: &'static str,
    pub note: Option<String>,
}

impl OrderInput {
    /// Checks what needs no catalogue; codes are checked by the server (field `tests`).
    pub fn check(&self) -> (ValidOrder, Problems) {
        let mut p = Problems::default();
        let mut tests: Vec<String> = Vec::new();
        for t in self
            .tests
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            if !tests.iter().any(|x| x == t) {
                tests.push(t.to_owned());
            }
        }
        if tests.is_empty() {
            p.push("tests", "required", "Choose at least one test or panel.");
        } else if tests.len() > MAX_TESTS {
            p.push(
                "tests",
                "too_many",
                format!("At most {MAX_TESTS} tests per order."),
            );
        }
        let priority = p.choice("priority", self.priority.as_deref(), &PRIORITIES, "routine");
        let note = p.text("note", self.note.as_deref(), MAX_NOTE);
        (
            ValidOrder {
                tests,
                priority,
                note,
            },
            p,
        )
    }
}

/// One result as sent: `value` is a number (or numeric text, `5,2` accepted) for quantitative
/// tests and text for qualitative ones; `unit` defaults to the test's unit; `low`/`high` are
/// the performing lab's own range, in the same unit as the value.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResultInput {
    pub code: String,
    pub value: Value,
    pub unit: Option<String>,
    pub low: Option<Value>,
    pub high: Option<Value>,
    pub note: Option<String>,
}

/// A result set for an order: becomes one DiagnosticReport with its Observations.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResultsInput {
    /// When the specimen was taken; now when absent.
    pub effective: Option<String>,
    pub results: Vec<ResultInput>,
    pub conclusion: Option<String>,
}

/// A value that was given but is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// A number from JSON or typed text (`"5.2"`, `"5,2"`); `Err` when given but not a number.
pub fn number(raw: &Value) -> Result<Option<f64>, NotANumber> {
    let n = match raw {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
        _ => None,
    };
    n.filter(|v| v.is_finite()).map(Some).ok_or(NotANumber)
}

/// A result's field path in errors: `results.<code>.<part>`.
pub fn field(code: &str, part: &str) -> String {
    format!("results.{code}.{part}")
}

/// The checks of one result that need no terminology: the lab range's bounds are numbers with
/// low below high, the note's length. Returns `(low, high)`.
pub fn check_range(p: &mut Problems, r: &ResultInput) -> (Option<f64>, Option<f64>) {
    let mut bound =
        |part: &str, raw: &Option<Value>| match number(raw.as_ref().unwrap_or(&Value::Null)) {
            Ok(v) => v,
            Err(NotANumber) => {
                p.push(field(&r.code, part), "not_a_number", "Enter a number.");
                None
            }
        };
    let low = bound("low", &r.low);
    let high = bound("high", &r.high);
    if let (Some(l), Some(h)) = (low, high)
        && l > h
    {
        p.push(
            field(&r.code, "high"),
            "range_inverted",
            "The upper limit must not be below the lower limit.",
        );
    }
    p.text(&field(&r.code, "note"), r.note.as_deref(), MAX_NOTE);
    (low, high)
}

impl ResultsInput {
    /// When the specimen was taken, the conclusion, and at least one result given.
    pub fn check(&self, now: Timestamp) -> (Timestamp, Option<String>, Problems) {
        let mut p = Problems::default();
        let at = time::when(&mut p, "effective", self.effective.as_deref(), now);
        let conclusion = p.text("conclusion", self.conclusion.as_deref(), MAX_NOTE);
        let any = self.results.iter().any(|r| !is_blank(&r.value));
        if !any {
            p.push("results", "required", "Enter at least one result.");
        }
        (at, conclusion, p)
    }
}

/// A value left empty in the form (the test was not reported).
pub fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
