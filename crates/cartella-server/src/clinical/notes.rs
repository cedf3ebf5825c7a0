//! The visit note as a FHIR Composition (LOINC 11506-3 "Progress note") with one section per
//! SOAP heading. The note of `Encounter/X` is `Composition/X`: one id, no search needed, and its
//! `_history` is the note's version history. Section text is XHTML narrative (escaped).

use cartella_core::clinical::codes::{EXT_AMENDMENT_REASON, LOINC};
use cartella_core::clinical::notes::{SECTIONS, SoapInput};
use serde_json::{Value, json};

/// LOINC section codes of the SOAP headings.
fn section_code(section: &str) -> (&'static str, &'static str) {
    match section {
        "subjective" => ("61150-9", "Subjective"),
        "objective" => ("61149-1", "Objective"),
        "assessment" => ("51848-0", "Assessment"),
        _ => ("18776-5", "Plan"),
    }
}

const DIV_OPEN: &str = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The Composition body for a note; `reason` marks an amendment.
pub fn composition(
    id: &str,
    patient: &str,
    note: &SoapInput,
    status: &str,
    author: Value,
    date: &str,
    reason: Option<&str>,
) -> Value {
    let sections: Vec<Value> = SECTIONS
        .iter()
        .filter_map(|s| note.get(s).map(|t| (s, t)))
        .map(|(s, t)| {
            let (code, title) = section_code(s);
            json!({
                "title": title,
                "code": {"coding": [{"system": LOINC, "code": code, "display": title}]},
                "text": {"status": "generated", "div": format!("{DIV_OPEN}{}</div>", escape(t))},
            })
        })
        .collect();
    let mut c = json!({
        "resourceType": "Composition",
        "id": id,
        "status": status,
        "type": {"coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "encounter": {"reference": format!("Encounter/{id}")},
        "date": date,
        "author": [author],
        "title": "Visit note",
        "section": sections,
    });
    if let Some(r) = reason {
        c["extension"] = json!([{"url": EXT_AMENDMENT_REASON, "valueString": r}]);
    }
    c
}

/// The SOAP sections of a stored Composition.
pub fn sections_of(c: &Value) -> SoapInput {
    let mut out = SoapInput::default();
    for s in c["section"].as_array().into_iter().flatten() {
        let code = s["code"]["coding"][0]["code"].as_str().unwrap_or("");
        let div = s["text"]["div"].as_str().unwrap_or("");
        let inner = div
            .strip_prefix(DIV_OPEN)
            .and_then(|d| d.strip_suffix("</div>"))
            .unwrap_or(div);
        let text = Some(unescape(inner));
        match code {
            "61150-9" => out.subjective = text,
            "61149-1" => out.objective = text,
            "51848-0" => out.assessment = text,
            "18776-5" => out.plan = text,
            _ => {}
        }
    }
    out
}

/// The amendment reason a version carries, if it is an amendment.
pub fn reason_of(c: &Value) -> Option<&str> {
    c["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == EXT_AMENDMENT_REASON)?["valueString"]
        .as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_round_trip_through_narrative() {
        let note = SoapInput {
            subjective: Some("pain <3 days & worse at night".into()),
            plan: Some("ibuprofen\nreview in 1 week".into()),
            ..Default::default()
        };
        let c = composition(
            "e1",
            "p1",
            &note,
            "final",
            json!({}),
            "2026-01-01",
            Some("typo"),
        );
        assert!(
            c["section"][0]["text"]["div"]
                .as_str()
                .unwrap()
                .contains("&lt;3 days &amp;")
        );
        assert_eq!(sections_of(&c), note);
        assert_eq!(reason_of(&c), Some("typo"));
    }
}
