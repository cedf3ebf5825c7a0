//! SMTP settings as they appear under `[smtp]` in `cartella.toml`.

use serde::Deserialize;

use crate::Secret;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text. Only for a relay on the same host or a test server.
    None,
    /// Connect in plain text, then require `STARTTLS` before anything is sent (port 587).
    #[default]
    #[serde(alias = "start_tls", alias = "start-tls")]
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
}

/// Where and how to deliver mail.
///
/// ```toml
/// [smtp]
/// host = "smtp.clinic.example"
/// port = 587
/// tls = "starttls"          # none | starttls | tls
/// username = "cartella"
/// password = "…"
/// from = "Cartella <noreply@clinic.example>"
/// timeout_secs = 30
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub tls: TlsMode,
    #[serde(default)]
    pub username: Option<String>,
    /// Never printed: `Debug` shows `Secret(***)`.
    #[serde(default)]
    pub password: Option<Secret>,
    /// The `From:` header and envelope sender, e.g. `Cartella <noreply@clinic.example>`.
    pub from: String,
    /// Limit for connecting and for each SMTP command.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_port() -> u16 {
    587
}

fn default_timeout_secs() -> u64 {
    30
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct AppSettings {
        smtp: SmtpSettings,
    }

    #[test]
    fn reads_from_toml_with_defaults() {
        let s: AppSettings = toml::from_str(
            r#"
            [smtp]
            host = "smtp.clinic.example"
            username = "cartella"
            password = "hunter2"
            from = "Cartella <noreply@clinic.example>"
            "#,
        )
        .unwrap();
        let smtp = s.smtp;
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.tls, TlsMode::StartTls);
        assert_eq!(smtp.timeout_secs, 30);
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "hunter2");
    }

    #[test]
    fn tls_modes_parse() {
        for (text, mode) in [
            ("none", TlsMode::None),
            ("starttls", TlsMode::StartTls),
            ("tls", TlsMode::Tls),
        ] {
            let s: AppSettings = toml::from_str(&format!(
                "[smtp]\nhost = \"h\"\nfrom = \"a@b.example\"\ntls = \"{text}\"\n"
            ))
            .unwrap();
            assert_eq!(s.smtp.tls, mode);
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let settings = SmtpSettings {
            host: "h".into(),
            port: 25,
            tls: TlsMode::None,
            username: Some("u".into()),
            password: Some(Secret::new("hunter2")),
            from: "a@b.example".into(),
            timeout_secs: 5,
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("Secret(***)"), "{printed}");
    }
}
