//! Patient ↔ FHIR R4 `Patient` JSON. Writing merges the validated form onto the stored resource:
//! only the elements the form shows are changed, everything else (other names, extensions,
//! links, references to Practitioners…) is kept. Reading gives back the form
//! ([`PatientInput`]) and a list row ([`PatientSummary`]).

use super::identifiers::IdentifierKind;
use super::input::*;
use super::validate::ValidPatient;
use super::values::Language;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Canonical base of Cartella's own extensions.
pub const EXTENSION_BASE: &str = "https://cartella.dev/fhir/StructureDefinition";
/// `Patient.extension`: free-text administrative notes (valueString).
pub const NOTES_EXTENSION: &str = "https://cartella.dev/fhir/StructureDefinition/patient-notes";
/// `Patient.generalPractitioner.extension`: the GP's phone (valueString).
pub const GP_PHONE_EXTENSION: &str = "https://cartella.dev/fhir/StructureDefinition/gp-phone";
/// HL7 v2 table 0131 (contact role); `C` is "Emergency Contact".
pub const CONTACT_ROLE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";
pub const LANGUAGE_SYSTEM: &str = "urn:ietf:bcp:47";

/// One row of a patient list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientSummary {
    pub id: String,
    pub version: i64,
    /// `Family, Given Names`.
    pub display_name: String,
    pub family: String,
    pub given: String,
    pub birth_date: String,
    pub sex: String,
    /// The first national identifier (codice fiscale, NIR, KVNR), else the first identifier.
    pub main_identifier: Option<IdentifierInput>,
    pub phone: String,
    pub active: bool,
    /// `meta.lastUpdated` (FHIR instant).
    pub last_updated: String,
}

/// Build the Patient to store: `valid` merged onto `existing` (or a new resource).
pub fn to_fhir(valid: &ValidPatient, existing: Option<&Value>) -> Value {
    let mut p = match existing {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    p.insert("resourceType".into(), json!("Patient"));
    p.insert("active".into(), json!(valid.active));
    set_name(&mut p, valid);
    p.insert("gender".into(), json!(valid.sex.as_str()));
    p.insert("birthDate".into(), json!(valid.birth_date.to_string()));
    set_identifiers(&mut p, valid);
    set_telecom(&mut p, "phone", valid.phone.as_ref().map(|x| x.as_str()));
    set_telecom(&mut p, "email", valid.email.as_ref().map(|x| x.as_str()));
    set_address(&mut p, valid);
    set_emergency_contact(&mut p, valid);
    set_gp(&mut p, valid);
    set_language(&mut p, valid.language);
    set_extension(&mut p, NOTES_EXTENSION, valid.notes.as_deref());
    Value::Object(p)
}

/// The form as it would show this Patient (for edit forms).
pub fn to_input(p: &Value) -> PatientInput {
    let name = official_name(p);
    let address = p["address"].get(0);
    let contact = emergency_contact(p).unwrap_or(&Value::Null);
    let gp = p["generalPractitioner"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g.get("display").is_some()));
    PatientInput {
        given: given_of(name),
        family: str_of(&name["family"]),
        sex: str_of(&p["gender"]),
        birth_date: str_of(&p["birthDate"]),
        identifiers: shown_identifiers(p).collect(),
        phone: telecom(p, "phone"),
        email: telecom(p, "email"),
        address: address.map_or_else(AddressInput::default, |a| AddressInput {
            line: a["line"]
                .as_array()
                .map(|l| l.iter().map(str_of).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            city: str_of(&a["city"]),
            postal_code: str_of(&a["postalCode"]),
            country: str_of(&a["country"]),
        }),
        emergency_contact: EmergencyContactInput {
            name: str_of(&contact["name"]["text"]),
            relationship: contact["relationship"]
                .as_array()
                .and_then(|r| r.iter().find(|cc| !is_emergency_role(cc)))
                .map(|cc| str_of(&cc["text"]))
                .unwrap_or_default(),
            phone: contact["telecom"]
                .as_array()
                .and_then(|t| t.iter().find(|x| x["system"] == "phone"))
                .map(|x| str_of(&x["value"]))
                .unwrap_or_default(),
        },
        gp: gp.map_or_else(GpInput::default, |g| GpInput {
            name: str_of(&g["display"]),
            phone: extension(g, GP_PHONE_EXTENSION),
        }),
        notes: extension(p, NOTES_EXTENSION),
        language: managed_language(p)
            .map(|(_, l)| l.as_str().to_owned())
            .unwrap_or_default(),
        // FHIR: a Patient without `active` is active.
        active: p["active"].as_bool().unwrap_or(true),
    }
}

/// The list row for a stored Patient.
pub fn to_summary(p: &Value) -> PatientSummary {
    let input = to_input(p);
    let ids: Vec<IdentifierInput> = shown_identifiers(p).collect();
    let main = ids
        .iter()
        .find(|i| IdentifierKind::from_system(&i.system).is_some())
        .or(ids.first())
        .cloned();
    let display_name = match (input.family.is_empty(), input.given.is_empty()) {
        (false, false) => format!("{}, {}", input.family, input.given),
        (false, true) => input.family.clone(),
        _ => input.given.clone(),
    };
    PatientSummary {
        id: str_of(&p["id"]),
        version: p["meta"]["versionId"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        display_name,
        family: input.family,
        given: input.given,
        birth_date: input.birth_date,
        sex: input.sex,
        main_identifier: main,
        phone: input.phone,
        active: input.active,
        last_updated: str_of(&p["meta"]["lastUpdated"]),
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn given_of(name: &Value) -> String {
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
fn official_index(names: &[Value]) -> Option<usize> {
    names
        .iter()
        .position(|n| n["use"] == "official")
        .or_else(|| names.iter().position(|n| n.get("use").is_none()))
}

fn official_name(p: &Value) -> &Value {
    let names = p["name"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    official_index(names).map_or(&Value::Null, |i| &names[i])
}

fn array(p: &mut Map<String, Value>, key: &str) -> Vec<Value> {
    match p.remove(key) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

fn put_array(p: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        p.insert(key.into(), Value::Array(items));
    }
}

fn set_name(p: &mut Map<String, Value>, v: &ValidPatient) {
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
fn shown_identifiers(p: &Value) -> impl Iterator<Item = IdentifierInput> + '_ {
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

fn set_identifiers(p: &mut Map<String, Value>, v: &ValidPatient) {
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

fn canonical(system: &str, value: &str) -> String {
    IdentifierKind::from_system(system)
        .and_then(|k| k.canonical(value))
        .unwrap_or_else(|| value.trim().to_owned())
}

fn telecom(p: &Value, system: &str) -> String {
    p["telecom"]
        .as_array()
        .and_then(|t| t.iter().find(|x| x["system"] == system))
        .map(|x| str_of(&x["value"]))
        .unwrap_or_default()
}

/// The first telecom of `system` is the form's; others (a second phone, a fax) are kept.
fn set_telecom(p: &mut Map<String, Value>, system: &str, value: Option<&str>) {
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

fn set_address(p: &mut Map<String, Value>, v: &ValidPatient) {
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

fn is_emergency_role(cc: &Value) -> bool {
    cc["coding"].as_array().is_some_and(|c| {
        c.iter()
            .any(|x| x["system"] == CONTACT_ROLE_SYSTEM && x["code"] == "C")
    })
}

fn is_emergency_contact(c: &Value) -> bool {
    c["relationship"]
        .as_array()
        .is_some_and(|r| r.iter().any(is_emergency_role))
}

fn emergency_contact(p: &Value) -> Option<&Value> {
    p["contact"]
        .as_array()?
        .iter()
        .find(|c| is_emergency_contact(c))
}

fn set_emergency_contact(p: &mut Map<String, Value>, v: &ValidPatient) {
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
fn set_gp(p: &mut Map<String, Value>, v: &ValidPatient) {
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
fn managed_language(p: &Value) -> Option<(usize, Language)> {
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

fn set_language(p: &mut Map<String, Value>, lang: Option<Language>) {
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

fn extension(v: &Value, url: &str) -> String {
    v["extension"]
        .as_array()
        .and_then(|e| e.iter().find(|x| x["url"] == url))
        .map(|x| str_of(&x["valueString"]))
        .unwrap_or_default()
}

fn set_extension(m: &mut Map<String, Value>, url: &str, value: Option<&str>) {
    let mut list = array(m, "extension");
    list.retain(|x| x["url"] != url);
    if let Some(v) = value {
        list.push(json!({ "url": url, "valueString": v }));
    }
    put_array(m, "extension", list);
}
