//! The in-memory cache of unwrapped data keys, backed by the `data_keys` table. A read costs no
//! unwrap once its key is cached; erasure and rotation invalidate entries.

use super::keys::{DataKey, MasterKey};
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{DataKeyRecord, KeyKind};
use cartella_core::{TenantId, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type KeyMap = HashMap<(TenantId, String), Arc<DataKey>>;

pub struct Keyring {
    master: RwLock<MasterKey>,
    keys: RwLock<KeyMap>,
    /// tenant → its current tenant key id.
    tenant_current: RwLock<HashMap<TenantId, String>>,
    /// (tenant, patient) → patient key id.
    patients: RwLock<HashMap<(TenantId, String), String>>,
}

pub fn tenant_key_aad(tenant: &TenantId, key_id: &str) -> Vec<u8> {
    format!("tkey|{tenant}|{key_id}").into_bytes()
}

pub fn patient_key_aad(tenant: &TenantId, key_id: &str, patient_id: &str) -> Vec<u8> {
    format!("pkey|{tenant}|{key_id}|{patient_id}").into_bytes()
}

impl Keyring {
    pub fn new(master: MasterKey) -> Self {
        Keyring {
            master: RwLock::new(master),
            keys: RwLock::new(HashMap::new()),
            tenant_current: RwLock::new(HashMap::new()),
            patients: RwLock::new(HashMap::new()),
        }
    }

    pub fn master(&self) -> MasterKey {
        read(&self.master).clone()
    }

    pub fn set_master(&self, master: MasterKey) {
        *self.master.write().unwrap_or_else(|p| p.into_inner()) = master;
    }

    /// A new tenant key, wrapped by the master key, ready to insert.
    pub fn new_tenant_key(&self, tenant: &TenantId) -> (Arc<DataKey>, DataKeyRecord) {
        let key = DataKey::generate();
        let master = self.master();
        let record = DataKeyRecord {
            tenant: tenant.clone(),
            key_id: key.id.clone(),
            kind: KeyKind::Tenant,
            patient_id: None,
            wrapped: Some(master.wrap(&tenant_key_aad(tenant, &key.id), key.secret())),
            wrapping_key_id: master.id().to_owned(),
            created_at: Timestamp::now().micros(),
            destroyed_at: None,
        };
        (Arc::new(key), record)
    }

    /// A new patient key, wrapped by the tenant key, ready to insert with the first write.
    pub async fn new_patient_key(
        &self,
        backend: &dyn Backend,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<(Arc<DataKey>, DataKeyRecord)> {
        let tenant_key = self.tenant_key(backend, tenant).await?;
        let key = DataKey::generate();
        let record = DataKeyRecord {
            tenant: tenant.clone(),
            key_id: key.id.clone(),
            kind: KeyKind::Patient,
            patient_id: Some(patient_id.to_owned()),
            wrapped: Some(
                tenant_key.wrap(&patient_key_aad(tenant, &key.id, patient_id), key.secret()),
            ),
            wrapping_key_id: tenant_key.id.clone(),
            created_at: Timestamp::now().micros(),
            destroyed_at: None,
        };
        Ok((Arc::new(key), record))
    }

    /// Remember a key that was just created and committed.
    pub fn remember(&self, tenant: &TenantId, key: Arc<DataKey>, record: &DataKeyRecord) {
        match (&record.kind, &record.patient_id) {
            (KeyKind::Patient, Some(p)) => {
                write(&self.patients).insert((tenant.clone(), p.clone()), key.id.clone());
            }
            _ => {
                write(&self.tenant_current).insert(tenant.clone(), key.id.clone());
            }
        }
        write(&self.keys).insert((tenant.clone(), key.id.clone()), key);
    }

    /// The tenant's current key (used for tenant-level resources, patient key wrapping, blind
    /// tokens and the audit chain).
    pub async fn tenant_key(
        &self,
        backend: &dyn Backend,
        tenant: &TenantId,
    ) -> Result<Arc<DataKey>> {
        let current = read(&self.tenant_current).get(tenant).cloned();
        if let Some(id) = current {
            return self.key(backend, tenant, &id).await;
        }
        let all = backend.tenant_keys().await?;
        let record = all
            .into_iter()
            .find(|k| &k.tenant == tenant)
            .ok_or_else(|| StoreError::NotFound(format!("tenant {tenant}")))?;
        write(&self.tenant_current).insert(tenant.clone(), record.key_id.clone());
        self.key(backend, tenant, &record.key_id).await
    }

    /// The existing key of a patient, `None` when the patient has none yet; erased → error.
    pub async fn patient_key(
        &self,
        backend: &dyn Backend,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<Option<Arc<DataKey>>> {
        let cached = read(&self.patients)
            .get(&(tenant.clone(), patient_id.to_owned()))
            .cloned();
        let key_id = match cached {
            Some(id) => id,
            None => match backend.patient_key(tenant, patient_id).await? {
                None => return Ok(None),
                Some(rec) if rec.wrapped.is_none() => {
                    return Err(StoreError::Erased(format!("Patient/{patient_id}")));
                }
                Some(rec) => {
                    write(&self.patients)
                        .insert((tenant.clone(), patient_id.to_owned()), rec.key_id.clone());
                    rec.key_id
                }
            },
        };
        self.key(backend, tenant, &key_id).await.map(Some)
    }

    /// Any key by id, unwrapping (and caching) it on first use.
    pub async fn key(
        &self,
        backend: &dyn Backend,
        tenant: &TenantId,
        key_id: &str,
    ) -> Result<Arc<DataKey>> {
        if let Some(k) = read(&self.keys).get(&(tenant.clone(), key_id.to_owned())) {
            return Ok(k.clone());
        }
        let record = backend
            .data_key(tenant, key_id)
            .await?
            .ok_or_else(|| StoreError::Internal(format!("data key {key_id} is missing")))?;
        let Some(wrapped) = &record.wrapped else {
            return Err(StoreError::Erased(
                record
                    .patient_id
                    .map(|p| format!("Patient/{p}"))
                    .unwrap_or_else(|| "key".into()),
            ));
        };
        let secret = match (record.kind, &record.patient_id) {
            (KeyKind::Tenant, _) => {
                let master = self.master();
                master
                    .unwrap_key(&tenant_key_aad(tenant, key_id), wrapped)
                    .map_err(|_| StoreError::WrongMasterKey {
                        expected: record.wrapping_key_id.clone(),
                        given: master.id().to_owned(),
                    })?
            }
            (KeyKind::Patient, Some(patient)) => {
                let parent = Box::pin(self.key(backend, tenant, &record.wrapping_key_id)).await?;
                parent
                    .unwrap_key(&patient_key_aad(tenant, key_id, patient), wrapped)
                    .map_err(|_| StoreError::Corrupted(format!("data key {key_id}")))?
            }
            (KeyKind::Patient, None) => {
                return Err(StoreError::Internal(format!(
                    "patient key {key_id} has no patient"
                )));
            }
        };
        let key = Arc::new(DataKey::new(key_id.to_owned(), secret));
        write(&self.keys).insert((tenant.clone(), key_id.to_owned()), key.clone());
        Ok(key)
    }

    /// Drop a patient's key from the cache (after erasure).
    pub fn forget_patient(&self, tenant: &TenantId, patient_id: &str) {
        let id = write(&self.patients).remove(&(tenant.clone(), patient_id.to_owned()));
        if let Some(id) = id {
            write(&self.keys).remove(&(tenant.clone(), id));
        }
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
