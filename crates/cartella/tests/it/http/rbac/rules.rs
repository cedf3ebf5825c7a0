//! The matrix beyond HTTP reach (export, sign), audited denials, and shares that expire.

use super::*;
use crate::support::worlds;
use cartella_core::access::{Action, Decision, Group, Principal, Role, RoleSet, allows, group_of};
use cartella_core::resource_types::R4_RESOURCE_TYPES;

/// Export and sign have no HTTP endpoint yet: their cells are checked on the decision the store
/// applies (`Principal::decide`, via `Store::authorize`). The HTTP check lands with the
/// bulk-export and signature issues.
#[test]
fn export_and_sign_cells_follow_the_matrix() {
    let mut wrong = Vec::new();
    let mut groups = std::collections::BTreeSet::new();
    let mut checked = 0;
    for role in Role::ALL {
        let mut p = Principal::user("u-1", RoleSet::new(vec![role]));
        match role {
            Role::Patient => p.patient = Some(MINE.to_owned()),
            Role::External => p.shared = vec![MINE.to_owned()],
            _ => {}
        }
        for rtype in R4_RESOURCE_TYPES.iter().copied().chain(["Practice"]) {
            let group = group_of(rtype);
            groups.insert(group);
            for action in [Action::Export, Action::Sign] {
                checked += 1;
                let expected = if !allows(role, group, action) {
                    Decision::Deny
                } else if role.is_staff() || matches!(group, Group::Directory | Group::Knowledge) {
                    Decision::Allow
                } else {
                    Decision::Compartment(vec![MINE.to_owned()])
                };
                let got = p.decide(rtype, action);
                if got != expected {
                    wrong.push(format!(
                        "role {role} | {rtype} ({group}) | {action}: expected {expected:?}, got {got:?}"
                    ));
                }
            }
        }
    }
    assert_eq!(groups.len(), Group::ALL.len(), "every group is walked");
    assert!(
        wrong.is_empty(),
        "{} of {checked} export/sign cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A refused request leaves an audit row with outcome "denied" naming the role, the action and
/// the resource type: a matrix denial (read and write), a compartment denial, an admin denial.
#[tokio::test]
async fn denials_are_audited_with_role_and_type() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let items = [
            ("Patient", MINE, MINE),
            ("Patient", OTHER, OTHER),
            ("Observation", "m-Observation", MINE),
            ("Observation", "o-Observation", OTHER),
        ]
        .into_iter()
        .map(|(t, id, p)| (t.to_owned(), minimal(t, Some(id), p)))
        .collect();
        app.store.import(&app.tenant_a, items).await.unwrap();
        let desk = new_user(&app, &app.tenant_a, "desk@clinic-a.test", "secretary", None).await;
        let pat = new_user(
            &app,
            &app.tenant_a,
            "pat@clinic-a.test",
            "patient",
            Some(MINE),
        )
        .await;
        let doc = new_user(&app, &app.tenant_a, "doc@clinic-a.test", "doctor", None).await;
        let desk_s = sign_in(&app, "desk@clinic-a.test").await;
        let pat_s = sign_in(&app, "pat@clinic-a.test").await;
        let doc_s = sign_in(&app, "doc@clinic-a.test").await;

        let requests = [
            (
                &desk_s,
                Method::GET,
                "/fhir/R4/Observation/m-Observation",
                None,
            ),
            (
                &desk_s,
                Method::POST,
                "/fhir/R4/Observation",
                Some(minimal("Observation", None, MINE)),
            ),
            (
                &pat_s,
                Method::GET,
                "/fhir/R4/Observation/o-Observation",
                None,
            ),
            (&doc_s, Method::GET, "/api/v1/admin/users", None),
        ];
        for (s, method, path, body) in requests {
            let r = call(&app, s, method.clone(), path, body.as_ref()).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{name}: {method} {path}: {r:?}"
            );
        }

        app.store.flush_audit().await;
        let rows = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 10_000)
            .await
            .unwrap();
        let denied: Vec<_> = rows.iter().filter(|r| r.outcome == "denied").collect();
        for (actor, role, action, rtype, id) in [
            (
                &desk,
                "secretary",
                "read",
                "Observation",
                Some("m-Observation"),
            ),
            (&desk, "secretary", "write", "Observation", None),
            (
                &pat,
                "patient",
                "read",
                "Observation",
                Some("o-Observation"),
            ),
            (&doc, "doctor", "admin", "Practice", None),
        ] {
            let found = denied.iter().any(|r| {
                &r.actor == actor
                    && r.role == role
                    && r.action == action
                    && r.resource_type.as_deref() == Some(rtype)
                    && id.is_none_or(|id| r.resource_id.as_deref() == Some(id))
            });
            assert!(
                found,
                "{name}: no denied audit row for {role} {action} {rtype} {id:?}; denied rows: {:#?}",
                denied
                    .iter()
                    .map(|r| (
                        &r.actor,
                        &r.role,
                        &r.action,
                        &r.resource_type,
                        &r.resource_id
                    ))
                    .collect::<Vec<_>>()
            );
        }
    }
}

/// An external collaborator reads a shared patient only until the share expires (docs/rbac.md):
/// with an expired share for one patient and a live one for another, only the live one is open.
#[tokio::test]
async fn external_reads_nothing_once_the_share_expired() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;
        let items = [
            ("Patient", MINE, MINE),
            ("Patient", OTHER, OTHER),
            ("Observation", "m-Observation", MINE),
            ("Observation", "o-Observation", OTHER),
        ]
        .into_iter()
        .map(|(t, id, p)| (t.to_owned(), minimal(t, Some(id), p)))
        .collect();
        app.store.import(&app.tenant_a, items).await.unwrap();
        let ext = new_user(&app, &app.tenant_a, "ext@lab.test", "external", None).await;
        let now = cartella_core::Timestamp::now().micros();
        for (patient, expires) in [(MINE, now - 1), (OTHER, now + 3_600_000_000)] {
            app.auth()
                .share_patient(&app.tenant_a, &ext, patient, expires)
                .await
                .unwrap();
        }
        let s = sign_in(&app, "ext@lab.test").await;
        for (path, expected) in [
            ("/fhir/R4/Patient/m-Patient", StatusCode::FORBIDDEN),
            ("/fhir/R4/Observation/m-Observation", StatusCode::FORBIDDEN),
            ("/fhir/R4/Patient/o-Patient", StatusCode::OK),
            ("/fhir/R4/Observation/o-Observation", StatusCode::OK),
        ] {
            let r = call(&app, &s, Method::GET, path, None).await;
            assert_eq!(r.status, expected, "{name}: external GET {path}: {r:?}");
        }
        let r = call(&app, &s, Method::GET, "/fhir/R4/Observation", None).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {r:?}");
        assert_eq!(
            match_ids(&r.json()),
            vec!["o-Observation".to_owned()],
            "{name}: the search shows only the live share's compartment"
        );
    }
}
