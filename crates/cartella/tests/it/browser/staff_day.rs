//! A staff member's first day, in a real browser: first-run setup, sign-in, two-step
//! verification, register a patient, find them as you type, open the chart, edit, and see a
//! colleague's edit arrive live; switch language; a hostile name stays text; a form without
//! its CSRF token is refused.

use super::*;
use crate::http::spawn_app;
use crate::support;
use cartella_auth::service::NewUser;

const PASSWORD: &str = "Ambulatorio-2024!x";

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#f-email", email).await;
    fill(c, "#f-password", PASSWORD).await;
    click(c, "form[action='/login'] button.primary").await;
}

#[tokio::test]
async fn first_day_at_the_practice() {
    let Some(driver) = driver().await else { return };
    let world = support::sqlite_world().await;
    let app = spawn_app(&world).await;
    let base = app.base.clone();
    let token = app
        .auth()
        .setup_token()
        .await
        .unwrap()
        .expect("setup token");
    let a = browser(&driver, 1280, "en-GB").await;

    // First-run setup.
    a.goto(&format!("{base}/setup?token={token}"))
        .await
        .unwrap();
    fill(&a, "#f-practice_name", "Studio Rossi").await;
    fill(&a, "#f-practice_slug", "studio-rossi").await;
    fill(&a, "#f-name", "Ada Rossi").await;
    fill(&a, "#f-email", "ada@studio.example").await;
    fill(&a, "#f-password", PASSWORD).await;
    click(&a, "form[action='/setup'] button.primary").await;
    wait_text(&a, "main", "The practice is ready").await;

    // Sign in, turn on two-step verification, sign out and in again with a code.
    sign_in(&a, &base, "ada@studio.example").await;
    wait_text(&a, "main", "Hello, Ada Rossi").await;
    a.goto(&format!("{base}/account/2fa")).await.unwrap();
    let secret = a
        .find(Locator::Css("code.secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let raw = cartella_auth::totp::from_base32(&secret).expect("secret on the page");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    fill(&a, "#f-code", &cartella_auth::totp::code_at(&raw, now)).await;
    click(&a, "form[action='/account/2fa'] button.primary").await;
    wait_text(&a, "main", "Your recovery codes").await;
    click(&a, "main a.button.primary").await;
    click(&a, "form[action='/logout'] button").await;
    wait_text(&a, "main", "You have been signed out").await;
    sign_in(&a, &base, "ada@studio.example").await;
    wait_text(&a, "h1", "Two-step verification").await;
    fill(&a, "#f-code", &cartella_auth::totp::code_at(&raw, now + 30)).await;
    click(&a, "form[action^='/login/2fa'] button.primary").await;
    wait_text(&a, "main", "Hello, Ada Rossi").await;

    // Register a patient.
    a.goto(&format!("{base}/patients/new")).await.unwrap();
    fill(&a, "#f-family", "Rossini").await;
    fill(&a, "#f-given", "Giulia").await;
    set(&a, "#f-birth_date", "1980-02-07").await;
    a.find(Locator::Css("#f-sex"))
        .await
        .unwrap()
        .select_by_value("female")
        .await
        .unwrap();
    click(&a, "form[action='/patients/new'] button.primary").await;
    wait_text(&a, ".chart-head h1", "Rossini, Giulia").await;
    let chart = path(&a).await;

    // Find her as you type in the global search box, and open the chart from the answer.
    a.goto(&format!("{base}/")).await.unwrap();
    a.find(Locator::Css("#global-q"))
        .await
        .unwrap()
        .send_keys("rossi")
        .await
        .unwrap();
    wait_text(&a, "#global-results", "Rossini, Giulia").await;
    click(&a, "#global-results a").await;
    wait_text(&a, ".chart-head h1", "Rossini, Giulia").await;
    assert_eq!(path(&a).await, chart);

    // A colleague on a tablet has the same chart open.
    let tenant = app
        .store
        .system_context("studio-rossi", "test")
        .await
        .unwrap();
    app.auth()
        .create_user(
            &tenant,
            NewUser {
                email: "nurse@studio.example".into(),
                name: "Nina Nurse".into(),
                roles: "nurse".into(),
                password: Some(PASSWORD.into()),
                patient_id: None,
                expires_at: None,
            },
        )
        .await
        .unwrap();
    let b = browser(&driver, 800, "en-GB").await;
    sign_in(&b, &base, "nurse@studio.example").await;
    wait_text(&b, "main", "Hello, Nina Nurse").await;
    b.goto(&format!("{base}{chart}")).await.unwrap();
    wait_text(&b, ".chart-head h1", "Rossini, Giulia").await;
    // Give the page's event stream a moment to connect before the edit happens.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Edit in the first browser; the second sees "changed by" without reloading.
    a.goto(&format!("{base}{chart}/edit")).await.unwrap();
    fill(&a, "#f-phone", "+39 06 1234567").await;
    click(&a, "form[action$='/edit'] button.primary").await;
    wait_text(&a, "main", "Changes saved").await;
    let banner = wait_text(&b, "#live-banner", "Ada Rossi").await;
    assert!(banner.contains("Changed by"), "{banner}");

    // Language: the nurse prefers German.
    b.goto(&format!("{base}/account")).await.unwrap();
    b.find(Locator::Css("#f-language"))
        .await
        .unwrap()
        .select_by_value("de")
        .await
        .unwrap();
    click(&b, "form[action='/account/language'] button").await;
    wait_text(&b, "nav.side", "Patienten").await;
    let lang = b
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "de");

    // A hostile name is text: nothing runs.
    a.goto(&format!("{base}/patients/new")).await.unwrap();
    fill(&a, "#f-family", "<img src=x onerror=alert(1)>").await;
    fill(&a, "#f-given", "Mallory").await;
    set(&a, "#f-birth_date", "1970-01-01").await;
    a.find(Locator::Css("#f-sex"))
        .await
        .unwrap()
        .select_by_value("other")
        .await
        .unwrap();
    click(&a, "form[action='/patients/new'] button.primary").await;
    wait_text(
        &a,
        ".chart-head h1",
        "<img src=x onerror=alert(1)>, Mallory",
    )
    .await;
    assert!(a.get_alert_text().await.is_err(), "no alert dialog opened");
    let images = a
        .execute(
            "return document.querySelectorAll('main img[src=\"x\"]').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(images, 0);
    a.goto(&format!("{base}/patients?q=mallory")).await.unwrap();
    wait_text(&a, "#patient-table", "Mallory").await;
    assert!(a.get_alert_text().await.is_err());

    // A form whose CSRF token was removed is refused.
    a.goto(&format!("{base}/patients/new")).await.unwrap();
    a.execute(
        "document.querySelector('form[action=\"/patients/new\"] input[name=_csrf]').remove();",
        vec![],
    )
    .await
    .unwrap();
    fill(&a, "#f-family", "Forged").await;
    click(&a, "form[action='/patients/new'] button.primary").await;
    wait_text(&a, "main", "Form expired").await;

    a.close().await.ok();
    b.close().await.ok();
}
