//! Cartella's e-mail delivery: the [`Mailer`] trait the job queue calls, [`SmtpMailer`] for real
//! delivery, and [`LogMailer`] / [`FileMailer`] sinks for development.
//!
//! With the `testing` feature, [`testing::TestSmtpServer`] is a real SMTP server on `127.0.0.1:0`
//! that records what it receives, for integration tests of anything that sends mail.
#![forbid(unsafe_code)]

mod compose;
mod error;
mod file;
mod log;
mod message;
mod secret;
mod settings;
mod smtp;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::MailError;
pub use file::FileMailer;
pub use log::LogMailer;
pub use message::{Mailer, Message};
pub use secret::Secret;
pub use settings::{SmtpSettings, TlsMode};
pub use smtp::SmtpMailer;
