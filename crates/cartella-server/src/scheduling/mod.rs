//! Scheduling: the planning model stored as FHIR resources ([`resources`]), the service that
//! validates and checks every conflict before the store writes an Appointment ([`service`]),
//! and the `/api/v1/planning` JSON API ([`api`]). The pure rules live in
//! `cartella_core::scheduling`; the double-booking guarantee lives in the store's `bookings`
//! rows, so FHIR writes of Appointments are protected the same way.
//!
//! Around bookings: therapy [`series`], day [`optimise`]-ation, [`reminders`] through the outbox with their delivery
//! records ([`notifications`]) over e-mail and [`sms`], and the patient's single-use
//! [`cancel_link`], calendar [`feeds`] (iCalendar) and the [`waitlist`].

pub mod api;
pub mod cancel_link;
pub mod feeds;
pub mod notifications;
pub mod optimise;
pub mod reminders;
pub mod resources;
pub mod series;
pub mod service;
pub mod sms;
pub mod views;
pub mod waitlist;
