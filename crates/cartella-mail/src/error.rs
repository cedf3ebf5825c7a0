//! Why a mail could not be sent, split by whether retrying can help.

/// A failed delivery. The job queue retries transient errors with backoff and marks permanent ones
/// as failed at once (see [`MailError::is_permanent`]). Messages never contain the recipient's
/// address: the server's reply text has any `user@domain` token redacted.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum MailError {
    /// The recipient (or the configured sender) is not a valid address. Permanent; nothing was sent.
    #[error("invalid e-mail address: {0}")]
    InvalidAddress(String),
    /// The server refused the mail with a 5xx reply (unknown user, policy). Permanent.
    #[error("mail rejected by the server: {0}")]
    Rejected(String),
    /// The server could not be reached, timed out or answered 4xx. Transient: retry later.
    #[error("mail server unavailable: {0}")]
    Unavailable(String),
    /// The mailer itself is misconfigured (TLS setup, unwritable folder). Permanent until the
    /// settings are fixed; normally reported at startup rather than per message.
    #[error("mailer misconfigured: {0}")]
    Config(String),
}

impl MailError {
    /// True when retrying the same message cannot succeed.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::InvalidAddress(_) | MailError::Rejected(_) | MailError::Config(_) => true,
            MailError::Unavailable(_) => false,
        }
    }
}

/// Replaces every whitespace-separated token holding an `@` with `<redacted>`, so a server reply
/// such as `550 5.1.1 <bob@example.org>: unknown user` can be logged and stored safely.
pub(crate) fn redact_addresses(text: &str) -> String {
    text.split_whitespace()
        .map(|token| {
            if token.contains('@') {
                "<redacted>"
            } else {
                token
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanence() {
        assert!(MailError::InvalidAddress("x".into()).is_permanent());
        assert!(MailError::Rejected("x".into()).is_permanent());
        assert!(MailError::Config("x".into()).is_permanent());
        assert!(!MailError::Unavailable("x".into()).is_permanent());
    }

    #[test]
    fn redacts_addresses_in_server_replies() {
        assert_eq!(
            redact_addresses("5.1.1 <bob@example.org>: user  unknown"),
            "5.1.1 <redacted> user unknown"
        );
    }
}
