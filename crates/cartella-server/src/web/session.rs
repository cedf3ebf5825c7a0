//! Who is looking at a page: the signed-in staff member (from the session cookie) with their
//! practice, language and time zone; or an anonymous visitor (sign-in pages). Forms prove they
//! come from our pages with the session's CSRF token in a hidden `_csrf` field.

use super::i18n::{self, Lang};
use super::practice::PracticeSettings;
use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use cartella_auth::service::SessionInfo;
use cartella_core::access::{Role, RoleSet};
use cartella_store::AccessContext;
use minijinja::{Value, context};

pub const LANG_COOKIE: &str = "cartella_lang";

/// A signed-in staff member with a complete session (second factor done, enrolled if required).
pub struct Web {
    pub info: SessionInfo,
    pub ctx: AccessContext,
    pub lang: Lang,
    pub practice_name: String,
    pub practice_slug: String,
    pub settings: PracticeSettings,
    pub roles: RoleSet,
    pub path: String,
}

fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The language of an anonymous page: the switcher's cookie, then the browser.
pub fn anonymous_lang(headers: &HeaderMap) -> Lang {
    i18n::negotiate(cookie(headers, LANG_COOKIE), None, accept_language(headers))
}

fn login_redirect(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let next: String = url_encode(next);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(c) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login_redirect(parts));
        };
        let info = match state.auth.session(c, true).await {
            Ok(info) => info,
            Err(_) => return Err(login_redirect(parts)),
        };
        if !info.session.mfa_done {
            return Err(Redirect::to("/login/2fa").into_response());
        }
        let path = parts.uri.path().to_owned();
        if info.mfa_enrolment_required && !path.starts_with("/account") {
            return Err(Redirect::to("/account/2fa").into_response());
        }
        let ctx = state
            .auth
            .session_context(&info)
            .await
            .map_err(|_| login_redirect(parts))?;
        let tenant = state
            .store
            .tenant_by_id(&info.membership.tenant)
            .await
            .map_err(|_| login_redirect(parts))?;
        let settings = state
            .auth
            .backend()
            .tenant_settings(&info.membership.tenant)
            .await
            .map(|raw| PracticeSettings::parse(&raw))
            .unwrap_or_default();
        let lang = i18n::negotiate(
            info.user.language.as_deref(),
            settings.default_language.as_deref(),
            accept_language(&parts.headers),
        );
        let roles = RoleSet::parse(&info.membership.roles).unwrap_or_else(|_| RoleSet::new(vec![]));
        // The workspace is for the practice's staff (and invited collaborators); patients use
        // apps through the FHIR API with their own tokens.
        if roles.roles().iter().all(|r| *r == Role::Patient) && !path.starts_with("/account") {
            return Err(super::pages::error_page(
                lang,
                axum::http::StatusCode::FORBIDDEN,
                &super::forms::t(lang, "error-forbidden-title"),
                &super::forms::t(lang, "error-staff-only"),
            ));
        }
        Ok(Web {
            info,
            ctx,
            lang,
            practice_name: settings.display_name.clone().unwrap_or(tenant.name),
            practice_slug: tenant.slug,
            settings,
            roles,
            path,
        })
    }
}

impl OptionalFromRequestParts<AppState> for Web {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(
            <Web as FromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok(),
        )
    }
}

/// One entry of the main navigation.
#[derive(serde::Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    icon: &'static str,
    active: bool,
}

impl Web {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(Role::Administrator)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(*r))
    }

    /// The form's CSRF token matches this session's.
    pub fn csrf_ok(&self, sent: Option<&str>) -> bool {
        let sent = sent.unwrap_or("");
        subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), self.info.session.csrf.as_bytes()).into()
    }

    fn nav(&self) -> Vec<NavItem> {
        let mut items = vec![
            ("/", "nav-home", "home"),
            ("/patients", "nav-patients", "users"),
            ("/calendar", "sched-calendar", "calendar"),
            ("/queue", "sched-queue", "list"),
        ];
        if self.is_admin() {
            items.push(("/admin/staff", "nav-staff", "shield"));
            items.push(("/scheduling/resources", "sched-resources", "settings"));
            items.push(("/admin/exam-templates", "exams-templates-title", "edit"));
            items.push(("/admin/settings", "nav-settings", "settings"));
            items.push(("/admin/audit", "nav-audit", "list"));
        }
        items
            .into_iter()
            .map(|(href, label, icon)| NavItem {
                href,
                label,
                icon,
                active: if href == "/" {
                    self.path == "/"
                } else {
                    self.path.starts_with(href)
                },
            })
            .collect()
    }

    /// The context every signed-in page shares, merged with the page's own values.
    pub fn page(&self, extra: Value) -> Value {
        let roles: Vec<&str> = self.roles.roles().iter().map(|r| r.as_str()).collect();
        context! {
            lang => self.lang.code(),
            tz => &self.settings.time_zone,
            csrf => &self.info.session.csrf,
            user => context! {
                id => &self.info.user.id,
                name => &self.info.user.display_name,
                email => &self.info.user.email,
                roles => roles,
                admin => self.is_admin(),
            },
            practice => context! { name => &self.practice_name, slug => &self.practice_slug },
            nav => self.nav(),
            langs => languages(),
            ..extra
        }
    }
}

/// The context of an anonymous page (sign-in, setup, password reset).
pub fn anonymous_page(lang: Lang, extra: Value) -> Value {
    context! {
        lang => lang.code(),
        tz => "UTC",
        langs => languages(),
        ..extra
    }
}

fn languages() -> Vec<Value> {
    Lang::ALL
        .iter()
        .map(|l| context! { code => l.code(), name => l.native_name() })
        .collect()
}
