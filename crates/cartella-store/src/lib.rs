//! Cartella's storage layer: the [`Backend`] trait that SQLite and PostgreSQL implement, and the
//! [`Store`] that wraps any backend with validation, envelope encryption, blind indexes, search
//! extraction, the audit trail and the job queue, so both backends behave the same.
#![forbid(unsafe_code)]

pub mod audit;
pub mod backend;
pub mod bookings;
pub mod crypto;
pub mod error;
pub mod export;
pub mod extract;
pub mod identity;
pub mod jobs;
pub mod migrations;
pub mod model;
pub mod search;
pub mod store;

pub use backend::Backend;
pub use bookings::{Booking, BookingClash, BookingRow};
pub use error::StoreError;
pub use model::*;
pub use store::{AccessContext, Change, Store, StoreOptions, StoredResource};
