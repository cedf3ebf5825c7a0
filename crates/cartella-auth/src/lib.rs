//! Identity and access for Cartella: who may sign in and how (passwords, TOTP, recovery codes,
//! lockout), sessions, OAuth2 tokens with SMART scopes, and rate limits. The permission matrix
//! itself lives in `cartella_core::access` and is enforced by the store.
#![forbid(unsafe_code)]

mod cache;
pub mod config;
pub mod error;
pub mod jwt;
pub mod passwords;
pub mod ratelimit;
pub mod service;
pub mod totp;

pub use config::AuthConfig;
pub use error::AuthError;
pub use service::Auth;
