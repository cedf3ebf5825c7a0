//! Every page for every role: allowed (200) or refused (403), one table, one server per
//! backend; a failure names the cell.

use super::*;

/// (path, roles allowed); `{id}` is a registered patient. Anything not listed gets 403.
const PAGES: &[(&str, &[&str])] = &[
    ("/", STAFF),
    ("/account", STAFF),
    ("/patients", STAFF),
    ("/patients/search?q=ros", STAFF),
    ("/patients/new", WRITERS),
    ("/patients/{id}", STAFF),
    ("/patients/{id}/details", STAFF),
    ("/patients/{id}/clinical", CLINICAL),
    ("/patients/{id}/edit", WRITERS),
    ("/patients/{id}/merge", ADMIN),
    ("/admin/staff", ADMIN),
    ("/admin/staff/new", ADMIN),
    ("/admin/clients/new", ADMIN),
    ("/admin/settings", ADMIN),
    ("/admin/audit", ADMIN),
    ("/admin/audit?patient={id}", ADMIN),
    ("/admin/audit.csv", ADMIN),
];

const STAFF: &[&str] = &[
    "administrator",
    "doctor",
    "surgeon",
    "dentist",
    "nurse",
    "physiotherapist",
    "hygienist",
    "secretary",
];
const WRITERS: &[&str] = &[
    "administrator",
    "doctor",
    "surgeon",
    "dentist",
    "nurse",
    "physiotherapist",
    "secretary",
];
const ADMIN: &[&str] = &["administrator"];
/// Roles that may read the clinical record (not secretaries).
const CLINICAL: &[&str] = &[
    "administrator",
    "doctor",
    "surgeon",
    "dentist",
    "nurse",
    "physiotherapist",
    "hygienist",
];

#[tokio::test]
async fn every_page_for_every_role() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let mut admin = Browser::new(&app);
        staff(&app, "admin@a.example", "administrator").await;
        admin.sign_in("admin@a.example").await;
        let id = register(&mut admin, "Rossi", "Mario", "1960-01-01").await;
        let mut failures = vec![];
        for role in STAFF.iter().copied() {
            let email = format!("{role}@roles.example");
            if role != "administrator" {
                staff(&app, &email, role).await;
            }
            let mut b = Browser::new(&app);
            b.sign_in(if role == "administrator" {
                "admin@a.example"
            } else {
                &email
            })
            .await;
            for (path, allowed) in PAGES {
                let path = path.replace("{id}", &id);
                let want = if allowed.contains(&role) {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                let got = b.get(&path).await.status;
                if got != want {
                    failures.push(format!(
                        "{}: {role} {path}: want {want}, got {got}",
                        app.backend
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}

#[tokio::test]
async fn a_patient_account_cannot_use_the_staff_workspace() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "admin@a.example", "administrator").await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@a.example").await;
    let id = register(&mut admin, "Bruno", "Carla", "1988-08-08").await;
    app.auth()
        .create_user(
            &app.tenant_a,
            NewUser {
                email: "carla@patients.example".into(),
                name: "Carla".into(),
                roles: "patient".into(),
                password: Some(PASSWORD.into()),
                patient_id: Some(id.clone()),
                expires_at: None,
            },
        )
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let r = b
        .submit(
            "/login",
            "/login",
            &[("email", "carla@patients.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for path in ["/", "/patients", &format!("/patients/{id}")] {
        assert_eq!(b.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        b.get("/account").await.status,
        StatusCode::OK,
        "their own account stays reachable"
    );
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "admin@a.example", "administrator").await;
    let mut b = Browser::new(&app);
    for path in ["/", "/patients", "/admin/audit", "/events"] {
        let r = b.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.header("location").unwrap().starts_with("/login?next="),
            "{path}"
        );
    }
}
