//! Text messages: the [`SmsSender`] adapter the reminder jobs call, with [`HttpSms`] posting
//! JSON to a provider (or a gateway in front of one) and [`FileSms`] / [`LogSms`] sinks for
//! development. Errors never carry the number or the text (they end up in job rows and logs).

use async_trait::async_trait;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Deliver `text` to `to` (E.164 or as the patient wrote it); `Err` is retried.
    async fn send(&self, to: &str, text: &str) -> Result<(), String>;
}

/// `[sms]` in cartella.toml: `url` of the provider endpoint, bearer `token`, optional sender id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    pub url: String,
    #[serde(default)]
    pub token: String,
    /// Sender name or number, passed as `from` when set.
    #[serde(default)]
    pub from: Option<String>,
    /// Request timeout in seconds (default 10).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// `POST url` with `Authorization: Bearer token` and `{"to", "text", "from"?}`; any 2xx is
/// delivered, anything else an error with the status only.
pub struct HttpSms {
    settings: SmsSettings,
    client: reqwest::Client,
}

impl HttpSms {
    pub fn new(settings: SmsSettings) -> Result<Self, String> {
        if !(settings.url.starts_with("http://") || settings.url.starts_with("https://")) {
            return Err("sms.url must start with http:// or https://".into());
        }
        let timeout = Duration::from_secs(settings.timeout_seconds.unwrap_or(10));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpSms { settings, client })
    }
}

#[async_trait]
impl SmsSender for HttpSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), String> {
        let mut body = serde_json::json!({ "to": to, "text": text });
        if let Some(from) = &self.settings.from {
            body["from"] = serde_json::json!(from);
        }
        let reply = self
            .client
            .post(&self.settings.url)
            .bearer_auth(&self.settings.token)
            .json(&body)
            .send()
            .await
            // Without the URL: it may carry credentials in a query string.
            .map_err(|e| {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "connection failed"
                } else {
                    "request failed"
                };
                format!("sms provider: {what}")
            })?;
        if reply.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "sms provider answered HTTP {}",
                reply.status().as_u16()
            ))
        }
    }
}

/// Development: each message as a JSON file in a folder (like the mail folder).
pub struct FileSms {
    pub dir: PathBuf,
}

#[async_trait]
impl SmsSender for FileSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), String> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| format!("sms folder: {e}"))?;
        let name = format!("{}.json", uuid::Uuid::now_v7());
        let body = serde_json::json!({ "to": to, "text": text }).to_string();
        tokio::fs::write(self.dir.join(name), body)
            .await
            .map_err(|e| format!("sms file: {e}"))
    }
}

/// Development: log that a message would go out (length only: no number, no text).
pub struct LogSms;

#[async_trait]
impl SmsSender for LogSms {
    async fn send(&self, _to: &str, text: &str) -> Result<(), String> {
        tracing::info!(chars = text.chars().count(), "sms (log sink, not sent)");
        Ok(())
    }
}
