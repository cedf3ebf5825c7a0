//! A mail as the test server received it, with helpers that undo lettre's MIME encoding.

use super::mime;

/// One accepted mail: the SMTP envelope and the message exactly as transmitted (dot-unstuffed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` path, without angle brackets.
    pub from: String,
    /// Every accepted `RCPT TO` path, without angle brackets.
    pub recipients: Vec<String>,
    /// The raw message: headers and MIME body, CRLF line endings.
    pub data: String,
}

impl ReceivedMail {
    /// A top-level header, unfolded, still encoded (`Subject: =?utf-8?b?…?=` stays as is).
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = mime::split_entity(&self.data);
        mime::header(&headers, name).map(str::to_owned)
    }

    /// The decoded `Subject:` header.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|s| mime::decode_words(&s))
    }

    /// The decoded `text/plain` part (the whole body of a single-part mail), with `\n` line ends.
    pub fn text_body(&self) -> Option<String> {
        mime::find_part(&self.data, "text/plain")
    }

    /// The decoded `text/html` part, with `\n` line ends.
    pub fn html_body(&self) -> Option<String> {
        mime::find_part(&self.data, "text/html")
    }
}
