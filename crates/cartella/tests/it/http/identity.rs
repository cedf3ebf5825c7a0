//! Identity and access over HTTP: sign-in with lockout and no enumeration, TOTP with replay and
//! recovery codes, role enforcement on the FHIR API for sessions, client-credential tokens with
//! scopes and revocation, rotating refresh tokens with reuse detection, and disabling a user.

use super::*;
use crate::support::worlds;
use cartella_auth::service::NewUser;
use serde_json::{Value, json};

const PASSWORD: &str = "Ambulatorio-2024!x";

async fn user(app: &TestApp, email: &str, roles: &str, patient: Option<&str>) -> String {
    let new = NewUser {
        email: email.into(),
        name: "Test User".into(),
        roles: roles.into(),
        password: Some(PASSWORD.into()),
        patient_id: patient.map(str::to_owned),
        expires_at: None,
    };
    app.auth()
        .create_user(&app.tenant_a, new)
        .await
        .expect("create user")
        .id
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value, Option<Session>) {
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|s| s.to_owned());
    let body: Value = r.json().await.unwrap_or_default();
    let session = cookie.map(|c| Session {
        cookie: c,
        csrf: body["data"]["csrf_token"].as_str().unwrap_or("").to_owned(),
    });
    (status, body, session)
}

async fn send(
    app: &TestApp,
    s: &Session,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/fhir+json")
            .body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

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

fn base32_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base32") as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

#[tokio::test]
async fn roles_and_compartments_on_the_fhir_api() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let mine = app
            .store
            .create(
                &app.tenant_a,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Mine"}]}),
                Default::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        let other = app
            .store
            .create(
                &app.tenant_a,
                "Patient",
                json!({"resourceType": "Patient", "name": [{"family": "Other"}]}),
                Default::default(),
            )
            .await
            .unwrap()
            .resource
            .id;
        for p in [&mine, &other] {
            let obs = json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": format!("Patient/{p}")}});
            app.store
                .create(&app.tenant_a, "Observation", obs, Default::default())
                .await
                .unwrap();
        }
        user(&app, "doc@clinic.test", "doctor", None).await;
        user(&app, "desk@clinic.test", "secretary", None).await;
        user(&app, "pat@clinic.test", "patient", Some(&mine)).await;
        let doc = login(&app, "doc@clinic.test", PASSWORD).await.2.unwrap();
        let desk = login(&app, "desk@clinic.test", PASSWORD).await.2.unwrap();
        let pat = login(&app, "pat@clinic.test", PASSWORD).await.2.unwrap();
        let get = reqwest::Method::GET;
        assert_eq!(
            send(&app, &doc, get.clone(), "/fhir/R4/Observation", None)
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            send(&app, &desk, get.clone(), "/fhir/R4/Observation", None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{}: secretaries see no clinical data",
            app.backend
        );
        let new_patient = json!({"resourceType": "Patient", "name": [{"family": "New"}]});
        assert_eq!(
            send(
                &app,
                &desk,
                reqwest::Method::POST,
                "/fhir/R4/Patient",
                Some(new_patient.clone())
            )
            .await
            .0,
            StatusCode::CREATED
        );
        assert_eq!(
            send(
                &app,
                &pat,
                reqwest::Method::POST,
                "/fhir/R4/Patient",
                Some(new_patient)
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &app,
                &pat,
                get.clone(),
                &format!("/fhir/R4/Patient/{mine}"),
                None
            )
            .await
            .0,
            StatusCode::OK
        );
        assert_eq!(
            send(
                &app,
                &pat,
                get.clone(),
                &format!("/fhir/R4/Patient/{other}"),
                None
            )
            .await
            .0,
            StatusCode::FORBIDDEN,
            "{}: only their own record",
            app.backend
        );
        let (st, bundle) = send(&app, &pat, get.clone(), "/fhir/R4/Observation", None).await;
        assert_eq!(st, StatusCode::OK);
        let subjects: Vec<&str> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["subject"]["reference"].as_str().unwrap())
            .collect();
        assert_eq!(
            subjects,
            vec![format!("Patient/{mine}").as_str()],
            "{}: search limited to their compartment",
            app.backend
        );
        assert_eq!(
            send(&app, &doc, get.clone(), "/api/v1/admin/users", None)
                .await
                .0,
            StatusCode::FORBIDDEN,
            "{}: only administrators administer",
            app.backend
        );
        app.store.flush_audit().await;
        let denied = app
            .store
            .backend()
            .audit_rows(&app.tenant_a.tenant, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.outcome == "denied")
            .count();
        assert!(
            denied >= 4,
            "{}: denials are audited ({denied})",
            app.backend
        );
    }
}

async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or_default())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn client_credentials_scopes_revocation_and_rate_limit() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let reg = cartella_auth::service::ClientRegistration {
            name: "Lab".into(),
            scopes: "system/Patient.read".into(),
            redirect_uris: vec![],
            public: false,
            rate_limit: Some(5),
        };
        let (client, secret) = app
            .auth()
            .register_client(&app.tenant_a, reg)
            .await
            .unwrap();
        let secret = secret.unwrap();
        let (st, bad) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.id),
                ("client_secret", "nope"),
            ],
        )
        .await;
        assert_eq!(
            (st, bad["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{}",
            app.backend
        );
        let (st, tok) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.id),
                ("client_secret", &secret),
                ("scope", "system/Patient.read system/Patient.write"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {tok}", app.backend);
        assert_eq!(
            tok["scope"], "system/Patient.read",
            "{}: never more than registered",
            app.backend
        );
        let access = tok["access_token"].as_str().unwrap().to_owned();
        let call = |method: reqwest::Method, path: &str| {
            app.client
                .request(method, format!("{}{path}", app.base))
                .bearer_auth(&access)
                .header("content-type", "application/fhir+json")
        };
        assert_eq!(
            call(reqwest::Method::GET, "/fhir/R4/Patient")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            call(reqwest::Method::GET, "/fhir/R4/Observation")
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "{}: scope limits types",
            app.backend
        );
        assert_eq!(
            call(reqwest::Method::POST, "/fhir/R4/Patient")
                .body(r#"{"resourceType":"Patient"}"#)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "{}: read scope cannot write",
            app.backend
        );
        // The client's limit is 5 requests per hour: the next ones get 429 with Retry-After.
        let mut limited = None;
        for _ in 0..5 {
            let r = call(reqwest::Method::GET, "/fhir/R4/Patient")
                .send()
                .await
                .unwrap();
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(r);
                break;
            }
        }
        let limited = limited.expect("rate limited");
        assert!(
            limited.headers().get("retry-after").is_some(),
            "{}",
            app.backend
        );
        let (st, _) = form(
            &app,
            "/oauth2/revoke",
            &[
                ("token", &access),
                ("client_id", &client.id),
                ("client_secret", &secret),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let r = app
            .client
            .get(format!("{}/fhir/R4/Patient", app.base))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{}: revoked token refused",
            app.backend
        );
        let forged = format!("{}x", &access[..access.len() - 1]);
        let r = app
            .client
            .get(format!("{}/fhir/R4/Patient", app.base))
            .bearer_auth(forged)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{}: tampered token refused",
            app.backend
        );
    }
}

#[tokio::test]
async fn authorization_code_with_pkce_and_refresh_reuse_detection() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        user(&app, "carla@clinic.test", "physiotherapist", None).await;
        let redirect = "http://127.0.0.1:9/callback";
        let reg = cartella_auth::service::ClientRegistration {
            name: "App".into(),
            scopes: "user/*.read offline_access".into(),
            redirect_uris: vec![redirect.into()],
            public: true,
            rate_limit: None,
        };
        let (client, _) = app
            .auth()
            .register_client(&app.tenant_a, reg)
            .await
            .unwrap();
        let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789abcdef";
        let challenge = {
            use base64::Engine;
            use sha2::Digest;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()))
        };
        let page = app.client.get(format!("{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=user%2F*.read&state=xyz&code_challenge={challenge}&code_challenge_method=S256", app.base, client.id, urlencode(redirect))).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", app.backend);
        assert!(page.text().await.unwrap().contains("Allow App"));
        let no_redirect = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let fields = [
            ("response_type", "code"),
            ("client_id", client.id.as_str()),
            ("redirect_uri", redirect),
            ("scope", "user/*.read"),
            ("state", "xyz"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
            ("email", "carla@clinic.test"),
            ("password", PASSWORD),
        ];
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = no_redirect
            .post(format!("{}/oauth2/authorize", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_redirection(),
            "{}: {}",
            app.backend,
            r.status()
        );
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(redirect) && location.ends_with("&state=xyz"),
            "{location}"
        );
        let code = location
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        let exchange = [
            ("grant_type", "authorization_code"),
            ("client_id", client.id.as_str()),
            ("code", &code),
            ("redirect_uri", redirect),
            (
                "code_verifier",
                "wrong-verifier-wrong-verifier-wrong-verifier-00",
            ),
        ];
        let (st, _) = form(&app, "/oauth2/token", &exchange).await;
        assert_eq!(
            st,
            StatusCode::BAD_REQUEST,
            "{}: wrong PKCE verifier",
            app.backend
        );
        // The code was spent by the failed attempt: get a new one.
        let r = no_redirect
            .post(format!("{}/oauth2/authorize", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", urlencode(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
            )
            .send()
            .await
            .unwrap();
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let code = location
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        let (st, tokens) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.id),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {tokens}", app.backend);
        let access = tokens["access_token"].as_str().unwrap();
        let r = app
            .client
            .get(format!("{}/fhir/R4/Patient", app.base))
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", app.backend);
        let first = tokens["refresh_token"].as_str().unwrap().to_owned();
        let (st, rotated) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client.id),
                ("refresh_token", &first),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {rotated}", app.backend);
        let second = rotated["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(first, second);
        let (st, reuse) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client.id),
                ("refresh_token", &first),
            ],
        )
        .await;
        assert_eq!(
            (st, reuse["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{}: reuse detected",
            app.backend
        );
        let (st, _) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client.id),
                ("refresh_token", &second),
            ],
        )
        .await;
        assert_eq!(
            st,
            StatusCode::BAD_REQUEST,
            "{}: the whole family was revoked",
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

const TENANT_HEADER_NAME: &str = "x-cartella-tenant";
