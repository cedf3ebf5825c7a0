//! What to send, and the trait every delivery channel for e-mail implements.

use async_trait::async_trait;

use crate::MailError;

/// One e-mail to one recipient: a plain-text body and, optionally, an HTML alternative.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient, as `user@example.org` or `Name <user@example.org>`.
    pub to: String,
    pub subject: String,
    /// The plain-text body; always sent, so every client can read the mail.
    pub text: String,
    /// An HTML rendering of the same content, sent as a `multipart/alternative` part.
    pub html: Option<String>,
}

impl std::fmt::Debug for Message {
    // Recipients and bodies are personal data (a reset link, an appointment): keep them out of logs
    // and panic messages that print a `Message` by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Message")
            .field("to", &"<redacted>")
            .field("subject_len", &self.subject.len())
            .field("text_len", &self.text.len())
            .field("html", &self.html.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Delivers e-mail. Implementations are cheap to share (`Arc<dyn Mailer>`) and safe to call from
/// many job workers at once.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `message`. A [`MailError::is_permanent`] error will fail the same way on retry;
    /// any other error is worth retrying later.
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}
