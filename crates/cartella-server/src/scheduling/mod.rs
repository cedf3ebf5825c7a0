//! Scheduling: the planning model stored as FHIR resources ([`resources`]), the service that
//! validates and checks every conflict before the store writes an Appointment ([`service`]),
//! and the `/api/v1/planning` JSON API ([`api`]). The pure rules live in
//! `cartella_core::scheduling`; the double-booking guarantee lives in the store's `bookings`
//! rows, so FHIR writes of Appointments are protected the same way.

pub mod api;
pub mod resources;
pub mod service;
pub mod views;
