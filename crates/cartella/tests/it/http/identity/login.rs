//! Sign-in: lockout with no account enumeration, and disabling a user.

use super::*;
use crate::support::worlds;

#[tokio::test]
async fn lockout_after_five_failures_and_no_enumeration() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        user(&app, "anna@clinic.test", "doctor", None).await;
        let (unknown_status, unknown_body, _) = login(&app, "nobody@clinic.test", PASSWORD).await;
        for _ in 0..5 {
            let (s, body, _) = login(&app, "anna@clinic.test", "Wrong-Password-1!").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{}", app.backend);
            assert_eq!(
                body["error"]["message"], unknown_body["error"]["message"],
                "{}: same answer as an unknown account",
                app.backend
            );
        }
        assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
        let (s, _, session) = login(&app, "anna@clinic.test", PASSWORD).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{}: locked even with the right password",
            app.backend
        );
        assert!(session.is_none());
        app.store.flush_audit().await;
        let system = app.store.system_tenant().await.unwrap();
        let rows = app
            .store
            .backend()
            .audit_rows(&system.id, 0, 100)
            .await
            .unwrap();
        let failures = rows
            .iter()
            .filter(|r| r.action == "login" && r.outcome == "failure")
            .count();
        assert!(
            failures >= 6,
            "{}: failed logins are audited ({failures})",
            app.backend
        );
        assert!(
            rows.iter()
                .any(|r| r.action == "login" && r.outcome == "locked"),
            "{}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let id = user(&app, "dario@clinic.test", "doctor", None).await;
        let s = login(&app, "dario@clinic.test", PASSWORD).await.2.unwrap();
        assert_eq!(
            send(&app, &s, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::OK
        );
        let r = app
            .client
            .post(format!("{}/api/v1/admin/users/{id}/disable", app.base))
            .bearer_auth(TOKEN)
            .header(TENANT_HEADER_NAME, TENANT_A)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", app.backend);
        assert_eq!(
            send(&app, &s, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED,
            "{}: existing session refused",
            app.backend
        );
        assert_eq!(
            login(&app, "dario@clinic.test", PASSWORD).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}
