//! The store suite: every test runs against each backend in [`crate::support::worlds`].

mod crud;
mod encryption;
