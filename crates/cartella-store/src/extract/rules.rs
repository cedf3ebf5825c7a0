//! The indexed search parameters per resource type. Names and meanings follow the FHIR R4
//! search parameters; identifying parameters of people (patients and their relatives) are
//! `blind`: only keyed tokens reach the database. `_id` and `_lastUpdated` need no rule.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    String,
    Date,
    Reference,
    Quantity,
    /// A plain number (kept in the quantity index without system and unit).
    Number,
}

#[derive(Debug)]
pub struct ParamRule {
    pub name: &'static str,
    pub kind: Kind,
    pub paths: &'static [&'static str],
    pub blind: bool,
    /// For references: only targets of this type are indexed (e.g. `patient` → Patient).
    pub target: Option<&'static str>,
}

const fn p(name: &'static str, kind: Kind, paths: &'static [&'static str]) -> ParamRule {
    ParamRule {
        name,
        kind,
        paths,
        blind: false,
        target: None,
    }
}
const fn blind(name: &'static str, kind: Kind, paths: &'static [&'static str]) -> ParamRule {
    ParamRule {
        name,
        kind,
        paths,
        blind: true,
        target: None,
    }
}
const fn patient_ref(paths: &'static [&'static str]) -> ParamRule {
    ParamRule {
        name: "patient",
        kind: Kind::Reference,
        paths,
        blind: false,
        target: Some("Patient"),
    }
}

use Kind::*;

const PATIENT: &[ParamRule] = &[
    blind("name", String, &["name"]),
    blind("family", String, &["name.family"]),
    blind("given", String, &["name.given"]),
    blind("birthdate", Date, &["birthDate"]),
    blind("identifier", Token, &["identifier"]),
    blind("telecom", Token, &["telecom"]),
    blind("phone", Token, &["telecom"]),
    blind("email", Token, &["telecom"]),
    blind("address", String, &["address"]),
    blind("address-city", String, &["address.city"]),
    blind("address-postalcode", String, &["address.postalCode"]),
    p("gender", Token, &["gender"]),
    p("active", Token, &["active"]),
    p("deceased", Token, &["deceasedBoolean"]),
    p("general-practitioner", Reference, &["generalPractitioner"]),
    p("organization", Reference, &["managingOrganization"]),
    p("link", Reference, &["link.other"]),
];

const RELATED_PERSON: &[ParamRule] = &[
    blind("name", String, &["name"]),
    blind("identifier", Token, &["identifier"]),
    blind("telecom", Token, &["telecom"]),
    patient_ref(&["patient"]),
];

const PRACTITIONER: &[ParamRule] = &[
    p("name", String, &["name"]),
    p("family", String, &["name.family"]),
    p("given", String, &["name.given"]),
    p("identifier", Token, &["identifier"]),
    p("active", Token, &["active"]),
];

const ORGANIZATION: &[ParamRule] = &[
    p("name", String, &["name", "alias"]),
    p("identifier", Token, &["identifier"]),
    p("type", Token, &["type"]),
    p("active", Token, &["active"]),
];

const OBSERVATION: &[ParamRule] = &[
    p("code", Token, &["code"]),
    p("category", Token, &["category"]),
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("encounter", Reference, &["encounter"]),
    p("performer", Reference, &["performer"]),
    p(
        "date",
        Date,
        &["effectiveDateTime", "effectivePeriod", "effectiveInstant"],
    ),
    p("value-quantity", Quantity, &["valueQuantity"]),
    p("value-concept", Token, &["valueCodeableConcept"]),
    p("component-code", Token, &["component.code"]),
    p("based-on", Reference, &["basedOn"]),
];

const ENCOUNTER: &[ParamRule] = &[
    p("status", Token, &["status"]),
    p("class", Token, &["class"]),
    p("type", Token, &["type"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("participant", Reference, &["participant.individual"]),
    p("date", Date, &["period"]),
    p("reason-code", Token, &["reasonCode"]),
];

const CONDITION: &[ParamRule] = &[
    p("code", Token, &["code"]),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("verification-status", Token, &["verificationStatus"]),
    p("category", Token, &["category"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("encounter", Reference, &["encounter"]),
    p("onset-date", Date, &["onsetDateTime", "onsetPeriod"]),
    p("recorded-date", Date, &["recordedDate"]),
];

const ALLERGY: &[ParamRule] = &[
    p("code", Token, &["code", "reaction.substance"]),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("criticality", Token, &["criticality"]),
    p("category", Token, &["category"]),
    patient_ref(&["patient"]),
    p("date", Date, &["recordedDate"]),
];

const MEDICATION_REQUEST: &[ParamRule] = &[
    p("code", Token, &["medicationCodeableConcept"]),
    p("status", Token, &["status"]),
    p("intent", Token, &["intent"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("encounter", Reference, &["encounter"]),
    p("requester", Reference, &["requester"]),
    p("authoredon", Date, &["authoredOn"]),
];

const SERVICE_REQUEST: &[ParamRule] = &[
    p("code", Token, &["code"]),
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("authored", Date, &["authoredOn"]),
];

const DIAGNOSTIC_REPORT: &[ParamRule] = &[
    p("code", Token, &["code"]),
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("result", Reference, &["result"]),
    p("date", Date, &["effectiveDateTime", "effectivePeriod"]),
];

const APPOINTMENT: &[ParamRule] = &[
    p("status", Token, &["status"]),
    p("actor", Reference, &["participant.actor"]),
    ParamRule {
        name: "patient",
        kind: Reference,
        paths: &["participant.actor"],
        blind: false,
        target: Some("Patient"),
    },
    ParamRule {
        name: "practitioner",
        kind: Reference,
        paths: &["participant.actor"],
        blind: false,
        target: Some("Practitioner"),
    },
    ParamRule {
        name: "location",
        kind: Reference,
        paths: &["participant.actor"],
        blind: false,
        target: Some("Location"),
    },
    p("date", Date, &["start"]),
    p("service-type", Token, &["serviceType"]),
];

const PROCEDURE: &[ParamRule] = &[
    p("code", Token, &["code"]),
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("date", Date, &["performedDateTime", "performedPeriod"]),
];

const GENERIC_CLINICAL: &[ParamRule] = &[
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject", "patient"]),
];

const IMAGING_STUDY: &[ParamRule] = &[
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("modality", Token, &["series.modality"]),
    p("started", Date, &["started"]),
    p("number-of-series", Number, &["numberOfSeries"]),
    p("number-of-instances", Number, &["numberOfInstances"]),
];

const RISK_ASSESSMENT: &[ParamRule] = &[
    p("status", Token, &["status"]),
    p("subject", Reference, &["subject"]),
    patient_ref(&["subject"]),
    p("probability", Number, &["prediction.probabilityDecimal"]),
    p("date", Date, &["occurrenceDateTime", "occurrencePeriod"]),
];

const NONE: &[ParamRule] = &[];

/// The rules of a resource type (an empty slice when nothing beyond `_id`/`_lastUpdated`).
pub fn rules_for(rtype: &str) -> &'static [ParamRule] {
    match rtype {
        "Patient" => PATIENT,
        "RelatedPerson" => RELATED_PERSON,
        "Practitioner" => PRACTITIONER,
        "Organization" => ORGANIZATION,
        "Observation" => OBSERVATION,
        "Encounter" => ENCOUNTER,
        "Condition" => CONDITION,
        "AllergyIntolerance" => ALLERGY,
        "MedicationRequest" => MEDICATION_REQUEST,
        "ServiceRequest" => SERVICE_REQUEST,
        "DiagnosticReport" => DIAGNOSTIC_REPORT,
        "Appointment" => APPOINTMENT,
        "Procedure" => PROCEDURE,
        "CarePlan"
        | "Consent"
        | "DocumentReference"
        | "FamilyMemberHistory"
        | "QuestionnaireResponse"
        | "Immunization"
        | "MedicationStatement"
        | "Flag"
        | "Goal"
        | "Communication" => GENERIC_CLINICAL,
        "ImagingStudy" => IMAGING_STUDY,
        "RiskAssessment" => RISK_ASSESSMENT,
        _ => NONE,
    }
}

pub fn rule(rtype: &str, name: &str) -> Option<&'static ParamRule> {
    rules_for(rtype).iter().find(|r| r.name == name)
}
