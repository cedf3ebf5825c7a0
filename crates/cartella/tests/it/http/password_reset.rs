//! Password reset by e-mail, end to end: the request goes to the outbox, a worker delivers the
//! mail over real SMTP to a listener started by the test, the link works once, within its time.

use super::*;
use crate::support::worlds;
use cartella_auth::service::{JOB_PASSWORD_RESET, NewUser};
use cartella_mail::testing::TestSmtpServer;
use cartella_mail::{SmtpMailer, SmtpSettings, TlsMode};
use cartella_store::Lane;
use cartella_store::jobs::Worker;
use serde_json::json;
use std::time::Duration;

const OLD: &str = "Ambulatorio-2024!x";
const NEW: &str = "Nuova-Parola-77?z";

async fn post(
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or_default())
}

fn worker(app: &TestApp, smtp: &TestSmtpServer) -> Worker {
    let settings = SmtpSettings {
        host: smtp.addr().ip().to_string(),
        port: smtp.addr().port(),
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "Cartella <noreply@clinic.test>".into(),
        timeout_secs: 5,
    };
    let handler = cartella_server::jobs::PasswordResetMail {
        auth: app.auth_service.clone(),
        mailer: Arc::new(SmtpMailer::new(&settings).unwrap()),
        public_url: app.base.clone(),
    };
    let mut w = Worker::new(app.store.backend().clone(), Lane::Interactive);
    w.register(JOB_PASSWORD_RESET, Arc::new(handler));
    w
}

#[tokio::test]
async fn reset_link_arrives_by_smtp_and_works_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let smtp = TestSmtpServer::start().await;
        let new = NewUser {
            email: "Elena@Clinic.test".into(),
            name: "Elena Ricci".into(),
            roles: "nurse".into(),
            password: Some(OLD.into()),
            patient_id: None,
            expires_at: None,
        };
        app.auth().create_user(&app.tenant_a, new).await.unwrap();
        let (s, known) = post(
            &app,
            "/api/v1/auth/password-reset",
            json!({"email": "elena@clinic.test"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}", app.backend);
        let (s, unknown) = post(
            &app,
            "/api/v1/auth/password-reset",
            json!({"email": "ghost@clinic.test"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            known["data"], unknown["data"],
            "{}: the answer does not reveal accounts",
            app.backend
        );

        let w = worker(&app, &smtp);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while smtp.received().is_empty() && std::time::Instant::now() < deadline {
            w.run_once().await.unwrap();
        }
        let mails = smtp.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(
            mails.len(),
            1,
            "{}: exactly one mail (none for the unknown address)",
            app.backend
        );
        assert_eq!(mails[0].recipients, vec!["elena@clinic.test".to_owned()]);
        let body = mails[0].text_body().expect("a text body");
        assert!(
            body.contains("Elena Ricci") && body.contains("30 minutes"),
            "{body}"
        );
        let token = body
            .split("token=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();

        let (s, weak) = post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": "short"}),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}: {weak}", app.backend);
        assert!(
            weak["error"]["details"]["fields"].as_array().unwrap().len() >= 2,
            "every broken rule is listed: {weak}"
        );
        let (s, _) = post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": NEW}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}", app.backend);
        let (s, _) = post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": "Another-Pass-88!"}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{}: the link works once",
            app.backend
        );
        let (s, _) = post(
            &app,
            "/api/v1/auth/login",
            json!({"email": "elena@clinic.test", "password": OLD}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{}: old password gone",
            app.backend
        );
        let (s, _) = post(
            &app,
            "/api/v1/auth/login",
            json!({"email": "elena@clinic.test", "password": NEW}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}: new password works", app.backend);
    }
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let new = NewUser {
            email: "franco@clinic.test".into(),
            name: "Franco".into(),
            roles: "doctor".into(),
            password: Some(OLD.into()),
            patient_id: None,
            expires_at: None,
        };
        let user = app.auth().create_user(&app.tenant_a, new).await.unwrap();
        // A link issued by a service whose links last zero minutes is already expired.
        let cfg = cartella_auth::AuthConfig {
            reset_link_minutes: 0,
            ..test_auth_config()
        };
        let strict = cartella_auth::Auth::new(app.store.clone(), cfg)
            .await
            .unwrap();
        let (_, token) = strict.issue_reset_token(&user.id).await.unwrap();
        let (s, _) = post(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "new_password": NEW}),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}", app.backend);
    }
}

#[tokio::test]
async fn first_run_setup_creates_the_practice_and_its_administrator_once() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let token = app
            .auth()
            .setup_token()
            .await
            .unwrap()
            .expect("no users yet: a setup token");
        let body = json!({"token": token, "practice_slug": "studio-verdi", "practice_name": "Studio Verdi",
            "email": "admin@verdi.test", "name": "Giulia Verdi", "password": "weak"});
        let (s, weak) = post(&app, "/api/v1/setup", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{}: {weak}", app.backend);
        let mut good = body.clone();
        good["password"] = json!(NEW);
        let (s, done) = post(&app, "/api/v1/setup", good.clone()).await;
        assert_eq!(s, StatusCode::OK, "{}: {done}", app.backend);
        let (s, _) = post(&app, "/api/v1/setup", good).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{}: setup works once",
            app.backend
        );
        assert!(
            app.auth().setup_token().await.unwrap().is_none(),
            "no new token once a user exists"
        );
        let (s, me) = post(
            &app,
            "/api/v1/auth/login",
            json!({"email": "admin@verdi.test", "password": NEW, "practice": "studio-verdi"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{}: {me}", app.backend);
        assert_eq!(me["data"]["roles"], "administrator");
    }
}
