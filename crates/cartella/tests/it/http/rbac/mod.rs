//! The permission matrix through the HTTP API, cell by cell, on every backend: for each role a
//! signed-in user (browser session) reads, searches, writes and deletes every R4 resource type
//! and asks for the practice administration; every status must be the one
//! `cartella_core::access::allows` gives, narrowed for patients and external collaborators to
//! their compartment (docs/rbac.md). Every wrong cell of a role is collected and reported at once.
//! Export and sign have no HTTP endpoint yet and are walked through `Principal::decide`; denials
//! must leave an audit row naming the role and the resource type.

mod rules;

use super::*;
use crate::support::worlds;
use cartella_auth::service::NewUser;
use cartella_core::access::{Action, Group, Role, allows, group_of};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use serde_json::{Value, json};

pub(super) const PASSWORD: &str = "Ambulatorio-2024!x";

/// The signed-in user's own Patient (patient role), also the one shared with the external user.
const MINE: &str = "m-Patient";
/// Another patient of the practice: in nobody's compartment.
const OTHER: &str = "o-Patient";

/// The element that puts a resource of `rtype` into a patient's compartment, as
/// `cartella_store::extract::patient_of` reads it: a single (0..1 or 1..1) Reference that may
/// point to a Patient, named `subject`, `patient` or `beneficiary` in FHIR R4. Types whose
/// patient link has another name (Appointment.participant, Task.for, ResearchSubject.individual,
/// EnrollmentRequest.candidate) or repeats (Account.subject, Contract.subject) have none: their
/// resources are in no patient's compartment.
pub(super) fn patient_element(rtype: &str) -> Option<&'static str> {
    match rtype {
        "AllergyIntolerance"
        | "BodyStructure"
        | "Claim"
        | "ClaimResponse"
        | "Consent"
        | "CoverageEligibilityRequest"
        | "CoverageEligibilityResponse"
        | "DetectedIssue"
        | "Device"
        | "EpisodeOfCare"
        | "ExplanationOfBenefit"
        | "FamilyMemberHistory"
        | "Immunization"
        | "ImmunizationEvaluation"
        | "ImmunizationRecommendation"
        | "MolecularSequence"
        | "NutritionOrder"
        | "RelatedPerson"
        | "SupplyDelivery"
        | "VisionPrescription" => Some("patient"),
        "Coverage" => Some("beneficiary"),
        "AdverseEvent"
        | "Basic"
        | "CarePlan"
        | "CareTeam"
        | "ChargeItem"
        | "ClinicalImpression"
        | "Communication"
        | "CommunicationRequest"
        | "Composition"
        | "Condition"
        | "DeviceRequest"
        | "DeviceUseStatement"
        | "DiagnosticReport"
        | "DocumentManifest"
        | "DocumentReference"
        | "Encounter"
        | "Flag"
        | "Goal"
        | "GuidanceResponse"
        | "ImagingStudy"
        | "Invoice"
        | "List"
        | "MeasureReport"
        | "Media"
        | "MedicationAdministration"
        | "MedicationDispense"
        | "MedicationRequest"
        | "MedicationStatement"
        | "Observation"
        | "Procedure"
        | "QuestionnaireResponse"
        | "RequestGroup"
        | "RiskAssessment"
        | "ServiceRequest"
        | "Specimen" => Some("subject"),
        _ => None,
    }
}

/// A minimal resource of `rtype` (with `id` when given) in `patient`'s compartment when the
/// type has a patient element.
pub(super) fn minimal(rtype: &str, id: Option<&str>, patient: &str) -> Value {
    let mut body = json!({ "resourceType": rtype });
    if let Some(id) = id {
        body["id"] = json!(id);
    }
    if let Some(element) = patient_element(rtype) {
        body[element] = json!({ "reference": format!("Patient/{patient}") });
    }
    body
}

/// The compartment a fixture built by [`minimal`] lands in (a Patient is its own).
fn compartment_of(rtype: &str, id: &str, patient: &str) -> Option<String> {
    if rtype == "Patient" {
        Some(id.to_owned())
    } else {
        patient_element(rtype).map(|_| patient.to_owned())
    }
}

/// What the matrix and the rules beyond it (docs/rbac.md) allow: the role's cell, and for
/// patients and external users (whose compartment is [`MINE`]) only resources in it, except
/// directory and knowledge resources, which are not patient data.
fn permitted(role: Role, rtype: &str, action: Action, compartment: Option<&str>) -> bool {
    let group = group_of(rtype);
    if !allows(role, group, action) {
        return false;
    }
    role.is_staff()
        || matches!(group, Group::Directory | Group::Knowledge)
        || compartment == Some(MINE)
}

/// A signed-in browser session.
pub(super) struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Create a member of the practice of `ctx`; returns the user id.
pub(super) async fn new_user(
    app: &TestApp,
    ctx: &cartella_store::AccessContext,
    email: &str,
    roles: &str,
    patient: Option<&str>,
) -> String {
    let new = NewUser {
        email: email.into(),
        name: format!("User {email}"),
        roles: roles.into(),
        password: Some(PASSWORD.into()),
        patient_id: patient.map(str::to_owned),
        expires_at: None,
    };
    app.auth()
        .create_user(ctx, new)
        .await
        .unwrap_or_else(|e| panic!("{}: create user {email}: {e}", app.backend))
        .id
}

/// Sign in through `POST /api/v1/auth/login`.
pub(super) async fn sign_in(app: &TestApp, email: &str) -> Session {
    let r = send(
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({ "email": email, "password": PASSWORD })),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}: sign in {email}: {r:?}",
        app.backend
    );
    let cookie = r
        .header("set-cookie")
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("{}: no session cookie for {email}", app.backend))
        .to_owned();
    let csrf = r.json()["data"]["csrf_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no csrf_token for {email}: {r:?}", app.backend))
        .to_owned();
    Session { cookie, csrf }
}

/// A request with the session cookie and its CSRF token; `path` starts at the server root.
pub(super) async fn call(
    app: &TestApp,
    s: &Session,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/fhir+json")
            .body(b.to_string());
    }
    send(req).await
}

/// The first characters of a body, for failure messages.
pub(super) fn excerpt(text: &str) -> String {
    text.chars().take(160).collect()
}

/// Checks one cell; a mismatch is recorded with everything needed to find it.
struct Cells<'a> {
    backend: &'static str,
    role: Role,
    wrong: &'a mut Vec<String>,
    checked: usize,
}

impl Cells<'_> {
    fn check(&mut self, rtype: &str, action: &str, expected: StatusCode, got: &Reply) {
        self.checked += 1;
        if got.status != expected {
            self.wrong.push(format!(
                "{} | role {} | {rtype} | {action}: expected {expected}, got {} ({})",
                self.backend,
                self.role,
                got.status,
                excerpt(&got.text)
            ));
        }
    }

    fn fail(&mut self, rtype: &str, action: &str, what: String) {
        self.wrong.push(format!(
            "{} | role {} | {rtype} | {action}: {what}",
            self.backend, self.role
        ));
    }
}

fn status(allowed: bool, ok: StatusCode) -> StatusCode {
    if allowed { ok } else { StatusCode::FORBIDDEN }
}

/// Per type: `m-T` in [`MINE`]'s compartment (read), `o-T` in [`OTHER`]'s (read, when the type
/// has a compartment at all), `d-T` in [`MINE`]'s (delete). For Patient, `m-Patient` and
/// `o-Patient` are the two patients themselves.
async fn seed(app: &TestApp) {
    let mut items = Vec::new();
    for t in R4_RESOURCE_TYPES {
        for (prefix, patient) in [("m", MINE), ("o", OTHER), ("d", MINE)] {
            let id = format!("{prefix}-{t}");
            items.push((t.to_owned(), minimal(t, Some(&id), patient)));
        }
    }
    app.store
        .import(&app.tenant_a, items)
        .await
        .unwrap_or_else(|e| panic!("{}: seed every type: {e}", app.backend));
}

/// Walk every cell of `role` on one backend; returns how many were checked.
async fn check_role(app: &TestApp, role: Role, wrong: &mut Vec<String>) -> usize {
    seed(app).await;
    let email = format!("{role}@clinic-a.test");
    let patient = (role == Role::Patient).then_some(MINE);
    let user_id = new_user(app, &app.tenant_a, &email, role.as_str(), patient).await;
    if role == Role::External {
        let far_future = cartella_core::Timestamp::now().micros() + 10 * 365 * 86_400_000_000;
        app.auth()
            .share_patient(&app.tenant_a, &user_id, MINE, far_future)
            .await
            .unwrap_or_else(|e| panic!("{}: share {MINE}: {e}", app.backend));
    }
    let s = sign_in(app, &email).await;
    let mut cells = Cells {
        backend: app.backend,
        role,
        wrong,
        checked: 0,
    };

    for t in R4_RESOURCE_TYPES {
        let fixture = |prefix: &str| {
            let id = format!("{prefix}-{t}");
            let patient = if prefix == "o" { OTHER } else { MINE };
            let compartment = compartment_of(t, &id, patient);
            (id, compartment)
        };

        // read: inside the user's compartment, and (where there are compartments) outside it.
        let (mine, mine_c) = fixture("m");
        let r = call(app, &s, Method::GET, &format!("/fhir/R4/{t}/{mine}"), None).await;
        let allowed = permitted(role, t, Action::Read, mine_c.as_deref());
        cells.check(t, "read", status(allowed, StatusCode::OK), &r);
        let (other, other_c) = fixture("o");
        if other_c.is_some() {
            let r = call(app, &s, Method::GET, &format!("/fhir/R4/{t}/{other}"), None).await;
            let allowed = permitted(role, t, Action::Read, other_c.as_deref());
            cells.check(
                t,
                "read (another patient's)",
                status(allowed, StatusCode::OK),
                &r,
            );
        }

        // vread: the same cell as read.
        let r = call(
            app,
            &s,
            Method::GET,
            &format!("/fhir/R4/{t}/{mine}/_history/1"),
            None,
        )
        .await;
        let allowed = permitted(role, t, Action::Read, mine_c.as_deref());
        cells.check(t, "vread", status(allowed, StatusCode::OK), &r);

        // search and type history: allowed with the read cell; a compartment-limited user is
        // shown only what they may read, everyone everything they may read.
        let listable = allows(role, group_of(t), Action::Read);
        for (action, path) in [
            ("search", format!("/fhir/R4/{t}?_count=1000")),
            ("history", format!("/fhir/R4/{t}/_history?_count=1000")),
        ] {
            let r = call(app, &s, Method::GET, &path, None).await;
            cells.check(t, action, status(listable, StatusCode::OK), &r);
            if !(listable && r.status == StatusCode::OK) {
                continue;
            }
            let listed: Vec<String> = match serde_json::from_str::<Value>(&r.text) {
                Ok(b) if b["resourceType"] == "Bundle" => entries(&b)
                    .iter()
                    .filter(|e| e["search"]["mode"] != "outcome")
                    .map(|e| {
                        let url = e["fullUrl"].as_str().unwrap_or_default();
                        url.rsplit('/').next().unwrap_or_default().to_owned()
                    })
                    .collect(),
                _ => {
                    cells.fail(t, action, format!("not a bundle: {}", excerpt(&r.text)));
                    continue;
                }
            };
            for prefix in ["m", "o", "d"] {
                let (id, c) = fixture(prefix);
                let visible = permitted(role, t, Action::Read, c.as_deref());
                match (visible, listed.contains(&id)) {
                    (true, false) => cells.fail(t, action, format!("misses {id}")),
                    (false, true) => {
                        cells.fail(t, action, format!("shows {id}, outside the compartment"))
                    }
                    _ => {}
                }
            }
            if let Some(extra) = listed.iter().find(|id| !id.ends_with(&format!("-{t}"))) {
                cells.fail(t, action, format!("shows unexpected {extra}"));
            }
        }

        // write as update: the resource read above, kept in the user's compartment.
        let body = minimal(t, Some(&mine), MINE);
        let r = call(
            app,
            &s,
            Method::PUT,
            &format!("/fhir/R4/{t}/{mine}"),
            Some(&body),
        )
        .await;
        let allowed = permitted(role, t, Action::Write, mine_c.as_deref());
        cells.check(t, "write (update)", status(allowed, StatusCode::OK), &r);

        // write: a new resource in the user's compartment (a new Patient is its own).
        let body = minimal(t, None, MINE);
        let r = call(app, &s, Method::POST, &format!("/fhir/R4/{t}"), Some(&body)).await;
        let compartment = if t == "Patient" { None } else { mine_c.clone() };
        let allowed = permitted(role, t, Action::Write, compartment.as_deref());
        cells.check(
            t,
            "write (create)",
            status(allowed, StatusCode::CREATED),
            &r,
        );

        // delete: another resource in the user's compartment.
        let (doomed, doomed_c) = fixture("d");
        let r = call(
            app,
            &s,
            Method::DELETE,
            &format!("/fhir/R4/{t}/{doomed}"),
            None,
        )
        .await;
        let allowed = permitted(role, t, Action::Delete, doomed_c.as_deref());
        cells.check(t, "delete", status(allowed, StatusCode::NO_CONTENT), &r);
    }

    let r = call(app, &s, Method::GET, "/api/v1/admin/users", None).await;
    let allowed = allows(role, Group::Practice, Action::Admin);
    cells.check("Practice", "admin", status(allowed, StatusCode::OK), &r);
    cells.checked
}

/// Every cell of `role`, on every backend; all wrong cells are listed in one failure.
async fn walk_matrix(role: Role) {
    let mut wrong = Vec::new();
    let mut checked = Vec::new();
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let n = check_role(&app, role, &mut wrong).await;
        checked.push(format!("{}: {n}", app.backend));
    }
    eprintln!(
        "role {role}: cells checked per backend: {}",
        checked.join(", ")
    );
    assert!(
        wrong.is_empty(),
        "role {role}: {} wrong cells (checked {}):\n{}",
        wrong.len(),
        checked.join(", "),
        wrong.join("\n")
    );
}

macro_rules! matrix_tests {
    ($($name:ident: $role:ident,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                walk_matrix(Role::$role).await;
            }
        )*

        /// The roles with a test above.
        const TESTED_ROLES: &[Role] = &[$(Role::$role),*];
    };
}

matrix_tests! {
    matrix_administrator: Administrator,
    matrix_doctor: Doctor,
    matrix_surgeon: Surgeon,
    matrix_dentist: Dentist,
    matrix_nurse: Nurse,
    matrix_physiotherapist: Physiotherapist,
    matrix_hygienist: Hygienist,
    matrix_secretary: Secretary,
    matrix_patient: Patient,
    matrix_external: External,
}

#[test]
fn every_role_has_a_matrix_test() {
    assert_eq!(TESTED_ROLES, Role::ALL.as_slice());
}
