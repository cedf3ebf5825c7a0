//! Sealing and opening with AES-256-GCM. Sealed bytes are `[1][nonce 12][ciphertext+tag]`.
//! A null cipher (`[0][plaintext]`) exists only to measure encryption overhead in benchmarks;
//! a store running with the real cipher refuses to open null-sealed content.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;

const SEALED: u8 = 1;
const PLAIN: u8 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    Aes256Gcm,
    /// Benchmarks only: no confidentiality.
    Null,
}

/// Why content could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenError;

impl Cipher {
    pub fn seal(&self, key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        match self {
            Cipher::Null => {
                let mut out = Vec::with_capacity(plaintext.len() + 1);
                out.push(PLAIN);
                out.extend_from_slice(plaintext);
                out
            }
            Cipher::Aes256Gcm => seal(key, aad, plaintext),
        }
    }

    pub fn open(&self, key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        match (sealed.first(), self) {
            (Some(&SEALED), _) => open(key, aad, sealed),
            (Some(&PLAIN), Cipher::Null) => Ok(sealed[1..].to_vec()),
            _ => Err(OpenError),
        }
    }
}

/// AES-256-GCM with a random 96-bit nonce.
pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(1 + 12 + ct.len());
    out.push(SEALED);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < 1 + 12 + 16 || sealed[0] != SEALED {
        return Err(OpenError);
    }
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt(
            Nonce::from_slice(&sealed[1..13]),
            Payload {
                msg: &sealed[13..],
                aad,
            },
        )
        .map_err(|_| OpenError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let key = [3u8; 32];
        let sealed = seal(&key, b"t|Patient|1|1", b"hello");
        assert_eq!(open(&key, b"t|Patient|1|1", &sealed).unwrap(), b"hello");
        assert!(
            open(&key, b"t|Patient|2|1", &sealed).is_err(),
            "aad binds the row"
        );
        assert!(
            open(&[4u8; 32], b"t|Patient|1|1", &sealed).is_err(),
            "wrong key"
        );
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(open(&key, b"t|Patient|1|1", &bad).is_err(), "tampered");
        assert!(open(&key, b"x", &sealed[..10]).is_err(), "truncated");
    }

    #[test]
    fn real_cipher_refuses_null_content() {
        let null = Cipher::Null.seal(&[0; 32], b"", b"plain");
        assert!(Cipher::Aes256Gcm.open(&[0; 32], b"", &null).is_err());
        assert_eq!(Cipher::Null.open(&[0; 32], b"", &null).unwrap(), b"plain");
    }
}
