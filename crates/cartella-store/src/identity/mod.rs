//! Identity storage: users (global), memberships (per practice), sessions, one-time tokens,
//! recovery codes, API clients, refresh tokens, shares and practice settings. Secrets are stored
//! only as hashes (tokens, codes) or sealed (TOTP secrets); logic lives in `cartella-auth`.

mod backend;
mod records;

pub use backend::IdentityBackend;
pub use records::*;
