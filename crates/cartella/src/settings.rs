//! Settings, layered: defaults → `cartella.toml` → `CARTELLA_*` environment → command-line
//! flags. Loaded once in `main` and passed down.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Folder for the SQLite database, the master key file and the service token.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; default: SQLite in the data folder.
    pub database_url: Option<String>,
    /// Master key file; default `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Reader connections (SQLite) or pool size (PostgreSQL).
    pub db_connections: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// Public base URL; default `http://<listen>`.
    pub public_url: Option<String>,
    /// Identity and access: sessions, tokens, lockout, rate limits (`[auth]` in cartella.toml).
    pub auth: cartella_auth::AuthConfig,
    /// Outgoing mail (`[smtp]`); without it mails are written as .eml files to `<data_dir>/mail`.
    pub smtp: Option<cartella_mail::SmtpSettings>,
    /// Text messages (`[sms]`: `url`, `token`, `from`); without it they are written as JSON
    /// files to `<data_dir>/sms`.
    pub sms: Option<cartella_server::scheduling::sms::SmsSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("cartella-data"),
            database_url: None,
            master_key_file: None,
            max_body_bytes: 8 * 1024 * 1024,
            db_connections: 8,
            log_format: "text".into(),
            public_url: None,
            auth: cartella_auth::AuthConfig::default(),
            smtp: None,
            sms: None,
        }
    }
}

/// Overrides from the command line or environment (clap reads both).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Settings file [default: ./cartella.toml if present]
    #[arg(long, env = "CARTELLA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data folder [default: ./cartella-data]
    #[arg(long, env = "CARTELLA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data folder]
    #[arg(long, env = "CARTELLA_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Master key file [default: <data-dir>/master.key]; CARTELLA_MASTER_KEY (hex) takes precedence
    #[arg(long, env = "CARTELLA_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    /// Log format: text or json
    #[arg(long, env = "CARTELLA_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

impl Settings {
    pub fn load(o: &Overrides) -> anyhow::Result<Settings> {
        let file = o
            .config
            .clone()
            .or_else(|| Some(PathBuf::from("cartella.toml")).filter(|p| p.exists()));
        let mut s = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read settings file {}: {e}", path.display())
                })?;
                toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("invalid settings file {}: {e}", path.display()))?
            }
            None => Settings::default(),
        };
        if let Ok(v) = std::env::var("CARTELLA_LISTEN") {
            s.listen = v;
        }
        if let Ok(v) = std::env::var("CARTELLA_PUBLIC_URL") {
            s.public_url = Some(v);
        }
        if let Ok(v) = std::env::var("CARTELLA_MAX_BODY_BYTES") {
            s.max_body_bytes = v.parse().map_err(|_| {
                anyhow::anyhow!("CARTELLA_MAX_BODY_BYTES must be a number of bytes")
            })?;
        }
        if let Some(v) = &o.data_dir {
            s.data_dir = v.clone();
        }
        if let Some(v) = &o.database_url {
            s.database_url = Some(v.clone());
        }
        if let Some(v) = &o.master_key_file {
            s.master_key_file = Some(v.clone());
        }
        if let Some(v) = &o.log_format {
            s.log_format = v.clone();
        }
        Ok(s)
    }

    /// The mailer: SMTP when configured, else .eml files in the data folder (development).
    pub fn mailer(&self) -> anyhow::Result<std::sync::Arc<dyn cartella_mail::Mailer>> {
        Ok(match &self.smtp {
            Some(smtp) => std::sync::Arc::new(
                cartella_mail::SmtpMailer::new(smtp)
                    .map_err(|e| anyhow::anyhow!("invalid [smtp] settings: {e}"))?,
            ),
            None => std::sync::Arc::new(
                cartella_mail::FileMailer::new(
                    self.data_dir.join("mail"),
                    "Cartella <noreply@localhost>",
                )
                .map_err(|e| anyhow::anyhow!("cannot prepare the mail folder: {e}"))?,
            ),
        })
    }

    /// The SMS sender: the HTTP provider when configured, else JSON files (development).
    pub fn sms(
        &self,
    ) -> anyhow::Result<std::sync::Arc<dyn cartella_server::scheduling::sms::SmsSender>> {
        use cartella_server::scheduling::sms::{FileSms, HttpSms};
        Ok(match &self.sms {
            Some(s) => std::sync::Arc::new(
                HttpSms::new(s.clone())
                    .map_err(|e| anyhow::anyhow!("invalid [sms] settings: {e}"))?,
            ),
            None => std::sync::Arc::new(FileSms {
                dir: self.data_dir.join("sms"),
            }),
        })
    }

    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.database_url {
            None => Some(self.data_dir.join("cartella.db")),
            Some(url) => url
                .strip_prefix("sqlite://")
                .map(Path::new)
                .map(Path::to_path_buf),
        }
    }
}
