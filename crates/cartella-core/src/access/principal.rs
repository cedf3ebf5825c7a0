//! Who is asking: a user (with roles in the practice), an API client (with scopes), or the
//! system itself; and what the matrix and the rules beyond it decide for one request.

use super::groups::group_of;
use super::matrix::allows;
use super::roles::{Action, Role, RoleSet};
use super::scopes::ScopeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Maintenance by Cartella itself (CLI, jobs, the service token).
    System,
    User(String),
    /// An API client acting for itself (client credentials).
    Client(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: Subject,
    pub roles: RoleSet,
    /// Token scopes narrow what the roles allow; `None` for browser sessions and the system.
    pub scopes: Option<ScopeSet>,
    /// The user's own Patient (patient role, or a patient-context token).
    pub patient: Option<String>,
    /// Patients shared with an external user (unexpired shares).
    pub shared: Vec<String>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed only inside these patients' compartments (may be empty: nothing visible).
    Compartment(Vec<String>),
    Deny,
}

impl Principal {
    pub fn system() -> Self {
        Principal {
            subject: Subject::System,
            roles: RoleSet::default(),
            scopes: None,
            patient: None,
            shared: Vec::new(),
        }
    }

    pub fn user(id: &str, roles: RoleSet) -> Self {
        Principal {
            subject: Subject::User(id.to_owned()),
            roles,
            scopes: None,
            patient: None,
            shared: Vec::new(),
        }
    }

    pub fn client(id: &str, scopes: ScopeSet) -> Self {
        Principal {
            subject: Subject::Client(id.to_owned()),
            roles: RoleSet::default(),
            scopes: Some(scopes),
            patient: None,
            shared: Vec::new(),
        }
    }

    /// May this principal `action` resources of `rtype` (`"Practice"` for administration)?
    pub fn decide(&self, rtype: &str, action: Action) -> Decision {
        if self.subject == Subject::System {
            return Decision::Allow;
        }
        if let Some(scopes) = &self.scopes
            && !scopes.permits(rtype, action)
        {
            return Decision::Deny;
        }
        let group = group_of(rtype);
        let patient_token = self.scopes.as_ref().is_some_and(ScopeSet::patient_only);
        // A client acting for itself has no roles: its registered scopes are its policy. With
        // `patient/` scopes only, that policy is one patient's compartment, and a client with no
        // patient in its context sees none.
        if matches!(self.subject, Subject::Client(_)) {
            return if action == Action::Admin {
                Decision::Deny
            } else if patient_token
                && !matches!(group, super::Group::Directory | super::Group::Knowledge)
            {
                Decision::Compartment(self.patient.iter().cloned().collect())
            } else {
                Decision::Allow
            };
        }
        let staff_allows = self
            .roles
            .roles()
            .iter()
            .any(|r| r.is_staff() && allows(*r, group, action));
        if staff_allows && !patient_token {
            return Decision::Allow;
        }
        let mut compartments = Vec::new();
        let mut allowed = false;
        if (self.roles.contains(Role::Patient) && allows(Role::Patient, group, action))
            || (patient_token && staff_allows)
        {
            allowed = true;
            compartments.extend(self.patient.clone());
        }
        if self.roles.contains(Role::External) && allows(Role::External, group, action) {
            allowed = true;
            compartments.extend(self.shared.iter().cloned());
        }
        if !allowed {
            return Decision::Deny;
        }
        // Directory and knowledge resources are not patient data: readable without compartment.
        if matches!(group, super::Group::Directory | super::Group::Knowledge) {
            return Decision::Allow;
        }
        compartments.sort();
        compartments.dedup();
        Decision::Compartment(compartments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &str) -> Principal {
        Principal::user("u1", RoleSet::parse(roles).unwrap())
    }

    #[test]
    fn decisions() {
        assert_eq!(
            user("doctor").decide("Observation", Action::Write),
            Decision::Allow
        );
        assert_eq!(
            user("secretary").decide("Observation", Action::Read),
            Decision::Deny
        );
        let mut patient = user("patient");
        patient.patient = Some("p1".into());
        assert_eq!(
            patient.decide("Observation", Action::Read),
            Decision::Compartment(vec!["p1".into()])
        );
        assert_eq!(patient.decide("Observation", Action::Write), Decision::Deny);
        assert_eq!(
            patient.decide("Practitioner", Action::Read),
            Decision::Allow
        );
        let mut ext = user("external");
        ext.shared = vec!["p9".into()];
        assert_eq!(
            ext.decide("Condition", Action::Read),
            Decision::Compartment(vec!["p9".into()])
        );
        let mut scoped = user("doctor");
        scoped.scopes = Some(ScopeSet::parse("user/Observation.read").unwrap());
        assert_eq!(scoped.decide("Observation", Action::Read), Decision::Allow);
        assert_eq!(scoped.decide("Observation", Action::Write), Decision::Deny);
        assert_eq!(scoped.decide("Patient", Action::Read), Decision::Deny);
        let client = Principal::client("c1", ScopeSet::parse("system/*.read").unwrap());
        assert_eq!(client.decide("Patient", Action::Read), Decision::Allow);
        assert_eq!(client.decide("Patient", Action::Write), Decision::Deny);
        // `patient/` scopes on a client limit it to its patient, and to nothing without one.
        let mut patient_client =
            Principal::client("c2", ScopeSet::parse("patient/*.read").unwrap());
        assert_eq!(
            patient_client.decide("Observation", Action::Read),
            Decision::Compartment(vec![])
        );
        patient_client.patient = Some("p3".into());
        assert_eq!(
            patient_client.decide("Observation", Action::Read),
            Decision::Compartment(vec!["p3".into()])
        );
        assert_eq!(
            patient_client.decide("Practitioner", Action::Read),
            Decision::Allow
        );
        assert_eq!(
            Principal::system().decide("Practice", Action::Admin),
            Decision::Allow
        );
        assert_eq!(
            user("administrator").decide("Practice", Action::Admin),
            Decision::Allow
        );
        assert_eq!(
            user("doctor").decide("Practice", Action::Admin),
            Decision::Deny
        );
    }
}
