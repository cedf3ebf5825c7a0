//! Validation of the whole form and the FHIR round trip.

use super::*;
use jiff::civil::Date;
use serde_json::json;

fn today() -> Date {
    Date::new(2026, 3, 1).unwrap()
}

fn valid_input() -> PatientInput {
    PatientInput {
        given: " Maria  Luisa ".into(),
        family: "Rossi".into(),
        sex: "female".into(),
        birth_date: "10.12.1985".into(),
        identifiers: vec![
            IdentifierInput {
                system: "codice-fiscale".into(),
                value: "rssmra85t10a562s".into(),
            },
            IdentifierInput::default(),
            IdentifierInput {
                system: "http://clinic.example/mrn".into(),
                value: "42".into(),
            },
        ],
        phone: "+39 02 1234 5678".into(),
        email: "maria@example.it".into(),
        address: AddressInput {
            line: "Via Roma 1".into(),
            city: "Milano".into(),
            postal_code: "20121".into(),
            country: "it".into(),
        },
        emergency_contact: EmergencyContactInput {
            name: "Luca Rossi".into(),
            relationship: "brother".into(),
            phone: "333 1234567".into(),
        },
        gp: GpInput {
            name: "Dr. Bianchi".into(),
            phone: "02 9876543".into(),
        },
        notes: "Prefers morning appointments".into(),
        language: "it".into(),
        active: true,
    }
}

#[test]
fn a_complete_form_validates_to_canonical_values() {
    let v = valid_input().validate_on(today()).unwrap();
    assert_eq!(v.given, ["Maria", "Luisa"]);
    assert_eq!(v.birth_date, Date::new(1985, 12, 10).unwrap());
    assert_eq!(v.identifiers.len(), 2, "the blank row is ignored");
    assert_eq!(v.identifiers[0].value(), "RSSMRA85T10A562S");
    assert_eq!(v.address.unwrap().country.as_deref(), Some("IT"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let input = PatientInput {
        given: String::new(),
        family: "x".repeat(101),
        sex: "robot".into(),
        birth_date: "2030-01-01".into(),
        identifiers: vec![
            IdentifierInput {
                system: IdentifierKind::CodiceFiscale.system().into(),
                value: "RSSMRA85T10A562T".into(),
            },
            IdentifierInput {
                system: "nir".into(),
                value: "185057800608492".into(),
            },
            IdentifierInput {
                system: "kvnr".into(),
                value: "X110411676".into(),
            },
            IdentifierInput {
                system: "not a uri".into(),
                value: "1".into(),
            },
            IdentifierInput {
                system: String::new(),
                value: "2".into(),
            },
        ],
        phone: "call me".into(),
        email: "nobody".into(),
        address: AddressInput {
            postal_code: "20#21".into(),
            country: "Italy".into(),
            ..Default::default()
        },
        emergency_contact: EmergencyContactInput {
            phone: "12".into(),
            ..Default::default()
        },
        gp: GpInput {
            phone: "333 1234567".into(),
            ..Default::default()
        },
        notes: "n".repeat(5_000),
        language: "es".into(),
        active: true,
    };
    let errors = input.validate_on(today()).unwrap_err();
    let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    let expected = [
        ("given", "required"),
        ("family", "too_long"),
        ("sex", "invalid_choice"),
        ("birth_date", "future_date"),
        ("identifiers[0].value", "invalid_codice_fiscale"),
        ("identifiers[1].value", "invalid_nir"),
        ("identifiers[2].value", "invalid_kvnr"),
        ("identifiers[3].system", "invalid_system"),
        ("identifiers[4].system", "required"),
        ("phone", "invalid_phone"),
        ("email", "invalid_email"),
        ("address.postal_code", "invalid_postal_code"),
        ("address.country", "too_long"),
        ("emergency_contact.name", "required"),
        ("emergency_contact.phone", "invalid_phone"),
        ("gp.name", "required"),
        ("notes", "too_long"),
        ("language", "invalid_choice"),
    ];
    assert_eq!(got, expected);
    for e in &errors {
        assert!(FieldError::CODES.contains(&e.code), "{} not listed", e.code);
    }
}

#[test]
fn dates_required_invalid_and_duplicates() {
    let mut input = valid_input();
    input.birth_date = "31/02/1985".into();
    input.identifiers.push(IdentifierInput {
        system: "codice-fiscale".into(),
        value: "BNCGNN80A41H501X".into(),
    });
    let errors = input.validate_on(today()).unwrap_err();
    assert_eq!(
        errors,
        [
            FieldError::new("birth_date", "invalid_date"),
            FieldError::new("identifiers[3].value", "duplicate_identifier"),
        ]
    );
    let empty = PatientInput::default().validate_on(today()).unwrap_err();
    let fields: Vec<&str> = empty.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["given", "family", "sex", "birth_date"]);
}

#[test]
fn the_fhir_round_trip_gives_the_form_back() {
    let v = valid_input().validate_on(today()).unwrap();
    let p = fhir::to_fhir(&v, None);
    assert_eq!(p["resourceType"], "Patient");
    assert_eq!(
        p["identifier"][0]["system"],
        "http://hl7.it/sid/codiceFiscale"
    );
    assert_eq!(p["contact"][0]["relationship"][0]["coding"][0]["code"], "C");
    assert_eq!(p["generalPractitioner"][0]["display"], "Dr. Bianchi");
    assert_eq!(p["communication"][0]["language"]["coding"][0]["code"], "it");
    let back = fhir::to_input(&p);
    let mut expected = valid_input();
    expected.given = "Maria Luisa".into();
    expected.birth_date = "1985-12-10".into();
    expected.identifiers.remove(1);
    expected.identifiers[0].system = "http://hl7.it/sid/codiceFiscale".into();
    expected.identifiers[0].value = "RSSMRA85T10A562S".into();
    expected.address.country = "IT".into();
    assert_eq!(back, expected);
}

#[test]
fn merging_keeps_what_the_form_does_not_show() {
    let existing = json!({
        "resourceType": "Patient",
        "id": "p1",
        "meta": {"versionId": "3", "lastUpdated": "2026-01-01T00:00:00.000Z"},
        "name": [{"use": "maiden", "family": "Verdi"}, {"use": "official", "family": "Old", "prefix": ["Sig.ra"], "text": "Old"}],
        "identifier": [
            {"system": "http://hl7.it/sid/codiceFiscale", "value": "RSSMRA85T10A562S", "type": {"text": "CF"}},
            {"type": {"text": "no system"}, "value": "x"},
            {"system": "http://old.example/removed", "value": "9"}
        ],
        "telecom": [{"system": "fax", "value": "02 1"}, {"system": "phone", "value": "1", "use": "home"}],
        "generalPractitioner": [{"reference": "Practitioner/abc"}],
        "communication": [{"language": {"coding": [{"code": "es"}]}}],
        "maritalStatus": {"text": "married"},
        "link": [{"other": {"reference": "Patient/q"}, "type": "seealso"}]
    });
    let mut input = valid_input();
    input.identifiers[0].value = "RSSMRA85T10A562S".into();
    input.identifiers.truncate(1);
    let v = input.validate_on(today()).unwrap();
    let p = fhir::to_fhir(&v, Some(&existing));
    assert_eq!(p["id"], "p1");
    assert_eq!(p["maritalStatus"], existing["maritalStatus"]);
    assert_eq!(p["link"], existing["link"]);
    assert_eq!(p["name"][0], existing["name"][0], "the maiden name is kept");
    assert_eq!(p["name"][1]["family"], "Rossi");
    assert_eq!(p["name"][1]["prefix"], json!(["Sig.ra"]));
    assert!(p["name"][1].get("text").is_none());
    let ids = p["identifier"].as_array().unwrap();
    assert_eq!(
        ids.len(),
        2,
        "removed identifier dropped, system-less kept: {ids:?}"
    );
    assert_eq!(ids[0]["type"]["text"], "CF");
    assert_eq!(ids[1]["type"]["text"], "no system");
    assert_eq!(p["telecom"][0]["system"], "fax");
    assert_eq!(p["telecom"][1]["use"], "home");
    assert_eq!(p["telecom"][1]["value"], "+39 02 1234 5678");
    let gps = p["generalPractitioner"].as_array().unwrap();
    assert_eq!(gps[0]["reference"], "Practitioner/abc");
    assert_eq!(gps[1]["display"], "Dr. Bianchi");
    assert_eq!(p["communication"][1]["language"]["coding"][0]["code"], "es");

    // Clearing optional parts removes exactly what the form had put there.
    let mut cleared = input.clone();
    cleared.phone.clear();
    cleared.gp = GpInput::default();
    cleared.notes.clear();
    cleared.language.clear();
    let v = cleared.validate_on(today()).unwrap();
    let q = fhir::to_fhir(&v, Some(&p));
    assert_eq!(
        q["telecom"].as_array().unwrap().len(),
        2,
        "fax and e-mail stay"
    );
    assert_eq!(
        q["generalPractitioner"],
        json!([{"reference": "Practitioner/abc"}])
    );
    assert!(q.get("extension").is_none());
    assert_eq!(q["communication"][0]["language"]["coding"][0]["code"], "es");
}

#[test]
fn summaries_pick_the_national_identifier() {
    let mut input = valid_input();
    input.identifiers.swap(0, 2);
    let v = input.validate_on(today()).unwrap();
    let mut p = fhir::to_fhir(&v, None);
    p["id"] = json!("p1");
    p["meta"] = json!({"versionId": "4", "lastUpdated": "2026-01-01T00:00:00.000Z"});
    let s = fhir::to_summary(&p);
    assert_eq!(s.display_name, "Rossi, Maria Luisa");
    assert_eq!(s.version, 4);
    assert_eq!(
        s.main_identifier.unwrap().value,
        "RSSMRA85T10A562S",
        "the codice fiscale wins over the MRN listed first"
    );
    assert!(s.active);
}
