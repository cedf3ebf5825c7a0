//! Master and data keys. Keys never appear in logs: `Debug` prints only their id.

use super::aead::{self, OpenError};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

/// The key outside the database that wraps every tenant key.
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read master key file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write master key file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("master key {0} is not 64 hexadecimal characters (32 bytes)")]
    Format(String),
}

impl MasterKey {
    pub fn from_bytes(key: [u8; 32]) -> Self {
        let digest = Sha256::digest([b"cartella master key id".as_slice(), &key].concat());
        MasterKey {
            id: hex::encode(&digest[..6]),
            key: Zeroizing::new(key),
        }
    }

    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self::from_bytes(key)
    }

    /// Parse the hex form used in key files and `CARTELLA_MASTER_KEY`.
    pub fn from_hex(text: &str, origin: &str) -> Result<Self, KeyFileError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyFileError::Format(origin.into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyFileError::Format(origin.into()))?;
        Ok(Self::from_bytes(key))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(*self.key)
    }

    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_hex(&text, &path.display().to_string())
    }

    /// Write the key to `path` readable by the owner only (0600), creating it exclusively so an
    /// existing key is never overwritten.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        use std::io::Write;
        let err = |source| KeyFileError::Write {
            path: path.display().to_string(),
            source,
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(err)?;
        f.write_all(format!("{}\n", self.to_hex()).as_bytes())
            .map_err(err)?;
        f.sync_all().map_err(err)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn wrap(&self, aad: &[u8], key: &[u8; 32]) -> Vec<u8> {
        aead::seal(&self.key, aad, key)
    }

    pub fn unwrap_key(&self, aad: &[u8], wrapped: &[u8]) -> Result<[u8; 32], OpenError> {
        let plain = Zeroizing::new(aead::open(&self.key, aad, wrapped)?);
        plain.as_slice().try_into().map_err(|_| OpenError)
    }
}

/// A tenant or patient data key with the subkeys derived from it.
pub struct DataKey {
    pub id: String,
    key: Zeroizing<[u8; 32]>,
    blind: Zeroizing<[u8; 32]>,
    audit: std::sync::Arc<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

impl DataKey {
    pub fn new(id: String, key: [u8; 32]) -> Self {
        DataKey {
            blind: Zeroizing::new(derive(&key, b"cartella blind index v1")),
            audit: std::sync::Arc::new(derive(&key, b"cartella audit chain v1")),
            id,
            key: Zeroizing::new(key),
        }
    }

    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self::new(uuid::Uuid::new_v4().simple().to_string(), key)
    }

    pub fn secret(&self) -> &[u8; 32] {
        &self.key
    }
    /// Key for blind-index tokens (tenant keys only; survives patient erasure).
    pub fn blind_key(&self) -> &[u8; 32] {
        &self.blind
    }
    /// Key for the tenant's audit chain MACs.
    pub fn audit_key(&self) -> std::sync::Arc<[u8; 32]> {
        self.audit.clone()
    }

    pub fn wrap(&self, aad: &[u8], key: &[u8; 32]) -> Vec<u8> {
        aead::seal(&self.key, aad, key)
    }

    pub fn unwrap_key(&self, aad: &[u8], wrapped: &[u8]) -> Result<[u8; 32], OpenError> {
        let plain = Zeroizing::new(aead::open(&self.key, aad, wrapped)?);
        plain.as_slice().try_into().map_err(|_| OpenError)
    }
}

/// A subkey of `key` for `label`: HMAC-SHA256(key, label).
pub(crate) fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_private_and_round_trips() {
        let dir = std::env::temp_dir().join(format!("cartella-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("master.key");
        let key = MasterKey::generate();
        key.write_new(&path).unwrap();
        assert!(key.write_new(&path).is_err(), "never overwrites a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(MasterKey::load(&path).unwrap().id(), key.id());
        std::fs::write(&path, "zz").unwrap();
        assert!(matches!(
            MasterKey::load(&path),
            Err(KeyFileError::Format(_))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_never_prints_key_material() {
        let key = MasterKey::generate();
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }
}
