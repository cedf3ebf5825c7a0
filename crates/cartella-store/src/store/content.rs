//! Sealing and opening resource content under the key of its compartment, with the row's
//! identity as associated data so a row copied elsewhere does not decrypt.

use super::Store;
use crate::error::{Result, StoreError};
use crate::model::RawResource;
use cartella_core::TenantId;

pub fn aad(tenant: &TenantId, rtype: &str, id: &str, version: i64, key_id: &str) -> Vec<u8> {
    format!("{tenant}|{rtype}|{id}|{version}|{key_id}").into_bytes()
}

impl Store {
    /// Open a stored version; a destroyed key means the patient was erased.
    pub(crate) async fn open_content(
        &self,
        tenant: &TenantId,
        raw: &RawResource,
    ) -> Result<Vec<u8>> {
        let key = self
            .keys
            .key(self.backend.as_ref(), tenant, &raw.key_id)
            .await
            .map_err(|e| match e {
                StoreError::Erased(_) => StoreError::Erased(format!("{}/{}", raw.rtype, raw.id)),
                e => e,
            })?;
        self.options
            .cipher
            .open(key.secret(), &aad(tenant, &raw.rtype, &raw.id, raw.version, &raw.key_id), &raw.content)
            .map_err(|_| {
                tracing::error!(rtype = %raw.rtype, id = %raw.id, version = raw.version, "ciphertext failed authentication");
                StoreError::Corrupted(format!("{}/{} version {}", raw.rtype, raw.id, raw.version))
            })
    }
}
