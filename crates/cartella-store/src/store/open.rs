//! Opening a store (migrations, master-key check, background audit writer) and master-key
//! rotation.

use super::{Store, StoreOptions, audit_log};
use crate::backend::Backend;
use crate::crypto::keyring::tenant_key_aad;
use crate::crypto::{Keyring, MasterKey};
use crate::error::{Result, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

const CHECK_KEY: &str = "master_key_check";
const CHECK_ID: &str = "master_key_id";
const CHECK_AAD: &[u8] = b"cartella master key check";
const CHECK_PLAIN: [u8; 32] = *b"cartella-master-key-check-v1\0\0\0\0";

impl Store {
    /// Migrate the backend, check that `master` opens this database, start the audit writer.
    pub async fn open(
        backend: Arc<dyn Backend>,
        master: MasterKey,
        options: StoreOptions,
    ) -> Result<Arc<Store>> {
        backend.migrate().await?;
        match backend.get_meta(CHECK_KEY).await? {
            Some(check) => {
                if master.unwrap_key(CHECK_AAD, &check).is_err() {
                    let expected = expected_master_key_id(backend.as_ref())
                        .await?
                        .unwrap_or_else(|| "?".into());
                    return Err(StoreError::WrongMasterKey {
                        expected,
                        given: master.id().to_owned(),
                    });
                }
            }
            None => write_check(backend.as_ref(), &master).await?,
        }
        let audit = audit_log::spawn_writer(backend.clone(), options.audit_flush_ms);
        Ok(Arc::new(Store {
            backend,
            keys: Keyring::new(master),
            options,
            tenants: RwLock::new(HashMap::new()),
            audit,
            changes: super::changes::channel(),
        }))
    }

    /// Re-wrap every tenant key under `new_master` in one transaction; afterwards only the new
    /// master key opens the database. Returns how many keys were re-wrapped.
    pub async fn rotate_master_key(&self, new_master: MasterKey) -> Result<usize> {
        let old = self.keys.master();
        let mut keys = self.backend.tenant_keys().await?;
        for k in &mut keys {
            let aad = tenant_key_aad(&k.tenant, &k.key_id);
            let wrapped = k
                .wrapped
                .as_deref()
                .ok_or_else(|| StoreError::Internal("tenant key destroyed".into()))?;
            let secret = old
                .unwrap_key(&aad, wrapped)
                .map_err(|_| StoreError::WrongMasterKey {
                    expected: k.wrapping_key_id.clone(),
                    given: old.id().to_owned(),
                })?;
            k.wrapped = Some(new_master.wrap(&aad, &secret));
            k.wrapping_key_id = new_master.id().to_owned();
        }
        let meta = vec![
            (
                CHECK_KEY.to_owned(),
                new_master.wrap(CHECK_AAD, &CHECK_PLAIN),
            ),
            (CHECK_ID.to_owned(), new_master.id().as_bytes().to_vec()),
        ];
        self.backend.rewrap_keys(&keys, &meta).await?;
        self.keys.set_master(new_master);
        Ok(keys.len())
    }
}

/// The id of the master key this database was sealed with, if it was ever opened.
pub async fn expected_master_key_id(backend: &dyn Backend) -> Result<Option<String>> {
    Ok(backend
        .get_meta(CHECK_ID)
        .await?
        .map(|v| String::from_utf8_lossy(&v).into_owned()))
}

async fn write_check(backend: &dyn Backend, master: &MasterKey) -> Result<()> {
    backend
        .put_meta(CHECK_KEY, &master.wrap(CHECK_AAD, &CHECK_PLAIN))
        .await?;
    backend.put_meta(CHECK_ID, master.id().as_bytes()).await
}
