//! The store suite: every test runs against each backend in [`crate::support::worlds`].

mod access;
mod audit;
mod crud;
mod encryption;
mod jobs;
mod opening;
mod search;
mod tenants;
