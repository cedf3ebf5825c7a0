//! Resource types grouped by what they hold, so the permission matrix stays readable: each R4
//! type belongs to exactly one group.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Who the patient is: Patient, RelatedPerson, Person.
    Demographics,
    /// The clinical record: observations, conditions, encounters, plans, orders…
    Clinical,
    /// Prescriptions and medication records.
    Medication,
    /// Appointments, schedules and slots.
    Scheduling,
    /// Documents, consents and binaries.
    Documents,
    /// The practice's directory: staff, organisations, locations, devices.
    Directory,
    /// Billing and insurance.
    Financial,
    /// The audit trail and provenance.
    Security,
    /// Definitions: questionnaires, value sets, code systems, profiles…
    Knowledge,
    /// The practice itself: users, API clients, settings (no FHIR type).
    Practice,
}

impl Group {
    pub const ALL: [Group; 10] = [
        Group::Demographics,
        Group::Clinical,
        Group::Medication,
        Group::Scheduling,
        Group::Documents,
        Group::Directory,
        Group::Financial,
        Group::Security,
        Group::Knowledge,
        Group::Practice,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Group::Demographics => "demographics",
            Group::Clinical => "clinical",
            Group::Medication => "medication",
            Group::Scheduling => "scheduling",
            Group::Documents => "documents",
            Group::Directory => "directory",
            Group::Financial => "financial",
            Group::Security => "security",
            Group::Knowledge => "knowledge",
            Group::Practice => "practice",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The group of an R4 resource type (`"Practice"` names the practice administration).
pub fn group_of(rtype: &str) -> Group {
    use Group::*;
    match rtype {
        "Patient" | "RelatedPerson" | "Person" => Demographics,
        "MedicationRequest"
        | "MedicationStatement"
        | "MedicationAdministration"
        | "MedicationDispense"
        | "Medication"
        | "MedicationKnowledge" => Medication,
        "Appointment" | "AppointmentResponse" | "Schedule" | "Slot" => Scheduling,
        "DocumentReference" | "DocumentManifest" | "Composition" | "Consent" | "Binary"
        | "List" => Documents,
        "Practitioner"
        | "PractitionerRole"
        | "Organization"
        | "OrganizationAffiliation"
        | "Location"
        | "HealthcareService"
        | "Endpoint"
        | "Device"
        | "DeviceDefinition"
        | "DeviceMetric"
        | "Group"
        | "Substance" => Directory,
        "Account"
        | "ChargeItem"
        | "ChargeItemDefinition"
        | "Claim"
        | "ClaimResponse"
        | "Coverage"
        | "CoverageEligibilityRequest"
        | "CoverageEligibilityResponse"
        | "EnrollmentRequest"
        | "EnrollmentResponse"
        | "ExplanationOfBenefit"
        | "Invoice"
        | "PaymentNotice"
        | "PaymentReconciliation"
        | "Contract"
        | "InsurancePlan" => Financial,
        "AuditEvent" | "Provenance" => Security,
        "Practice" => Practice,
        "Observation"
        | "Condition"
        | "AllergyIntolerance"
        | "Procedure"
        | "Encounter"
        | "EpisodeOfCare"
        | "FamilyMemberHistory"
        | "ClinicalImpression"
        | "DiagnosticReport"
        | "ImagingStudy"
        | "Media"
        | "Specimen"
        | "RiskAssessment"
        | "CarePlan"
        | "CareTeam"
        | "Goal"
        | "QuestionnaireResponse"
        | "Immunization"
        | "ImmunizationEvaluation"
        | "ImmunizationRecommendation"
        | "DetectedIssue"
        | "AdverseEvent"
        | "BodyStructure"
        | "Flag"
        | "NutritionOrder"
        | "VisionPrescription"
        | "MolecularSequence"
        | "ServiceRequest"
        | "DeviceRequest"
        | "DeviceUseStatement"
        | "Communication"
        | "CommunicationRequest"
        | "Task"
        | "RequestGroup"
        | "GuidanceResponse"
        | "ResearchSubject"
        | "SupplyRequest"
        | "SupplyDelivery"
        | "BiologicallyDerivedProduct" => Clinical,
        _ => Knowledge,
    }
}
