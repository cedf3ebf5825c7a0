//! Cartella's integration tests, in one binary to keep link time down: the store suite (run on
//! SQLite and PostgreSQL), HTTP tests against the real server on port 0, and crash tests of the
//! real `cartella` process.

mod browser;
mod cli;
mod crash;
mod http;
mod store;
mod support;
