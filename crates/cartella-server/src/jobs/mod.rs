//! Job handlers behind the outbox: what the workers run (delivery of e-mails, Bulk Data exports).

mod export;
mod password_reset;

pub use export::FhirExport;
pub use password_reset::PasswordResetMail;
