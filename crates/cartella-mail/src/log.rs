//! A development sink that only logs that a mail would have gone out.

use async_trait::async_trait;

use crate::{MailError, Mailer, Message, compose};

/// Logs `mail queued` with the recipient's domain and stores nothing. The address, subject and
/// body stay out of the log: they are personal data.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        // Validate like the real mailer, so development catches a bad address early.
        let domain = compose::recipient_domain(&message.to)?;
        tracing::info!(
            recipient_domain = %domain,
            html = message.html.is_some(),
            "mail queued"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn logs_the_domain_only() {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let message = Message {
            to: "Maria Rossi <maria.rossi@studio.example>".into(),
            subject: "Referto di Maria".into(),
            text: "Emoglobina 13,2".into(),
            html: None,
        };

        LogMailer.send(&message).await.unwrap();

        let logged = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        assert!(logged.contains("mail queued"), "{logged}");
        assert!(logged.contains("studio.example"), "{logged}");
        for secret in ["maria", "Maria", "Referto", "Emoglobina"] {
            assert!(!logged.contains(secret), "{secret} leaked: {logged}");
        }
    }
}
