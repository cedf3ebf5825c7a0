//! Who may do what: roles (write, merge) with audited refusals, and practices kept apart.

use super::*;
use crate::http::rbac::{Session, call, new_user, sign_in};

#[tokio::test]
async fn roles_decide_who_writes_and_who_merges() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let a = create(&app, &form("Rossi", "Maria", "1985-12-10", Some(CF))).await;
        let b = create(&app, &{
            let mut f = form("Rossi", "Maria", "1985-12-10", None);
            f["confirm_duplicate"] = json!(true);
            f["email"] = json!("maria@example.it");
            f["identifiers"] = json!([{"system": "http://clinic.example/mrn", "value": "MRN-9"}]);
            f
        })
        .await;
        let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
        for (email, roles) in [
            ("hyg@a.example", "hygienist"),
            ("doc@a.example", "doctor"),
            ("admin@a.example", "administrator"),
        ] {
            new_user(&app, &app.tenant_a, email, roles, None).await;
        }
        let hyg: Session = sign_in(&app, "hyg@a.example").await;
        let r = call(
            &app,
            &hyg,
            Method::GET,
            &format!("/api/v1/patients/{a_id}"),
            None,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: a hygienist reads: {r:?}",
            app.backend
        );
        let new = form("Verdi", "Anna", "1990-01-01", None);
        let r = call(&app, &hyg, Method::POST, "/api/v1/patients", Some(&new)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {r:?}", app.backend);
        let r = call(
            &app,
            &hyg,
            Method::POST,
            &format!("/api/v1/patients/{a_id}/deactivate"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {r:?}", app.backend);

        let merge = json!({"into": a_id});
        let doc = sign_in(&app, "doc@a.example").await;
        let r = call(
            &app,
            &doc,
            Method::POST,
            &format!("/api/v1/patients/{b_id}/merge"),
            Some(&merge),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{}: doctors do not merge: {r:?}",
            app.backend
        );
        let admin = sign_in(&app, "admin@a.example").await;
        let r = call(
            &app,
            &admin,
            Method::POST,
            &format!("/api/v1/patients/{a_id}/merge"),
            Some(&json!({"into": a_id})),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{}: into itself: {r:?}",
            app.backend
        );
        let r = call(
            &app,
            &admin,
            Method::POST,
            &format!("/api/v1/patients/{b_id}/merge"),
            Some(&merge),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
        let out = r.json()["data"].clone();
        assert_eq!(out["moved_identifiers"], 1);
        let target = &out["target"]["resource"];
        assert!(
            target["identifier"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["value"] == "MRN-9")
        );
        assert!(
            target["telecom"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["value"] == "maria@example.it")
        );
        assert_eq!(target["link"][0]["type"], "replaces");
        // The FHIR surface sees the merge too.
        let source = app.get(&format!("Patient/{b_id}")).await.json();
        assert_eq!(source["active"], false);
        assert_eq!(source["link"][0]["type"], "replaced-by");
        assert_eq!(
            source["link"][0]["other"]["reference"],
            format!("Patient/{a_id}")
        );
        let r = call(
            &app,
            &admin,
            Method::POST,
            &format!("/api/v1/patients/{b_id}/merge"),
            Some(&merge),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{}: merged twice: {r:?}",
            app.backend
        );

        app.store.flush_audit().await;
        let rows = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 10_000)
            .await
            .unwrap();
        for id in [a_id, b_id] {
            let of = |action: &str| {
                rows.iter()
                    .filter(|r| {
                        r.action == action
                            && r.resource_id.as_deref() == Some(id)
                            && r.outcome == "success"
                    })
                    .count()
            };
            assert_eq!(of("merge"), 1, "{}: merge audited for {id}", app.backend);
            assert!(
                of("update") >= 1,
                "{}: the merge's write audited for {id}",
                app.backend
            );
        }
        let denied = rows
            .iter()
            .filter(|r| r.outcome == "denied" && r.resource_type.as_deref() == Some("Patient"))
            .count();
        assert!(denied >= 2, "{}: refusals audited ({denied})", app.backend);
    }
}

#[tokio::test]
async fn another_practice_neither_sees_nor_changes_the_patient() {
    for world in worlds().await {
        let app = spawn_app(&world).await;
        let rec = create(&app, &form("Rossi", "Maria", "1985-12-10", Some(CF))).await;
        let path = format!("/patients/{}", rec["id"].as_str().unwrap());
        let r = send(api(&app, TENANT_B, Method::GET, &path, None)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}: {r:?}", app.backend);
        let mut edit = rec["input"].clone();
        edit["version"] = json!(1);
        let r = send(api(&app, TENANT_B, Method::PUT, &path, Some(&edit))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}: {r:?}", app.backend);
        let r = send(api(
            &app,
            TENANT_B,
            Method::POST,
            &format!("{path}/deactivate"),
            None,
        ))
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}: {r:?}", app.backend);
        for q in ["q=rossi", "q=1985-12-10", &format!("q={CF}"), ""] {
            let (ids, _) = search_ids(&app, TENANT_B, q).await;
            assert!(
                ids.is_empty(),
                "{}: clinic-b found {ids:?} for {q}",
                app.backend
            );
        }
        // clinic-b may register the same person: no duplicate warning across practices.
        let r = send(api(
            &app,
            TENANT_B,
            Method::POST,
            "/patients",
            Some(&form("Rossi", "Maria", "1985-12-10", Some(CF))),
        ))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {r:?}", app.backend);
        let still = call_a(&app, Method::GET, &path, None).await.json();
        assert_eq!(still["data"]["version"], 1, "{}", app.backend);
        let r = send(app.client.get(app.url("/api/v1/patients"))).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{}: no credentials: {r:?}",
            app.backend
        );
    }
}
