//! Identity and access over HTTP: helpers shared by the submodules (users, sign-in, requests
//! with a session, OAuth2 forms).

mod login;
mod oauth;
mod roles;
mod totp;

use super::*;
use cartella_auth::service::NewUser;
use serde_json::{Value, json};

pub(super) const PASSWORD: &str = "Ambulatorio-2024!x";

pub(super) async fn user(app: &TestApp, email: &str, roles: &str, patient: Option<&str>) -> String {
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

pub(super) struct Session {
    pub(super) cookie: String,
    pub(super) csrf: String,
}

pub(super) async fn login_at(
    app: &TestApp,
    email: &str,
    password: &str,
    practice: &str,
) -> (StatusCode, Value, Option<Session>) {
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": email, "password": password, "practice": practice}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default(), None)
}

pub(super) async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (StatusCode, Value, Option<Session>) {
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

pub(super) async fn send(
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

pub(super) fn base32_decode(s: &str) -> Vec<u8> {
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

pub(super) async fn form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
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

pub(super) fn urlencode(s: &str) -> String {
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

pub(super) const TENANT_HEADER_NAME: &str = "x-cartella-tenant";
