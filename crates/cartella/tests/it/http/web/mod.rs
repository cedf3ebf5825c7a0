//! The web UI over HTTP: a small cookie-keeping client drives the real pages like a browser
//! without JavaScript would (forms, redirects, hidden CSRF fields).

mod audit_view;
mod events;
mod pages_by_role;
mod registry;
mod signin;

use super::*;
use cartella_auth::service::NewUser;
use std::collections::BTreeMap;

pub const PASSWORD: &str = "Ambulatorio-2024!x";

/// A browser session: its own cookies, no automatic redirects (tests look at each hop).
pub struct Browser<'a> {
    pub app: &'a TestApp,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
    pub lang: Option<&'static str>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
            lang: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, reply: &Reply) {
        for v in reply.headers.get_all("set-cookie") {
            let Some((kv, _)) = v
                .to_str()
                .unwrap_or("")
                .split_once(';')
                .or(Some((v.to_str().unwrap_or(""), "")))
            else {
                continue;
            };
            if let Some((k, v)) = kv.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut r = self
            .client
            .request(method, self.app.url(path))
            .header("cookie", self.cookie_header());
        if let Some(l) = self.lang {
            r = r.header("accept-language", l);
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let reply = send(self.request(Method::GET, path)).await;
        self.keep_cookies(&reply);
        reply
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let reply = send(self.request(Method::POST, path).form(fields)).await;
        self.keep_cookies(&reply);
        reply
    }

    /// Open a streaming response (Server-Sent Events).
    pub async fn open_stream(&self, path: &str) -> reqwest::Response {
        self.request(Method::GET, path)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("open stream")
    }

    /// GET the page that holds the form, then POST it with the page's CSRF token added.
    pub async fn submit(
        &mut self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let page = self.get(form_page).await;
        let token = hidden(&page.text, "_csrf")
            .unwrap_or_else(|| panic!("no _csrf on {form_page}: {}", page.text));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &token));
        self.post(action, &all).await
    }

    /// Follow redirects from `reply` until a page answers.
    pub async fn follow(&mut self, mut reply: Reply) -> Reply {
        for _ in 0..5 {
            if !reply.status.is_redirection() {
                return reply;
            }
            let to = reply
                .header("location")
                .expect("redirect has a location")
                .to_owned();
            reply = self.get(&to).await;
        }
        panic!("too many redirects");
    }

    /// Sign in through the form (no second factor); panics unless it lands on a page.
    pub async fn sign_in(&mut self, email: &str) -> Reply {
        let r = self
            .submit(
                "/login",
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            r.text
        );
        self.follow(r).await
    }
}

/// The value of a hidden field (or any input) named `name`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_owned())
}

/// A staff member of practice A with a password and no second factor.
pub async fn staff(app: &TestApp, email: &str, roles: &str) -> String {
    app.auth()
        .create_user(
            &app.tenant_a,
            NewUser {
                email: email.into(),
                name: format!("Staff {roles}"),
                roles: roles.into(),
                password: Some(PASSWORD.into()),
                patient_id: None,
                expires_at: None,
            },
        )
        .await
        .expect("create staff")
        .id
}

/// A patient in practice A, through the registry form; returns its id.
pub async fn register(b: &mut Browser<'_>, family: &str, given: &str, birth: &str) -> String {
    let r = b
        .submit(
            "/patients/new",
            "/patients/new",
            &[
                ("family", family),
                ("given", given),
                ("birth_date", birth),
                ("sex", "female"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "register failed: {}",
        r.text
    );
    r.header("location")
        .unwrap()
        .trim_start_matches("/patients/")
        .to_owned()
}
