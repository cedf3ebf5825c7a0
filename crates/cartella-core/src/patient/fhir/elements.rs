//! One function per Patient element the form edits: how it is read, and how the form's value
//! is merged onto the stored element so that what the form does not show is kept.

use super::{CONTACT_ROLE_SYSTEM, GP_PHONE_EXTENSION, LANGUAGE_SYSTEM};
use crate::patient::identifiers::IdentifierKind;
use crate::patient::input::IdentifierInput;
use crate::patient::validate::ValidPatient;
use crate::patient::values::Language;
use serde_json::{Map, Value, json};

pub(super) fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

pub(super) fn given_of(name: &Value) -> String {
    name["given"]
        .as_array()
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// Index of the name the form edits: the official one, else the first without a `use`.
pub(super) fn official_index(names: &[Value]) -> Option<usize> {
    names
        .iter()
        .position(|n| n["use"] == "official")
        .or_else(|| names.iter().position(|n| n.get("use").is_none()))
}

pub(super) fn official_name(p: &Value) -> &Value {
    let names = p["name"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    official_index(names).map_or(&Value::Null, |i| &names[i])
}

pub(super) fn array(p: &mut Map<String, Value>, key: &str) -> Vec<Value> {
    match p.remove(key) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

pub(super) fn put_array(p: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        p.insert(key.into(), Value::Array(items));
    }
}

pub(super) fn set_name(p: &mut Map<String, Value>, v: &ValidPatient) {
    let mut names = array(p, "name");
    let idx = official_index(&names);
    let mut name = idx.map_or_else(|| json!({}), |i| names[i].clone());
    // `text` would contradict the new parts; renderers rebuild it from family and given.
    if let Value::Object(n) = &mut name {
        n.remove("text");
        n.insert("use".into(), json!("official"));
        n.insert("family".into(), json!(v.family));
        n.insert("given".into(), json!(v.given));
    }
    match idx {
        Some(i) => names[i] = name,
        None => names.insert(0, name),
    }
    put_array(p, "name", names);
}

/// Identifiers the form shows: those with both a system and a value.
pub(super) fn shown_identifiers(p: &Value) -> impl Iterator<Item = IdentifierInput> + '_ {
    p["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some(IdentifierInput {
                system: i["system"].as_str()?.to_owned(),
                value: i["value"].as_str()?.to_owned(),
            })
        })
}

pub(super) fn set_identifiers(p: &mut Map<String, Value>, v: &ValidPatient) {
    let old = array(p, "identifier");
    let (shown, hidden): (Vec<Value>, Vec<Value>) = old
        .into_iter()
        .partition(|i| i["system"].is_string() && i["value"].is_string());
    let mut out: Vec<Value> = v
        .identifiers
        .iter()
        .map(|id| {
            // Keep what else an existing identifier carried (type, period, assigner).
            let same = |i: &&Value| {
                i["system"] == id.system()
                    && i["value"]
                        .as_str()
                        .is_some_and(|x| canonical(id.system(), x) == id.value())
            };
            let mut item = shown
                .iter()
                .find(same)
                .cloned()
                .unwrap_or_else(|| json!({}));
            item["system"] = json!(id.system());
            item["value"] = json!(id.value());
            item
        })
        .collect();
    out.extend(hidden);
    put_array(p, "identifier", out);
}

pub(super) fn canonical(system: &str, value: &str) -> String {
    IdentifierKind::from_system(system)
        .and_then(|k| k.canonical(value))
        .unwrap_or_else(|| value.trim().to_owned())
}

pub(super) fn telecom(p: &Value, system: &str) -> String {
    p["telecom"]
        .as_array()
        .and_then(|t| t.iter().find(|x| x["system"] == system))
        .map(|x| str_of(&x["value"]))
        .unwrap_or_default()
}

/// The first telecom of `system` is the form's; others (a second phone, a fax) are kept.
pub(super) fn set_telecom(p: &mut Map<String, Value>, system: &str, value: Option<&str>) {
    let mut t = array(p, "telecom");
    let idx = t.iter().position(|x| x["system"] == system);
    match (idx, value) {
        (Some(i), Some(v)) => t[i]["value"] = json!(v),
        (Some(i), None) => {
            t.remove(i);
        }
        (None, Some(v)) => t.push(json!({ "system": system, "value": v })),
        (None, None) => {}
    }
    put_array(p, "telecom", t);
}

pub(super) fn set_address(p: &mut Map<String, Value>, v: &ValidPatient) {
    let mut list = array(p, "address");
    match &v.address {
        None if !list.is_empty() => {
            list.remove(0);
        }
        None => {}
        Some(a) => {
            let mut addr = match list.first() {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            addr.remove("text");
            let mut set = |key: &str, val: Option<Value>| match val {
                Some(x) => {
                    addr.insert(key.into(), x);
                }
                None => {
                    addr.remove(key);
                }
            };
            set("line", a.line.as_ref().map(|l| json!([l])));
            set("city", a.city.as_ref().map(|x| json!(x)));
            set("postalCode", a.postal_code.as_ref().map(|x| json!(x)));
            set("country", a.country.as_ref().map(|x| json!(x)));
            if list.is_empty() {
                list.push(Value::Object(addr));
            } else {
                list[0] = Value::Object(addr);
            }
        }
    }
    put_array(p, "address", list);
}

pub(super) fn is_emergency_role(cc: &Value) -> bool {
    cc["coding"].as_array().is_some_and(|c| {
        c.iter()
            .any(|x| x["system"] == CONTACT_ROLE_SYSTEM && x["code"] == "C")
    })
}

pub(super) fn is_emergency_contact(c: &Value) -> bool {
    c["relationship"]
        .as_array()
        .is_some_and(|r| r.iter().any(is_emergency_role))
}

pub(super) fn emergency_contact(p: &Value) -> Option<&Value> {
    p["contact"]
        .as_array()?
        .iter()
        .find(|c| is_emergency_contact(c))
}

pub(super) fn set_emergency_contact(p: &mut Map<String, Value>, v: &ValidPatient) {
    let mut contacts = array(p, "contact");
    let idx = contacts.iter().position(is_emergency_contact);
    match (&v.emergency_contact, idx) {
        (None, Some(i)) => {
            contacts.remove(i);
        }
        (None, None) => {}
        (Some(e), idx) => {
            let mut c = idx.map_or_else(|| json!({}), |i| contacts[i].clone());
            let mut relationship = vec![
                json!({ "coding": [{ "system": CONTACT_ROLE_SYSTEM, "code": "C", "display": "Emergency Contact" }] }),
            ];
            if let Some(r) = &e.relationship {
                relationship.push(json!({ "text": r }));
            }
            c["relationship"] = Value::Array(relationship);
            c["name"] = json!({ "text": e.name });
            match &e.phone {
                Some(ph) => c["telecom"] = json!([{ "system": "phone", "value": ph.as_str() }]),
                None => {
                    if let Value::Object(m) = &mut c {
                        m.remove("telecom");
                    }
                }
            }
            match idx {
                Some(i) => contacts[i] = c,
                None => contacts.push(c),
            }
        }
    }
    put_array(p, "contact", contacts);
}

/// The GP the form edits is the first `generalPractitioner` with a `display`; references
/// without one (a linked Practitioner) are not shown and so never touched.
pub(super) fn set_gp(p: &mut Map<String, Value>, v: &ValidPatient) {
    let mut list = array(p, "generalPractitioner");
    let idx = list.iter().position(|g| g.get("display").is_some());
    match (&v.gp, idx) {
        (None, Some(i)) => {
            list.remove(i);
        }
        (None, None) => {}
        (Some(gp), idx) => {
            let mut g = idx.map_or_else(|| json!({}), |i| list[i].clone());
            if let Value::Object(m) = &mut g {
                m.insert("display".into(), json!(gp.name));
                set_extension(m, GP_PHONE_EXTENSION, gp.phone.as_ref().map(|x| x.as_str()));
            }
            match idx {
                Some(i) => list[i] = g,
                None => list.push(g),
            }
        }
    }
    put_array(p, "generalPractitioner", list);
}

/// The preferred `communication` entry if its language is one of Cartella's.
pub(super) fn managed_language(p: &Value) -> Option<(usize, Language)> {
    let list = p["communication"].as_array()?;
    let idx = list
        .iter()
        .position(|c| c["preferred"] == true)
        .unwrap_or(0);
    let code = list.get(idx)?["language"]["coding"]
        .as_array()?
        .iter()
        .find_map(|c| c["code"].as_str())?;
    let primary = code.split('-').next().unwrap_or(code);
    Language::parse(primary).map(|l| (idx, l))
}

pub(super) fn set_language(p: &mut Map<String, Value>, lang: Option<Language>) {
    let managed = managed_language(&Value::Object(p.clone())).map(|(i, _)| i);
    let mut list = array(p, "communication");
    match (lang, managed) {
        (None, Some(i)) => {
            list.remove(i);
        }
        (None, None) => {}
        (Some(l), idx) => {
            let entry = json!({
                "language": { "coding": [{ "system": LANGUAGE_SYSTEM, "code": l.as_str() }] },
                "preferred": true,
            });
            match idx {
                Some(i) => list[i] = entry,
                None => {
                    // Only one preferred language.
                    for c in &mut list {
                        if let Value::Object(m) = c {
                            m.remove("preferred");
                        }
                    }
                    list.insert(0, entry);
                }
            }
        }
    }
    put_array(p, "communication", list);
}

pub(super) fn extension(v: &Value, url: &str) -> String {
    v["extension"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["url"] == url))
        .map(|x| str_of(&x["valueString"]))
        .unwrap_or_default()
}

pub(super) fn set_extension(m: &mut Map<String, Value>, url: &str, value: Option<&str>) {
    let mut list = array(m, "extension");
    list.retain(|x| x["url"] != url);
    if let Some(v) = value {
        list.push(json!({ "url": url, "valueString": v }));
    }
    put_array(m, "extension", list);
}
