//! OAuth2: client credentials with scopes, rate limit and revocation; code + PKCE with rotating
//! refresh tokens and reuse detection.

use super::*;
use crate::support::worlds;

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

/// A client registered with `patient/` scopes has no patient of its own: it sees no patient's
/// data, and cannot even learn that another patient's resource was deleted.
#[tokio::test]
async fn a_client_with_patient_scopes_sees_no_compartment() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let pid = app
            .create_id("Patient", &patient("Scope", "Ada", "1970-01-01", "PS-1"))
            .await;
        let obs = app
            .create_id(
                "Observation",
                &observation(&pid, "http://loinc.org", "8867-4", "2024-01-01"),
            )
            .await;
        let gone = app
            .create_id(
                "Observation",
                &observation(&pid, "http://loinc.org", "8310-5", "2024-01-02"),
            )
            .await;
        let r =
            crate::http::send(app.request(reqwest::Method::DELETE, &format!("Observation/{gone}")))
                .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", app.backend);
        let reg = cartella_auth::service::ClientRegistration {
            name: "App".into(),
            scopes: "patient/*.read".into(),
            redirect_uris: vec![],
            public: false,
            rate_limit: None,
        };
        let (client, secret) = app
            .auth()
            .register_client(&app.tenant_a, reg)
            .await
            .unwrap();
        let (st, tok) = form(
            &app,
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.id),
                ("client_secret", &secret.unwrap()),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{}: {tok}", app.backend);
        let access = tok["access_token"].as_str().unwrap().to_owned();
        let get = |path: String| {
            let req = app.client.get(app.fhir_url(&path)).bearer_auth(&access);
            async move { crate::http::send(req).await }
        };
        let r = get("Observation".into()).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {r:?}", app.backend);
        assert!(
            match_ids(&r.json()).is_empty(),
            "{}: {}",
            app.backend,
            r.text
        );
        let r = get(format!("Observation/{obs}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {r:?}", app.backend);
        let r = get(format!("Observation/{gone}")).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{}: a deletion outside the compartment: {r:?}",
            app.backend
        );
        let r = get(format!("Patient/{pid}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}: {r:?}", app.backend);
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
        let smart: Value = app
            .client
            .get(format!(
                "{}/fhir/R4/.well-known/smart-configuration",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            smart["token_endpoint"],
            format!("{}/oauth2/token", app.base),
            "{}",
            app.backend
        );
        assert!(
            smart["code_challenge_methods_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("S256"))
        );
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
