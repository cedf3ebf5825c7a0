//! The store suite: every test runs against each backend in [`crate::support::worlds`].

mod access;
mod audit;
mod bookings;
mod compartment;
mod crud;
mod encryption;
mod grouped_writes;
mod jobs;
mod opening;
mod reindex;
mod search;
mod tenants;
