//! The resource form's values: a stored Schedule back into the form, the posted fields into
//! it, and their validation (weekly hours per weekday, exception periods in the practice time
//! zone, role codes) into the Schedule's managed parts, with translated per-field messages.

use super::super::super::forms::{FieldErrors, t};
use super::super::super::session::Web;
use super::{Pairs, get, tz};
use crate::scheduling::resources::{HOURS_URL, UNAVAILABLE_URL};
use cartella_core::scheduling::calendar::parse_hours;
use cartella_core::scheduling::zone::{format_local, parse_time};
use serde_json::{Value as Json, json};
/// System of `Schedule.serviceCategory`: what kind of resource the Schedule is for.
pub const KIND_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/resource-kind";
pub const KINDS: &[&str] = &["practitioner", "room", "theatre", "device"];
pub const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub const REASONS: &[&str] = &["holiday", "leave", "maintenance", "other"];

/// The form's values (also what is shown again after a refusal).
#[derive(serde::Serialize, Default)]
pub struct Input {
    pub kind: String,
    pub name: String,
    pub staff: String,
    pub roles: String,
    pub active: bool,
    pub hours: Vec<(String, String)>,
    pub exceptions: Vec<Exception>,
}

#[derive(serde::Serialize, Default, Clone)]
pub struct Exception {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub note: String,
}

pub fn kind_of(s: &Json) -> String {
    s.pointer("/serviceCategory/0/coding/0/code")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_owned()
}

fn roles_of(s: &Json) -> Vec<String> {
    s.pointer("/serviceType/0/coding")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["code"].as_str().map(str::to_owned))
        .collect()
}

fn ext<'a>(s: &'a Json, url: &'a str) -> impl Iterator<Item = &'a Json> + 'a {
    s["extension"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |e| e["url"] == url)
}

/// A stored Schedule back into the form.
pub fn input_of(s: &Json, tz: &jiff::tz::TimeZone) -> Input {
    let rules: Vec<&str> = ext(s, HOURS_URL)
        .filter_map(|e| e["valueString"].as_str())
        .collect();
    let hours = DAYS
        .iter()
        .map(|d| {
            let v = rules
                .iter()
                .filter_map(|r| r.strip_prefix(&format!("{d} ")))
                .collect::<Vec<_>>()
                .join(",");
            ((*d).to_owned(), v)
        })
        .collect();
    let local = |v: &Json| {
        v.as_str()
            .and_then(cartella_core::scheduling::appointment::parse_instant)
            .map(|u| super::local_input(u, tz))
            .unwrap_or_default()
    };
    let exceptions = ext(s, UNAVAILABLE_URL)
        .map(|e| {
            let sub = |k: &str| {
                e["extension"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|x| x["url"] == k)
                    .cloned()
                    .unwrap_or(Json::Null)
            };
            let text = sub("reason")["valueString"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let (reason, note) = match text.split_once(": ") {
                Some((r, n)) => (r.to_owned(), n.to_owned()),
                None => (text, String::new()),
            };
            let p = sub("period")["valuePeriod"].clone();
            Exception {
                from: local(&p["start"]),
                to: local(&p["end"]),
                reason,
                note,
            }
        })
        .collect();
    Input {
        kind: kind_of(s),
        name: s
            .pointer("/actor/0/display")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned(),
        staff: String::new(),
        roles: roles_of(s).join(", "),
        active: s["active"].as_bool() != Some(false),
        hours,
        exceptions,
    }
}

pub fn input_from(pairs: &Pairs) -> Input {
    let (from, to, reason, note) = (
        pairs_of(pairs, "ex_from"),
        pairs_of(pairs, "ex_to"),
        pairs_of(pairs, "ex_reason"),
        pairs_of(pairs, "ex_note"),
    );
    let exceptions = (0..from.len())
        .map(|i| Exception {
            from: from[i].clone(),
            to: to.get(i).cloned().unwrap_or_default(),
            reason: reason.get(i).cloned().unwrap_or_default(),
            note: note.get(i).cloned().unwrap_or_default(),
        })
        .filter(|e| !(e.from.is_empty() && e.to.is_empty()))
        .collect();
    Input {
        kind: get(pairs, "kind").to_owned(),
        name: get(pairs, "name").trim().to_owned(),
        staff: get(pairs, "staff").to_owned(),
        roles: get(pairs, "roles").to_owned(),
        active: get(pairs, "active") == "on",
        hours: DAYS
            .iter()
            .map(|d| {
                (
                    (*d).to_owned(),
                    get(pairs, &format!("hours_{d}")).trim().to_owned(),
                )
            })
            .collect(),
        exceptions,
    }
}

/// Every value of a repeated field, empty ones kept (rows line up by position).
fn pairs_of(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

/// Role codes typed as `surgeon, nurse`: lower-case letters, digits and dashes.
pub fn parse_roles(raw: &str) -> Option<Vec<String>> {
    let roles: Vec<String> = raw
        .split([',', ' '])
        .map(|r| r.trim().to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .collect();
    roles
        .iter()
        .all(|r| r.len() <= 40 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(roles)
}

/// Validate the form into the Schedule's managed parts; per-field translated messages.
pub fn validate(
    web: &Web,
    i: &Input,
    creating: bool,
) -> Result<(Vec<String>, Vec<Json>), FieldErrors> {
    let tz = tz(web);
    let mut errors = FieldErrors::new();
    if i.name.is_empty() || i.name.chars().count() > 120 {
        errors.insert("name".into(), t(web.lang, "sched-error-name"));
    }
    if creating && !KINDS.contains(&i.kind.as_str()) {
        errors.insert("kind".into(), t(web.lang, "sched-error-kind"));
    }
    let roles = parse_roles(&i.roles).unwrap_or_else(|| {
        errors.insert("roles".into(), t(web.lang, "sched-error-roles"));
        vec![]
    });
    let mut extensions = Vec::new();
    for (day, v) in &i.hours {
        if v.is_empty() {
            continue;
        }
        let rule = format!("{day} {}", v.replace(' ', ""));
        match parse_hours(&rule) {
            Ok(_) => extensions.push(json!({"url": HOURS_URL, "valueString": rule})),
            Err(_) => {
                errors.insert(format!("hours_{day}"), t(web.lang, "sched-error-hours"));
            }
        }
    }
    for (n, e) in i.exceptions.iter().enumerate() {
        let period = match (parse_time(&e.from, &tz), parse_time(&e.to, &tz)) {
            (Ok(a), Ok(b)) if b > a => Some((a, b)),
            _ => None,
        };
        let reason = if REASONS.contains(&e.reason.as_str()) {
            &e.reason
        } else {
            "other"
        };
        match period {
            Some((a, b)) => {
                let text = if e.note.is_empty() {
                    reason.to_owned()
                } else {
                    format!("{reason}: {}", e.note)
                };
                extensions.push(json!({"url": UNAVAILABLE_URL, "extension": [
                    {"url": "period", "valuePeriod": {"start": format_local(a, &tz), "end": format_local(b, &tz)}},
                    {"url": "reason", "valueString": text},
                ]}));
            }
            None => {
                errors.insert(format!("ex_{n}"), t(web.lang, "sched-error-period"));
            }
        }
    }
    if errors.is_empty() {
        Ok((roles, extensions))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_codes() {
        assert_eq!(
            parse_roles("Surgeon, nurse").unwrap(),
            vec!["surgeon", "nurse"]
        );
        assert!(parse_roles("a;b").is_none());
        assert_eq!(parse_roles("").unwrap(), Vec::<String>::new());
    }
}
