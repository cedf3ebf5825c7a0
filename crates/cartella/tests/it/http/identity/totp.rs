//! TOTP enrolment, the challenge, replay refusal and single-use recovery codes.

use super::*;
use crate::support::worlds;
use serde_json::json;

#[tokio::test]
async fn totp_enrolment_challenge_replay_and_recovery_codes() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        user(&app, "bruno@clinic.test", "nurse", None).await;
        let (_, _, s) = login(&app, "bruno@clinic.test", PASSWORD).await;
        let s = s.expect("session");
        let (st, setup) = send(
            &app,
            &s,
            reqwest::Method::POST,
            "/api/v1/auth/2fa/setup",
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {setup}", app.backend);
        assert!(
            setup["data"]["qr_svg"]
                .as_str()
                .unwrap_or("")
                .contains("<svg")
        );
        let secret = base32_decode(setup["data"]["secret"].as_str().unwrap());
        let now = (cartella_core::Timestamp::now().micros() / 1_000_000) as u64;
        let code = cartella_auth::totp::code_at(&secret, now);
        let (st, enabled) = send(
            &app,
            &s,
            reqwest::Method::POST,
            "/api/v1/auth/2fa/enable",
            Some(json!({"code": code})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {enabled}", app.backend);
        let recovery: Vec<String> =
            serde_json::from_value(enabled["data"]["recovery_codes"].clone()).unwrap();
        assert_eq!(recovery.len(), 10);

        let (_, body, s2) = login(&app, "bruno@clinic.test", PASSWORD).await;
        let s2 = s2.expect("pending session");
        assert_eq!(body["data"]["mfa_pending"], true, "{}", app.backend);
        let (st, _) = send(&app, &s2, reqwest::Method::GET, "/fhir/R4/Patient", None).await;
        assert_eq!(
            st,
            StatusCode::UNAUTHORIZED,
            "{}: no access before the second factor",
            app.backend
        );
        let (st, _) = send(
            &app,
            &s2,
            reqwest::Method::POST,
            "/api/v1/auth/mfa",
            Some(json!({"code": code})),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::UNAUTHORIZED,
            "{}: a used code is refused (replay)",
            app.backend
        );
        let (st, done) = send(
            &app,
            &s2,
            reqwest::Method::POST,
            "/api/v1/auth/mfa",
            Some(json!({"code": recovery[0]})),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {done}", app.backend);
        let s2 = Session {
            cookie: s2.cookie,
            csrf: done["data"]["csrf_token"].as_str().unwrap().to_owned(),
        };
        let (st, _) = send(&app, &s2, reqwest::Method::GET, "/fhir/R4/Patient", None).await;
        assert_eq!(st, StatusCode::OK, "{}", app.backend);

        let (_, _, s3) = login(&app, "bruno@clinic.test", PASSWORD).await;
        let s3 = s3.unwrap();
        let (st, _) = send(
            &app,
            &s3,
            reqwest::Method::POST,
            "/api/v1/auth/mfa",
            Some(json!({"code": recovery[0]})),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::UNAUTHORIZED,
            "{}: a recovery code works once",
            app.backend
        );
        let (st, _) = send(
            &app,
            &Session {
                cookie: s3.cookie,
                csrf: "wrong".into(),
            },
            reqwest::Method::POST,
            "/api/v1/auth/mfa",
            Some(json!({"code": recovery[1]})),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "{}: CSRF token required",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_practice_can_require_two_factor_for_chosen_roles() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        app.auth()
            .put_settings(&app.tenant_a, &json!({"mfa_required_roles": ["doctor"]}))
            .await
            .unwrap();
        assert!(
            app.auth()
                .put_settings(&app.tenant_a, &json!({"mfa_required_roles": ["wizard"]}))
                .await
                .is_err(),
            "unknown roles refused"
        );
        user(&app, "nina@clinic.test", "nurse", None).await;
        user(&app, "ugo@clinic.test", "doctor", None).await;
        let nurse = login(&app, "nina@clinic.test", PASSWORD).await.2.unwrap();
        assert_eq!(
            send(&app, &nurse, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::OK,
            "{}: nurses are not required",
            app.backend
        );
        let (_, body, doc) = login(&app, "ugo@clinic.test", PASSWORD).await;
        let doc = doc.unwrap();
        assert_eq!(
            body["data"]["mfa_enrolment_required"], true,
            "{}",
            app.backend
        );
        assert_eq!(
            send(&app, &doc, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{}: enrol first",
            app.backend
        );
        let (st, setup) = send(
            &app,
            &doc,
            reqwest::Method::POST,
            "/api/v1/auth/2fa/setup",
            None,
        )
        .await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{}: enrolment is allowed: {setup}",
            app.backend
        );
        let secret = base32_decode(setup["data"]["secret"].as_str().unwrap());
        let code = cartella_auth::totp::code_at(
            &secret,
            (cartella_core::Timestamp::now().micros() / 1_000_000) as u64,
        );
        let (st, _) = send(
            &app,
            &doc,
            reqwest::Method::POST,
            "/api/v1/auth/2fa/enable",
            Some(json!({"code": code})),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            send(&app, &doc, reqwest::Method::GET, "/fhir/R4/Patient", None)
                .await
                .0,
            StatusCode::OK,
            "{}: enrolled",
            app.backend
        );
    }
}
