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

#[tokio::test]
async fn a_practice_administrator_disables_only_their_own_membership() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let id = user(&app, "shared@clinic.test", "doctor", None).await;
        // The same account also works at clinic-b.
        let new = NewUser {
            email: "shared@clinic.test".into(),
            name: "Shared".into(),
            roles: "doctor".into(),
            password: None,
            patient_id: None,
            expires_at: None,
        };
        app.auth().create_user(&app.tenant_b, new).await.unwrap();
        let mut admin_a = app.tenant_a.clone();
        admin_a.principal = cartella_core::access::Principal::user(
            "admin-a",
            cartella_core::access::RoleSet::parse("administrator").unwrap(),
        );
        app.auth().set_disabled(&admin_a, &id, true).await.unwrap();
        let (s, _, _) = login_at(&app, "shared@clinic.test", PASSWORD, TENANT_A).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{}: no longer a member of clinic-a",
            app.backend
        );
        let (s, _, _) = login_at(&app, "shared@clinic.test", PASSWORD, TENANT_B).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{}: clinic-b is not affected",
            app.backend
        );
        let err = app.auth().admin_reset_2fa(&admin_a, &id).await.unwrap_err();
        assert!(
            err.to_string().contains("other practices"),
            "{}: {err}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_session_ends_when_idle() {
    for w in worlds().await {
        let idle = cartella_auth::AuthConfig {
            session_idle_minutes: 0,
            ..test_auth_config()
        };
        let app = spawn_app_configured(&w, 64 * 1024, idle).await;
        user(&app, "idle@clinic.test", "doctor", None).await;
        let s = login(&app, "idle@clinic.test", PASSWORD).await.2.unwrap();
        assert_eq!(
            send(&app, &s, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::UNAUTHORIZED,
            "{}: idle timeout",
            app.backend
        );
    }
}

#[tokio::test]
async fn logout_everywhere_ends_every_session() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        user(&app, "multi@clinic.test", "doctor", None).await;
        let laptop = login(&app, "multi@clinic.test", PASSWORD).await.2.unwrap();
        let tablet = login(&app, "multi@clinic.test", PASSWORD).await.2.unwrap();
        assert_eq!(
            send(
                &app,
                &tablet,
                reqwest::Method::GET,
                "/fhir/R4/Patient",
                None
            )
            .await
            .0,
            StatusCode::OK
        );
        let (st, _) = send(
            &app,
            &laptop,
            reqwest::Method::POST,
            "/api/v1/auth/logout-everywhere",
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}", app.backend);
        assert_eq!(
            send(
                &app,
                &tablet,
                reqwest::Method::GET,
                "/fhir/R4/Patient",
                None
            )
            .await
            .0,
            StatusCode::UNAUTHORIZED,
            "{}: every session ended",
            app.backend
        );
        assert_eq!(
            send(
                &app,
                &laptop,
                reqwest::Method::GET,
                "/fhir/R4/Patient",
                None
            )
            .await
            .0,
            StatusCode::UNAUTHORIZED
        );
        let again = login(&app, "multi@clinic.test", PASSWORD).await.2.unwrap();
        assert_eq!(
            send(&app, &again, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::OK,
            "{}: a new sign-in works",
            app.backend
        );
    }
}

#[tokio::test]
async fn login_throttling_answers_429_in_the_envelope() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let mut last = None;
        for _ in 0..12 {
            let r = app
                .client
                .post(format!("{}/api/v1/auth/login", app.base))
                .json(&serde_json::json!({"email": "brute@clinic.test", "password": "x"}))
                .send()
                .await
                .unwrap();
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                last = Some(r);
                break;
            }
        }
        let r = last.expect("throttled within 12 attempts (10 per minute per identifier)");
        assert!(r.headers().get("retry-after").is_some(), "{}", app.backend);
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            (body["success"].as_bool(), body["error"]["code"].as_str()),
            (Some(false), Some("RATE_LIMIT_EXCEEDED")),
            "{}",
            app.backend
        );
    }
}
