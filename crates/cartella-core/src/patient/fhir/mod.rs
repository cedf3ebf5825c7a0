//! Patient ↔ FHIR R4 `Patient` JSON. Writing merges the validated form onto the stored resource:
//! only the elements the form shows are changed, everything else (other names, extensions,
//! links, references to Practitioners…) is kept. Reading gives back the form
//! ([`PatientInput`]) and a list row ([`PatientSummary`]).

mod elements;

use crate::patient::identifiers::IdentifierKind;
use crate::patient::input::*;
use crate::patient::validate::ValidPatient;
use elements::*;

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
