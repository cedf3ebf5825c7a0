//! The permission matrix: role × group × action. This table is the policy; `docs/rbac.md` is
//! rendered from it (a test keeps the two equal) and the HTTP tests walk it cell by cell.
//! Rules beyond the matrix (a patient sees only their own record, an external user only what was
//! shared with them) narrow what the matrix allows; they never widen it.

use super::groups::Group;
use super::roles::{Action, Role};

/// Letters per action: r read, w write, d delete, e export, s sign, a admin.
fn grants(role: Role, group: Group) -> &'static str {
    use Group::*;
    use Role::*;
    match (role, group) {
        // Administrators run the practice: staff, clients, settings, directory, billing and the
        // audit trail; they can read and export records (access requests) but not change them.
        (Administrator, Practice) => "a",
        (Administrator, Demographics) => "rwde",
        (Administrator, Clinical | Medication | Documents) => "re",
        (Administrator, Scheduling | Directory | Financial | Knowledge) => "rwde",
        (Administrator, Security) => "re",
        // Physicians own the clinical record, prescribe and sign.
        (Doctor | Surgeon | Dentist, Demographics) => "rw",
        (Doctor | Surgeon | Dentist, Clinical | Medication | Documents) => "rwdes",
        (Doctor | Surgeon | Dentist, Scheduling) => "rwd",
        (Doctor | Surgeon | Dentist, Directory | Knowledge | Financial) => "r",
        // Nurses record vitals and care, administer medication, keep the day's schedule.
        (Nurse, Demographics) => "rw",
        (Nurse, Clinical | Medication | Documents) => "rws",
        (Nurse, Scheduling) => "rw",
        (Nurse, Directory | Knowledge) => "r",
        // Physiotherapists run assessments, plans and sessions; they read medication.
        (Physiotherapist, Demographics) => "rw",
        (Physiotherapist, Clinical | Documents) => "rws",
        (Physiotherapist, Medication | Directory | Knowledge) => "r",
        (Physiotherapist, Scheduling) => "rw",
        // Hygienists record dental findings under a dentist.
        (Hygienist, Clinical) => "rw",
        (Hygienist, Demographics | Medication | Documents | Directory | Knowledge) => "r",
        (Hygienist, Scheduling) => "rw",
        // Secretaries register patients, book, bill and file consents; no clinical content.
        (Secretary, Demographics | Scheduling) => "rwd",
        (Secretary, Documents | Financial) => "rw",
        (Secretary, Directory | Knowledge) => "r",
        // Patients read their own record (compartment rule); external users read what was shared.
        (Patient, Demographics | Clinical | Medication | Scheduling | Documents) => "r",
        (Patient, Directory | Knowledge) => "r",
        (External, Demographics | Clinical | Medication | Documents) => "r",
        (External, Directory) => "r",
        _ => "",
    }
}

fn letter(action: Action) -> char {
    match action {
        Action::Read => 'r',
        Action::Write => 'w',
        Action::Delete => 'd',
        Action::Export => 'e',
        Action::Sign => 's',
        Action::Admin => 'a',
    }
}

/// Whether `role` may perform `action` on resources of `group`.
pub fn allows(role: Role, group: Group, action: Action) -> bool {
    grants(role, group).contains(letter(action))
}

/// The matrix as a Markdown table (rows: roles; columns: groups; cells: allowed actions).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| role |");
    for g in Group::ALL {
        out.push_str(&format!(" {g} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Group::ALL.len()));
    out.push('\n');
    for r in Role::ALL {
        out.push_str(&format!("| {r} |"));
        for g in Group::ALL {
            let cell: Vec<&str> = Action::ALL
                .iter()
                .filter(|a| allows(r, g, **a))
                .map(|a| a.as_str())
                .collect();
            out.push_str(&format!(
                " {} |",
                if cell.is_empty() {
                    "—".to_owned()
                } else {
                    cell.join(", ")
                }
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_administrators_administer() {
        for r in Role::ALL {
            for g in Group::ALL {
                assert_eq!(
                    allows(r, g, Action::Admin),
                    r == Role::Administrator && g == Group::Practice,
                    "{r} {g}"
                );
            }
        }
    }

    #[test]
    fn patients_and_external_users_only_read() {
        for r in [Role::Patient, Role::External] {
            for g in Group::ALL {
                for a in [
                    Action::Write,
                    Action::Delete,
                    Action::Export,
                    Action::Sign,
                    Action::Admin,
                ] {
                    assert!(!allows(r, g, a), "{r} {g} {a}");
                }
            }
        }
    }

    #[test]
    fn secretaries_never_see_clinical_content() {
        for g in [Group::Clinical, Group::Medication, Group::Security] {
            assert!(!allows(Role::Secretary, g, Action::Read), "{g}");
        }
    }

    /// `docs/rbac.md` shows this matrix; `CARTELLA_WRITE_DOCS=1 cargo test -p cartella-core`
    /// rewrites its table after a change to the policy.
    #[test]
    fn docs_match_the_matrix() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rbac.md");
        let doc = std::fs::read_to_string(path).expect("docs/rbac.md exists");
        let (head, rest) = doc
            .split_once("<!-- matrix -->")
            .expect("docs/rbac.md has a <!-- matrix --> marker");
        let (_, tail) = rest
            .split_once("<!-- /matrix -->")
            .expect("docs/rbac.md has a <!-- /matrix --> marker");
        let fresh = format!(
            "{head}<!-- matrix -->\n{}<!-- /matrix -->{tail}",
            matrix_markdown()
        );
        if std::env::var("CARTELLA_WRITE_DOCS").is_ok() {
            std::fs::write(path, &fresh).expect("write docs/rbac.md");
        }
        assert_eq!(
            doc, fresh,
            "docs/rbac.md is stale: run CARTELLA_WRITE_DOCS=1 cargo test -p cartella-core"
        );
    }
}
