//! Job handlers behind the outbox: what the workers run (delivery of e-mails, Bulk Data exports,
//! appointment reminders and waiting-list offers).

mod export;
mod notice;
mod password_reset;

pub use export::FhirExport;
pub use notice::AppointmentNotice;
pub use password_reset::PasswordResetMail;
