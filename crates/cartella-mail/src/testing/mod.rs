//! Test support (feature `testing`): a real SMTP server on `127.0.0.1:0` that records every mail
//! it accepts, and decoding helpers to read those mails back.
//!
//! ```no_run
//! # async fn demo() {
//! use std::time::Duration;
//! use cartella_mail::testing::TestSmtpServer;
//!
//! let server = TestSmtpServer::start().await;
//! // … point an SmtpMailer with TlsMode::None at server.addr() and send …
//! let mails = server.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(mails[0].subject().as_deref(), Some("Welcome"));
//! # }
//! ```

mod mime;
mod received;
mod server;

pub use received::ReceivedMail;
pub use server::{TestSmtpOptions, TestSmtpServer};
