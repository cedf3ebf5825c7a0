//! Code systems, profiles and extension URLs the clinical resources use, in one place so the
//! writers, the readers and the tests agree.

pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const ATC: &str = "http://www.whocc.no/atc";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const INTERPRETATION: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
pub const VITAL_SIGNS_PROFILE: &str = "http://hl7.org/fhir/StructureDefinition/vitalsigns";
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_VERIFICATION: &str =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const ALLERGY_CLINICAL: &str =
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
pub const ALLERGY_VERIFICATION: &str =
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
pub const FLAG_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/flag-category";
pub const DATA_OPERATION: &str = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
pub const DETECTED_ISSUE_MITIGATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// Cartella's own code systems and extensions.
pub const CARTELLA_BASE: &str = "https://cartella.dev/fhir";
/// Staff users referenced by identifier (`Reference.identifier`), since users are not
/// Practitioner resources.
pub const USER_SYSTEM: &str = "https://cartella.dev/fhir/sid/user";
/// The role the author acted in (`doctor`, `nurse`, …).
pub const ROLE_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/staff-role";
/// Kinds of clinical alert (`out-of-range`, `sharp-change`, `prescribing`).
pub const ALERT_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/clinical-alert";
/// Drug classes of the shipped rule table.
pub const DRUG_CLASS_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/drug-class";
/// Anamnesis sections (`remote`, `recent`).
pub const ANAMNESIS_SYSTEM: &str = "https://cartella.dev/fhir/CodeSystem/anamnesis";
/// The reason of an amendment, on the amended version itself.
pub const EXT_AMENDMENT_REASON: &str =
    "https://cartella.dev/fhir/StructureDefinition/amendment-reason";
/// On a Flag: the resource (Observation) that raised it.
pub const EXT_FLAG_SOURCE: &str = "https://cartella.dev/fhir/StructureDefinition/flag-source";
/// On a DetectedIssue: the reason given to override a prescribing alert.
pub const EXT_OVERRIDE_REASON: &str =
    "https://cartella.dev/fhir/StructureDefinition/override-reason";
/// On an author reference: the role the user acted in.
pub const EXT_AUTHOR_ROLE: &str = "https://cartella.dev/fhir/StructureDefinition/author-role";
