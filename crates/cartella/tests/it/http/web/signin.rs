//! Sign-in pages: first-run setup, sign-in with and without the second factor, CSRF on every
//! form, security headers, and the language of the pages.

use super::*;

#[tokio::test]
async fn first_run_setup_then_sign_in_lands_on_home() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        let mut b = Browser::new(&app);
        let r = b.get("/login").await;
        assert_eq!(
            r.header("location"),
            Some("/setup"),
            "{}: no user yet → setup",
            app.backend
        );
        let token = app
            .auth()
            .setup_token()
            .await
            .unwrap()
            .expect("setup token");
        // A form without its token is refused and creates nothing.
        let r = b
            .post(
                "/setup",
                &[("token", &token), ("practice_name", "Studio Rossi")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", app.backend);
        let mut fields = vec![
            ("token", token.as_str()),
            ("practice_name", "Studio Rossi"),
            ("practice_slug", "studio-rossi"),
            ("time_zone", "Europe/Rome"),
            ("name", "Ada Rossi"),
            ("email", "ada@studio.example"),
            ("password", "short"),
        ];
        let r = b.submit("/setup", "/setup", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(r.text.contains("use at least 12 characters"), "{}", r.text);
        assert!(
            r.text.contains("value=\"Studio Rossi\""),
            "typed values are kept"
        );
        fields.retain(|(k, _)| *k != "password");
        fields.push(("password", PASSWORD));
        let r = b.submit("/setup", "/setup", &fields).await;
        assert_eq!(
            r.header("location"),
            Some("/login?notice=setup-done"),
            "{}: {}",
            app.backend,
            r.text
        );
        let home = b.sign_in("ada@studio.example").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains("Hello, Ada Rossi"), "{}", home.text);
        assert!(home.text.contains("Studio Rossi"));
        // Setup happens once.
        let r = b.get("/setup").await;
        assert_eq!(r.header("location"), Some("/login"));
    }
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "sec@a.example", "secretary").await;
    let mut b = Browser::new(&app);
    for path in ["/login", "/password/forgot"] {
        let r = b.get(path).await;
        let csp = r.header("content-security-policy").expect("CSP header");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    let home = b.sign_in("sec@a.example").await;
    // No inline script or style anywhere: the policy would block it.
    assert!(
        !home.text.contains("<script>") && !home.text.contains("style=\""),
        "{}",
        home.text
    );
    assert!(!home.text.contains(" on") || !home.text.contains("onclick="));
    // Assets are served from the binary, cacheable for a year.
    let css = home
        .text
        .split("href=\"/assets/")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/assets/{s}"))
        .expect("css link");
    let r = b.get(&css).await;
    assert_eq!(r.status, StatusCode::OK, "{css}");
    assert!(r.header("cache-control").unwrap().contains("immutable"));
}

#[tokio::test]
async fn wrong_password_says_why_in_the_browser_language_and_keeps_the_email() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "nurse@a.example", "nurse").await;
    let mut b = Browser::new(&app);
    b.lang = Some("it-IT,it;q=0.9,en;q=0.5");
    let r = b
        .submit(
            "/login",
            "/login",
            &[("email", "nurse@a.example"), ("password", "wrong-password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("lang=\"it\""), "{}", r.text);
    assert!(r.text.contains("value=\"nurse@a.example\""));
    assert!(
        !r.text.contains("Wrong e-mail"),
        "the message is translated: {}",
        r.text
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "sec@a.example", "secretary").await;
        let mut b = Browser::new(&app);
        let r = b
            .post(
                "/login",
                &[("email", "sec@a.example"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{}: sign-in form without token",
            app.backend
        );
        b.sign_in("sec@a.example").await;
        let r = b
            .post(
                "/patients/new",
                &[
                    ("family", "Bianchi"),
                    ("given", "Luca"),
                    ("birth_date", "1980-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", app.backend);
        let r = b
            .post(
                "/patients/new",
                &[
                    ("family", "Bianchi"),
                    ("given", "Luca"),
                    ("birth_date", "1980-01-01"),
                    ("_csrf", "forged"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let list = b.get("/patients?status=all").await;
        assert!(!list.text.contains("Bianchi"), "nothing was created");
        let r = b.post("/account/language", &[("language", "de")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = b.post("/logout", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "sign-out is a form too");
    }
}

#[tokio::test]
async fn two_factor_enrolment_then_challenge_at_sign_in() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "doc@a.example", "doctor").await;
        let mut b = Browser::new(&app);
        b.sign_in("doc@a.example").await;
        let page = b.get("/account/2fa").await;
        let secret = hidden(&page.text, "secret").expect("secret on the page");
        let raw = cartella_auth::totp::from_base32(&secret).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let csrf = hidden(&page.text, "_csrf").unwrap();
        let r = b
            .post(
                "/account/2fa",
                &[("code", "000000"), ("secret", &secret), ("_csrf", &csrf)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: a wrong code",
            app.backend
        );
        let code = cartella_auth::totp::code_at(&raw, now);
        // The page still shows the same secret after the wrong code.
        let csrf = hidden(&r.text, "_csrf").unwrap();
        assert_eq!(hidden(&r.text, "secret").as_deref(), Some(secret.as_str()));
        let r = b
            .post(
                "/account/2fa",
                &[("code", &code), ("secret", &secret), ("_csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", app.backend, r.text);
        assert_eq!(
            r.text.matches("<li><code>").count(),
            10,
            "ten recovery codes: {}",
            r.text
        );
        let home = b.get("/").await;
        let csrf = hidden(&home.text, "_csrf").unwrap();
        let r = b.post("/logout", &[("_csrf", &csrf)]).await;
        assert_eq!(r.header("location"), Some("/login?notice=signed-out"));
        assert_eq!(
            b.get("/patients").await.status,
            StatusCode::SEE_OTHER,
            "signed out"
        );
        // Next sign-in asks for the second factor before any page opens.
        let r = b
            .submit(
                "/login?next=/patients",
                "/login",
                &[
                    ("email", "doc@a.example"),
                    ("password", PASSWORD),
                    ("next", "/patients"),
                ],
            )
            .await;
        let to = r.header("location").unwrap().to_owned();
        assert!(to.starts_with("/login/2fa"), "{to}");
        assert!(
            b.get("/patients")
                .await
                .header("location")
                .unwrap()
                .starts_with("/login/2fa")
        );
        let r = b.submit("/login/2fa", &to, &[("code", "123456")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // The code of the next step (the current one was used to enrol and is never accepted twice).
        let next = cartella_auth::totp::code_at(&raw, now + 30);
        let r = b.submit("/login/2fa", &to, &[("code", &next)]).await;
        assert_eq!(
            r.header("location"),
            Some("/patients"),
            "{}: {}",
            app.backend,
            r.text
        );
    }
}

#[tokio::test]
async fn language_follows_the_switcher_then_the_user_choice() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "physio@a.example", "physiotherapist").await;
    let mut b = Browser::new(&app);
    b.get("/language?lang=de").await;
    let login = b.get("/login").await;
    assert!(
        login.text.contains("lang=\"de\"") && login.text.contains("Anmelden"),
        "{}",
        login.text
    );
    b.sign_in("physio@a.example").await;
    let r = b
        .submit("/account", "/account/language", &[("language", "fr")])
        .await;
    assert_eq!(r.header("location"), Some("/account?notice=language"));
    let home = b.get("/").await;
    assert!(home.text.contains("lang=\"fr\""), "{}", home.text);
    assert!(
        home.text.contains("Patients") && home.text.contains("Bonjour"),
        "{}",
        home.text
    );
    assert!(!home.text.contains("Hello"), "{}", home.text);
}

#[tokio::test]
async fn a_required_second_factor_must_be_set_up_before_any_page() {
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    staff(&app, "boss@a.example", "administrator").await;
    staff(&app, "doc@a.example", "doctor").await;
    let mut admin = Browser::new(&app);
    admin.sign_in("boss@a.example").await;
    let r = admin
        .submit(
            "/admin/settings",
            "/admin/settings",
            &[
                ("display_name", "Clinica A"),
                ("time_zone", "Europe/Paris"),
                ("default_language", "it"),
                ("mfa_required_roles", "doctor"),
            ],
        )
        .await;
    assert_eq!(
        r.header("location"),
        Some("/admin/settings?notice=saved"),
        "{}",
        r.text
    );
    let mut doc = Browser::new(&app);
    let r = doc
        .submit(
            "/login",
            "/login",
            &[("email", "doc@a.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.header("location"), Some("/account/2fa"));
    let r = doc.get("/patients").await;
    assert_eq!(
        r.header("location"),
        Some("/account/2fa"),
        "no page before enrolment"
    );
    let page = doc.get("/account/2fa").await;
    assert!(
        page.text.contains("lang=\"it\""),
        "the practice's default language"
    );
    assert!(
        page.text.contains("Clinica A"),
        "the practice's display name"
    );
}
