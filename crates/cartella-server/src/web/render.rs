//! Templates: one minijinja environment with every template compiled into the binary.
//! Auto-escaping is on for `.html` templates, so user text can never become markup; `t()` looks
//! up the page's language, and the `date`/`datetime` filters write the practice's local time.

use super::assets;
use super::format;
use super::i18n::{Lang, Locales};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use std::sync::OnceLock;

/// `templates!["a.html", "dir/b.html"]`: (name, source) pairs compiled in from `templates/`.
/// Use it from any module under `src/web/` or `src/web/pages/` (paths are relative to the crate).
#[macro_export]
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

/// Every template group: the core pages and each feature's own list.
const GROUPS: &[&[(&str, &str)]] = &[
    CORE,
    super::pages::anamnesis::TEMPLATES,
    super::pages::clinical::TEMPLATES,
    super::pages::exams::TEMPLATES,
    super::pages::labs::TEMPLATES,
    super::pages::scheduling::TEMPLATES,
];

const CORE: &[(&str, &str)] = templates![
    "base.html",
    "macros.html",
    "error.html",
    "login.html",
    "login_mfa.html",
    "setup.html",
    "password_forgot.html",
    "password_reset.html",
    "account.html",
    "account_2fa.html",
    "recovery_codes.html",
    "home.html",
    "patients/list.html",
    "patients/rows.html",
    "patients/form.html",
    "patients/chart.html",
    "patients/timeline.html",
    "patients/conflict.html",
    "patients/merge.html",
    "admin/audit.html",
    "admin/staff.html",
    "admin/staff_form.html",
    "admin/client_form.html",
    "admin/settings.html",
];

pub fn locales() -> &'static Locales {
    static L: OnceLock<Locales> = OnceLock::new();
    L.get_or_init(|| Locales::load().expect("the embedded Fluent files parse (unit-tested)"))
}

fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::En)
}

fn translate(state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let mut args = FluentArgs::new();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        let fv = match v.as_i64() {
            Some(n) => FluentValue::from(n),
            None => FluentValue::from(v.to_string()),
        };
        args.set(name.to_owned(), fv);
    }
    Ok(locales().text(lang_of(state), key, Some(&args)))
}

fn date_filter(state: &State, raw: Value) -> String {
    let Some(s) = raw.as_str() else {
        return String::new();
    };
    match format::parse_date(s.get(..10).unwrap_or(s)) {
        Some(d) if s.len() <= 10 => format::date(lang_of(state), d),
        _ => datetime_filter(state, raw),
    }
}

fn datetime_filter(state: &State, raw: Value) -> String {
    let Some(s) = raw.as_str() else {
        return String::new();
    };
    let tz = state
        .lookup("tz")
        .and_then(|v| v.as_str().map(format::zone))
        .unwrap_or(jiff::tz::TimeZone::UTC);
    match s.parse::<jiff::Timestamp>() {
        Ok(ts) => format::datetime(lang_of(state), &tz, ts),
        Err(_) => s.to_owned(),
    }
}

/// HTML escaping of `& < > " '` only: minijinja's default also escapes `/`, which is safe but
/// turns every date and path into entities (harder to read, search and test).
fn escape_formatter(
    out: &mut minijinja::Output<'_>,
    state: &State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    match value.as_str() {
        Some(s)
            if !value.is_safe() && matches!(state.auto_escape(), minijinja::AutoEscape::Html) =>
        {
            let mut escaped = String::with_capacity(s.len());
            for c in s.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#x27;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_formatter(escape_formatter);
        for (name, source) in GROUPS.iter().flat_map(|g| g.iter()) {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env.add_function("t", translate);
        env.add_function("asset", |name: &str| assets::url(name));
        env.add_filter("date", date_filter);
        env.add_filter("datetime", datetime_filter);
        env
    })
}

/// Render a template to a string (the context carries `lang`, `tz` and the page's data).
pub fn render_string(name: &str, ctx: Value) -> Result<String, Error> {
    env().get_template(name)?.render(ctx)
}

/// Render a full response; a template error is logged and becomes a plain 500.
pub fn html(status: StatusCode, name: &str, ctx: Value) -> Response {
    match render_string(name, ctx) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Fail loudly at startup (and in tests) if a template does not compile.
pub fn check_templates() -> Result<(), Error> {
    let env = env();
    for (name, _) in GROUPS.iter().flat_map(|g| g.iter()) {
        env.get_template(name)?;
    }
    if CORE.is_empty() {
        return Err(Error::new(ErrorKind::TemplateNotFound, "no templates"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_template_compiles() {
        check_templates().unwrap();
    }

    #[test]
    fn user_text_is_escaped() {
        let out = render_string(
            "error.html",
            context! { lang => "en", title => "<img src=x onerror=alert(1)>", message => "<script>x</script>" },
        )
        .unwrap();
        assert!(!out.contains("<img src=x"), "{out}");
        assert!(!out.contains("<script>x"), "{out}");
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
