//! Envelope encryption: a master key (outside the database) wraps one data key per tenant, which
//! wraps one key per patient. Content is sealed with AES-256-GCM under the key of its compartment,
//! with the row's identity as associated data.

pub mod aead;
pub mod blind;
pub mod keyring;
pub mod keys;
pub mod normalize;

pub use aead::Cipher;
pub use keyring::Keyring;
pub use keys::{DataKey, MasterKey};
