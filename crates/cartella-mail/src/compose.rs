//! Turns a [`Message`] into a MIME message with lettre: plain text, or plain text plus an HTML
//! alternative. lettre picks 7bit, quoted-printable or base64 per part, and RFC 2047-encodes a
//! non-ASCII subject.

use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::{MailError, Message};

/// Parses a configured sender such as `Cartella <noreply@clinic.example>`.
pub(crate) fn parse_sender(from: &str) -> Result<Mailbox, MailError> {
    from.parse()
        .map_err(|e| MailError::InvalidAddress(format!("sender: {e}")))
}

/// Parses a recipient. The error does not repeat the address: it ends up in logs and job rows.
pub(crate) fn parse_recipient(to: &str) -> Result<Mailbox, MailError> {
    to.parse()
        .map_err(|e| MailError::InvalidAddress(format!("recipient: {e}")))
}

pub(crate) fn build(from: &Mailbox, message: &Message) -> Result<lettre::Message, MailError> {
    let to = parse_recipient(&message.to)?;
    let builder = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.as_str());
    let built = match &message.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(message.text.clone())),
    };
    // With a parsed sender and recipient, lettre's builder has nothing left to refuse.
    built.map_err(|e| MailError::InvalidAddress(e.to_string()))
}

/// The domain of a recipient, which is all the logs may say about who got a mail.
pub(crate) fn recipient_domain(to: &str) -> Result<String, MailError> {
    Ok(parse_recipient(to)?.email.domain().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_recipients() {
        for bad in ["", "not an address", "a@", "@b.example", "a@@b.example"] {
            assert!(
                matches!(parse_recipient(bad), Err(MailError::InvalidAddress(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn accepts_named_recipients_and_extracts_the_domain() {
        assert_eq!(
            recipient_domain("Maria Rossi <maria@studio.example>").unwrap(),
            "studio.example"
        );
    }

    #[test]
    fn invalid_address_error_does_not_echo_the_input() {
        let err = parse_recipient("secret-name at nowhere").unwrap_err();
        assert!(!err.to_string().contains("secret-name"), "{err}");
    }
}
