//! Tenants never see each other's data, on every backend and for every R4 resource type: a
//! clinic-a doctor (browser session) and a clinic-a API client (client credentials,
//! `system/*.read`) cannot read, vread, find or list in any history what clinic-b holds under the
//! same ids as their own; the clinic-a administrator lists no clinic-b member; deleting or writing
//! clinic-b's ids from clinic-a never touches clinic-b's resources.

use super::rbac::{Session, call, excerpt, minimal, new_user, sign_in};
use super::*;
use crate::support::worlds;
use cartella_auth::service::ClientRegistration;
use cartella_core::access::{Action, Role, allows, group_of};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use serde_json::{Value, json};

/// Only clinic-b's resources carry this; it must never reach a clinic-a caller.
const B_MARK: &str = "clinic-b-only-7f3a";
/// Clinic-a's own resources carry this.
const A_MARK: &str = "clinic-a-own-2c9d";

/// `x-T`: the id clinic-b uses (and clinic-a later writes under); `a-T`: clinic-a's own.
fn x_id(t: &str) -> String {
    format!("x-{t}")
}
fn a_id(t: &str) -> String {
    format!("a-{t}")
}

/// A resource tagged with `mark`, in the compartment of `patient` where the type has one.
fn tagged(t: &str, id: &str, patient: &str, mark: &str) -> Value {
    let mut body = minimal(t, Some(id), patient);
    body["meta"] = json!({ "tag": [{ "system": "urn:cartella-test", "code": mark }] });
    body
}

/// Who reads from clinic-a.
enum Caller {
    Session(Session),
    Bearer(String),
}

async fn get(app: &TestApp, caller: &Caller, path: &str) -> Reply {
    match caller {
        Caller::Session(s) => call(app, s, Method::GET, path, None).await,
        Caller::Bearer(token) => send(app.client.get(app.url(path)).bearer_auth(token)).await,
    }
}

/// `Type/id` of every entry of a history bundle (from `request.url`, present even for deletions).
fn history_refs(bundle: &Value) -> Vec<String> {
    entries(bundle)
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Record a mismatch.
struct Findings {
    backend: &'static str,
    who: &'static str,
    wrong: Vec<String>,
    checked: usize,
}

impl Findings {
    fn fail(&mut self, what: String) {
        self.wrong
            .push(format!("{} | {} | {what}", self.backend, self.who));
    }

    /// The status must be `expected` and the body must not carry clinic-b's mark.
    fn expect(&mut self, what: &str, expected: StatusCode, r: &Reply) -> bool {
        self.checked += 1;
        if r.text.contains(B_MARK) {
            self.fail(format!(
                "{what}: the answer carries clinic-b data: {}",
                excerpt(&r.text)
            ));
        }
        if r.status != expected {
            self.fail(format!(
                "{what}: expected {expected}, got {} ({})",
                r.status,
                excerpt(&r.text)
            ));
            return false;
        }
        true
    }

    fn bundle(&mut self, what: &str, r: &Reply) -> Option<Value> {
        match serde_json::from_str::<Value>(&r.text) {
            Ok(b) if b["resourceType"] == "Bundle" => Some(b),
            _ => {
                self.fail(format!("{what}: not a bundle: {}", excerpt(&r.text)));
                None
            }
        }
    }
}

/// Every read interaction on clinic-b's ids, as `caller`; `can_read` says which types the
/// caller may read at all (the others must be refused, 403, before any lookup).
async fn reads_find_nothing_of_b(
    app: &TestApp,
    caller: &Caller,
    f: &mut Findings,
    can_read: impl Fn(&str) -> bool,
) {
    for t in R4_RESOURCE_TYPES {
        let (x, a) = (x_id(t), a_id(t));
        let readable = can_read(t);
        let refused = StatusCode::FORBIDDEN;
        let found = |ok| if readable { ok } else { refused };

        let r = get(app, caller, &format!("/fhir/R4/{t}/{x}")).await;
        f.expect(&format!("GET {t}/{x}"), found(StatusCode::NOT_FOUND), &r);
        let r = get(app, caller, &format!("/fhir/R4/{t}/{x}/_history/1")).await;
        f.expect(
            &format!("GET {t}/{x}/_history/1"),
            found(StatusCode::NOT_FOUND),
            &r,
        );

        let what = format!("search {t}?_id={x},{a}");
        let r = get(app, caller, &format!("/fhir/R4/{t}?_id={x},{a}")).await;
        if f.expect(&what, found(StatusCode::OK), &r)
            && readable
            && let Some(b) = f.bundle(&what, &r)
        {
            let ids = match_ids(&b);
            if ids != vec![a.clone()] {
                f.fail(format!("{what}: expected only [{a}], got {ids:?}"));
            }
        }

        let what = format!("history {t}/{x}/_history");
        let r = get(app, caller, &format!("/fhir/R4/{t}/{x}/_history")).await;
        if f.expect(&what, found(StatusCode::OK), &r)
            && readable
            && let Some(b) = f.bundle(&what, &r)
        {
            let listed = history_refs(&b);
            if !listed.is_empty() {
                f.fail(format!("{what}: lists {listed:?}"));
            }
        }

        let what = format!("history {t}/_history");
        let r = get(app, caller, &format!("/fhir/R4/{t}/_history?_count=1000")).await;
        if f.expect(&what, found(StatusCode::OK), &r)
            && readable
            && let Some(b) = f.bundle(&what, &r)
        {
            let listed = history_refs(&b);
            if listed != vec![format!("{t}/{a}")] {
                f.fail(format!("{what}: expected only [{t}/{a}], got {listed:?}"));
            }
        }
    }

    let what = "history _history";
    let r = get(app, caller, "/fhir/R4/_history?_count=1000").await;
    if f.expect(what, StatusCode::OK, &r)
        && let Some(b) = f.bundle(what, &r)
    {
        let listed = history_refs(&b);
        let from_b: Vec<&String> = listed.iter().filter(|u| u.contains("/x-")).collect();
        if !from_b.is_empty() {
            f.fail(format!("{what}: lists clinic-b's {from_b:?}"));
        }
        let readable = R4_RESOURCE_TYPES.iter().filter(|t| can_read(t)).count();
        if listed.len() != readable {
            f.fail(format!(
                "{what}: expected clinic-a's {readable} readable resources, got {}",
                listed.len()
            ));
        }
    }
}

#[tokio::test]
async fn clinic_a_never_sees_clinic_b() {
    for w in worlds().await {
        let app = spawn_app(&w).await;
        let name = app.backend;

        // Every type in both practices: clinic-b under x-T, clinic-a under a-T.
        let b_items = R4_RESOURCE_TYPES
            .iter()
            .map(|t| (t.to_string(), tagged(t, &x_id(t), &x_id("Patient"), B_MARK)))
            .collect();
        app.store.import(&app.tenant_b, b_items).await.unwrap();
        let a_items = R4_RESOURCE_TYPES
            .iter()
            .map(|t| (t.to_string(), tagged(t, &a_id(t), &a_id("Patient"), A_MARK)))
            .collect();
        app.store.import(&app.tenant_a, a_items).await.unwrap();

        new_user(
            &app,
            &app.tenant_a,
            "admin@clinic-a.test",
            "administrator",
            None,
        )
        .await;
        new_user(&app, &app.tenant_a, "doc@clinic-a.test", "doctor", None).await;
        let b_doc = new_user(&app, &app.tenant_b, "doc@clinic-b.test", "doctor", None).await;
        let admin = sign_in(&app, "admin@clinic-a.test").await;
        let doctor = Caller::Session(sign_in(&app, "doc@clinic-a.test").await);

        let mut f = Findings {
            backend: name,
            who: "clinic-a doctor (session)",
            wrong: Vec::new(),
            checked: 0,
        };
        let doctor_reads = |t: &str| allows(Role::Doctor, group_of(t), Action::Read);
        reads_find_nothing_of_b(&app, &doctor, &mut f, doctor_reads).await;

        // An API client of clinic-a, for itself.
        let reg = ClientRegistration {
            name: "Clinic A reporting".into(),
            scopes: "system/*.read".into(),
            redirect_uris: vec![],
            public: false,
            rate_limit: Some(100_000),
        };
        let (client, secret) = app
            .auth()
            .register_client(&app.tenant_a, reg)
            .await
            .unwrap();
        let r = send(
            app.client
                .post(format!("{}/oauth2/token", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "grant_type=client_credentials&client_id={}&client_secret={}",
                    client.id,
                    secret.expect("a confidential client has a secret")
                )),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: token: {r:?}");
        let token = r.json()["access_token"].as_str().unwrap().to_owned();
        f.who = "clinic-a API client (system/*.read)";
        reads_find_nothing_of_b(&app, &Caller::Bearer(token), &mut f, |_| true).await;

        // The administrator lists clinic-a's members only.
        f.who = "clinic-a administrator";
        let r = call(&app, &admin, Method::GET, "/api/v1/admin/users", None).await;
        if f.expect("GET /api/v1/admin/users", StatusCode::OK, &r) {
            let body = r.json();
            let emails: Vec<&str> = body["data"]
                .as_array()
                .map(|a| a.iter().filter_map(|u| u["email"].as_str()).collect())
                .unwrap_or_default();
            let mut sorted = emails.clone();
            sorted.sort_unstable();
            if sorted != ["admin@clinic-a.test", "doc@clinic-a.test"] {
                f.fail(format!(
                    "admin users: expected clinic-a's two, got {emails:?}"
                ));
            }
            if r.text.contains("clinic-b") || r.text.contains(&b_doc) {
                f.fail(format!("admin users: lists a clinic-b member: {}", r.text));
            }
        }

        // Deleting and writing clinic-b's ids from clinic-a.
        f.who = "clinic-a doctor (session)";
        let Caller::Session(doc) = &doctor else {
            unreachable!()
        };
        for t in R4_RESOURCE_TYPES {
            let x = x_id(t);
            let group = group_of(t);
            let status_if = |allowed: bool, ok| if allowed { ok } else { StatusCode::FORBIDDEN };
            let may_delete = allows(Role::Doctor, group, Action::Delete);
            let r = call(
                &app,
                doc,
                Method::DELETE,
                &format!("/fhir/R4/{t}/{x}"),
                None,
            )
            .await;
            f.expect(
                &format!("DELETE {t}/{x}"),
                status_if(may_delete, StatusCode::NOT_FOUND),
                &r,
            );

            let may_write = allows(Role::Doctor, group, Action::Write);
            let body = tagged(t, &x, &x_id("Patient"), A_MARK);
            let r = call(
                &app,
                doc,
                Method::PUT,
                &format!("/fhir/R4/{t}/{x}"),
                Some(&body),
            )
            .await;
            let created = f.expect(
                &format!("PUT {t}/{x}"),
                status_if(may_write, StatusCode::CREATED),
                &r,
            );
            if created && may_write {
                let r = call(&app, doc, Method::GET, &format!("/fhir/R4/{t}/{x}"), None).await;
                let what = format!("GET {t}/{x} after clinic-a's PUT");
                if f.expect(&what, StatusCode::OK, &r) {
                    let v = r.json();
                    if v["meta"]["versionId"] != "1" || !r.text.contains(A_MARK) {
                        f.fail(format!("{what}: not clinic-a's version 1: {}", r.text));
                    }
                }
            }
        }

        // Clinic-b's resources are as they were: version 1, its own content, found by its search.
        f.who = "clinic-b afterwards";
        for t in R4_RESOURCE_TYPES {
            let x = x_id(t);
            f.checked += 1;
            match app.store.read(&app.tenant_b, t, &x).await {
                Ok(stored) => {
                    let text = String::from_utf8_lossy(&stored.json);
                    if stored.version != 1 || !text.contains(B_MARK) || text.contains(A_MARK) {
                        f.fail(format!(
                            "{t}/{x}: changed: version {}, {}",
                            stored.version,
                            excerpt(&text)
                        ));
                    }
                }
                Err(e) => f.fail(format!("{t}/{x}: unreadable in clinic-b: {e}")),
            }
            let r = app.get_as(TENANT_B, &format!("{t}?_id={x}")).await;
            f.checked += 1;
            let ok = r.status == StatusCode::OK
                && r.text.contains(B_MARK)
                && !r.text.contains(A_MARK)
                && serde_json::from_str::<Value>(&r.text)
                    .map(|b| match_ids(&b) == vec![x.clone()])
                    .unwrap_or(false);
            if !ok {
                f.fail(format!(
                    "clinic-b search {t}?_id={x}: expected its own resource only, got {r:?}"
                ));
            }
        }

        assert!(
            f.wrong.is_empty(),
            "{name}: {} of {} checks wrong:\n{}",
            f.wrong.len(),
            f.checked,
            f.wrong.join("\n")
        );
        eprintln!("{name}: {} cross-tenant checks passed", f.checked);
    }
}
