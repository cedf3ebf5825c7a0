//! Delivery through an SMTP server with lettre over rustls.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::error::redact_addresses;
use crate::{MailError, Mailer, Message, SmtpSettings, TlsMode, compose};

/// Sends mail through the configured SMTP server. Build it once at startup and share it: the
/// transport (TLS configuration, credentials, root certificates) is reused by every send, and
/// each send opens its own connection, so concurrent workers do not wait on each other.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// Checks the sender address and prepares TLS. Does not connect: an unreachable server shows
    /// up as [`MailError::Unavailable`] on the first send.
    pub fn new(settings: &SmtpSettings) -> Result<Self, MailError> {
        let from = compose::parse_sender(&settings.from)?;
        let tls = match settings.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters(&settings.host)?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(settings.timeout_secs)));
        if let Some(username) = &settings.username {
            let password = settings
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, MailError> {
    TlsParameters::new(host.to_owned()).map_err(|e| MailError::Config(format!("TLS setup: {e}")))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let email = compose::build(&self.from, message)?;
        self.transport.send(email).await.map(drop).map_err(classify)
    }
}

/// 5xx replies are permanent; everything else (4xx, refused connection, timeout, TLS handshake,
/// a garbled reply) may pass on a later try.
fn classify(error: lettre::transport::smtp::Error) -> MailError {
    let text = redact_addresses(&error.to_string());
    if error.is_permanent() {
        MailError::Rejected(text)
    } else {
        MailError::Unavailable(text)
    }
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").finish_non_exhaustive()
    }
}
