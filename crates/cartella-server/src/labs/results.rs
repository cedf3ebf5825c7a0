//! Entering the results of an order: every value checked (known test of the order, number,
//! UCUM unit convertible to the test's unit, plausible), flagged against the lab's own range
//! or the shipped one for the patient's age group, then the Observations, the
//! DiagnosticReport and the order's completion written in one transaction — or nothing.

use super::{CRITICAL_FOR, DIAGNOSTIC_SERVICE, catalog, orders, reads};
use crate::clinical::ClinicalError;
use crate::exams::support::{Result, author, ensure_may, new_id, patient, patient_of};
use cartella_core::access::Action;
use cartella_core::clinical::codes::{INTERPRETATION, LOINC, OBSERVATION_CATEGORY, UCUM};
use cartella_core::clinical::{Problems, time};
use cartella_core::labs::{self, ResultInput, ResultsInput, field, units};
use cartella_store::store::Write;
use cartella_store::{AccessContext, Store};
use cartella_terminology::loinc::{AgeGroup, Flag, LoincTerm, ReferenceRange};
use cartella_terminology::{TermError, ucum};
use serde_json::{Map, Value, json};

/// A checked result, ready to become an Observation.
struct Checked {
    term: &'static LoincTerm,
    value: Value,
    flag: Option<Flag>,
    range: Option<(Option<f64>, Option<f64>, &'static str)>,
    note: Option<String>,
}

/// `value` given in `from`, in `to`: UCUM conversions first, then the lab unit table.
fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    ucum::convert(value, from, to)
        .ok()
        .or_else(|| units::convert(value, from, to))
        .map(units::tidy)
}

fn check_one(p: &mut Problems, r: &ResultInput, group: AgeGroup) -> Option<Checked> {
    let term = catalog::orderable(&r.code).filter(|t| t.unit.is_some() || t.members.is_empty())?;
    let (low, high) = labs::check_range(p, r);
    let note = r
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let Some(want) = term.unit else {
        // Qualitative test: the reported text as is.
        let text = r.value.as_str().map(str::trim).unwrap_or_default();
        if text.chars().count() > 200 {
            p.push(
                field(&r.code, "value"),
                "too_long",
                "At most 200 characters.",
            );
            return None;
        }
        let value = match &r.value {
            Value::String(_) => json!({"valueString": text}),
            other => json!({"valueString": other.to_string()}),
        };
        return Some(Checked {
            term,
            value,
            flag: None,
            range: None,
            note,
        });
    };
    let Ok(Some(raw)) = labs::number(&r.value) else {
        p.push(field(&r.code, "value"), "not_a_number", "Enter a number.");
        return None;
    };
    let unit = r
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(want);
    if ucum::validate(unit).is_err() {
        p.push(
            field(&r.code, "unit"),
            "unknown_unit",
            format!("`{unit}` is not a UCUM unit; use {want}."),
        );
        return None;
    }
    let Some(value) = convert(raw, unit, want) else {
        p.push(
            field(&r.code, "unit"),
            "wrong_unit",
            format!("`{unit}` cannot be converted to {want}; enter the value in {want}."),
        );
        return None;
    };
    let (low, high) = (
        low.and_then(|l| convert(l, unit, want)),
        high.and_then(|h| convert(h, unit, want)),
    );
    let shipped = term.range_for(group).copied();
    let flag = match term.assess(value, group) {
        Ok(f) => f,
        Err(TermError::Implausible { min, max, .. }) => {
            p.push(
                field(&r.code, "value"),
                "implausible",
                format!("Not a possible value: expected {min} to {max} {want}."),
            );
            return None;
        }
        Err(e) => {
            p.push(field(&r.code, "value"), "invalid", e.to_string());
            return None;
        }
    };
    // The performing lab's own range wins; the shipped critical limits still apply.
    let (flag, range) = if low.is_some() || high.is_some() {
        let own = ReferenceRange {
            group,
            low,
            high,
            critical_low: shipped.and_then(|s| s.critical_low),
            critical_high: shipped.and_then(|s| s.critical_high),
            source: "performing laboratory",
        };
        (Some(own.flag(value)), Some((low, high, own.source)))
    } else {
        (flag, shipped.map(|s| (s.low, s.high, s.source)))
    };
    let value =
        json!({"valueQuantity": {"value": value, "unit": want, "system": UCUM, "code": want}});
    Some(Checked {
        term,
        value,
        flag,
        range,
        note,
    })
}

/// Records `input` as the results of order `order_id`; returns the report view.
pub async fn record(
    store: &Store,
    ctx: &AccessContext,
    order_id: &str,
    input: &ResultsInput,
) -> Result<Value> {
    ensure_may(store, ctx, "Observation", Action::Write).await?;
    ensure_may(store, ctx, "DiagnosticReport", Action::Write).await?;
    let (stored, sr) = orders::get(store, ctx, order_id).await?;
    if sr["status"] != "active" {
        return Err(ClinicalError::State(
            "the order already has its results".into(),
        ));
    }
    let patient_id = patient_of(&sr).unwrap_or_default().to_owned();
    let birth = patient(store, ctx, &patient_id).await?;
    let (at, conclusion, mut p) = input.check(jiff::Timestamp::now());
    let group = super::age_group(birth, at);
    let code = sr["code"]["coding"][0]["code"].as_str().unwrap_or_default();
    let expected = catalog::reported_tests(code);
    let mut checked = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for r in input.results.iter().filter(|r| !labs::is_blank(&r.value)) {
        if !expected.iter().any(|t| t.code == r.code.trim()) {
            p.push(
                field(&r.code, "value"),
                "not_in_order",
                "This test is not part of the order.",
            );
            continue;
        }
        if seen.contains(&r.code.trim()) {
            p.push(
                field(&r.code, "value"),
                "duplicate",
                "This test is given twice.",
            );
            continue;
        }
        seen.push(r.code.trim());
        let r = ResultInput {
            code: r.code.trim().to_owned(),
            ..r.clone()
        };
        if let Some(c) = check_one(&mut p, &r, group) {
            checked.push(c);
        }
    }
    p.into_result(())?;
    let effective = time::fhir(at);
    let issued = time::fhir(jiff::Timestamp::now());
    let requester = sr["requester"]["identifier"]["value"]
        .as_str()
        .map(str::to_owned);
    let mut writes = Vec::new();
    let mut result_refs = Vec::new();
    for c in checked {
        let id = new_id();
        let mut o = Map::new();
        o.insert("resourceType".into(), json!("Observation"));
        o.insert("id".into(), json!(id));
        o.insert("status".into(), json!("final"));
        let mut category = vec![
            json!({"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}),
        ];
        if let (Some(f), Some(req)) = (c.flag, &requester)
            && f.is_critical()
        {
            category.push(json!({"coding": [{"system": CRITICAL_FOR, "code": req}]}));
        }
        o.insert("category".into(), Value::Array(category));
        o.insert(
            "code".into(),
            json!({"coding": [{"system": LOINC, "code": c.term.code, "display": c.term.display}], "text": c.term.display}),
        );
        o.insert(
            "subject".into(),
            json!({"reference": format!("Patient/{patient_id}")}),
        );
        if sr["encounter"].is_object() {
            o.insert("encounter".into(), sr["encounter"].clone());
        }
        o.insert(
            "basedOn".into(),
            json!([{"reference": format!("ServiceRequest/{order_id}")}]),
        );
        o.insert("effectiveDateTime".into(), json!(effective));
        o.insert("issued".into(), json!(issued));
        o.insert("performer".into(), json!([author(ctx)]));
        if let Value::Object(v) = c.value {
            o.extend(v);
        }
        if let Some(f) = c.flag {
            o.insert(
                "interpretation".into(),
                json!([{"coding": [{"system": INTERPRETATION, "code": f.code()}]}]),
            );
        }
        if let (Some((low, high, source)), Some(unit)) = (c.range, c.term.unit) {
            let mut rr = Map::new();
            let q = |v: f64| json!({"value": v, "unit": unit, "system": UCUM, "code": unit});
            if let Some(l) = low {
                rr.insert("low".into(), q(l));
            }
            if let Some(h) = high {
                rr.insert("high".into(), q(h));
            }
            rr.insert("text".into(), json!(source));
            o.insert("referenceRange".into(), json!([rr]));
        }
        if let Some(n) = c.note {
            o.insert("note".into(), json!([{"text": n}]));
        }
        result_refs.push(json!({"reference": format!("Observation/{id}")}));
        writes.push(Write::Put {
            rtype: "Observation".into(),
            id,
            body: Value::Object(o),
            if_match: None,
        });
    }
    let report_id = new_id();
    let mut dr = json!({
        "resourceType": "DiagnosticReport",
        "id": report_id,
        "status": "final",
        "category": [{"coding": [{"system": DIAGNOSTIC_SERVICE, "code": "LAB", "display": "Laboratory"}]}],
        "code": sr["code"].clone(),
        "subject": {"reference": format!("Patient/{patient_id}")},
        "basedOn": [{"reference": format!("ServiceRequest/{order_id}")}],
        "effectiveDateTime": effective,
        "issued": issued,
        "performer": [author(ctx)],
        "result": result_refs,
    });
    if sr["encounter"].is_object() {
        dr["encounter"] = sr["encounter"].clone();
    }
    if let Some(c) = conclusion {
        dr["conclusion"] = json!(c);
    }
    writes.push(Write::Put {
        rtype: "DiagnosticReport".into(),
        id: report_id.clone(),
        body: dr,
        if_match: None,
    });
    let mut done = sr.clone();
    done["status"] = json!("completed");
    writes.push(Write::Put {
        rtype: "ServiceRequest".into(),
        id: order_id.to_owned(),
        body: done,
        if_match: Some(stored.version),
    });
    store.write_all(ctx, writes).await?;
    reads::report(store, ctx, &report_id).await
}
