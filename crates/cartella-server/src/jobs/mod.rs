//! Job handlers behind the outbox: what the workers run (delivery of e-mails for now).

mod password_reset;

pub use password_reset::PasswordResetMail;
