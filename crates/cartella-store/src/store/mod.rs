//! The [`Store`]: every read and write of clinical data goes through it, whatever the backend.
//! It validates, seals and opens content, builds index rows and audit events, and hands the
//! backend ready-made rows.

mod audit_log;
mod audit_view;
mod changes;
pub use changes::Change;
mod absent;
mod authorize;
mod chain;
mod content;
mod everything;
mod export;
mod export_job;
mod has;
mod include;
mod open;
mod read;
mod reindex;
mod search;
mod tenants;
mod transaction;
mod write;
mod write_batch;

pub use audit_log::{AuditReport, TenantAuditReport};
pub use chain::{MAX_CHAIN_TARGETS, chain_targets};
pub use export::{EXPORT_LIFETIME_US, ExportLevel, ExportRequest, JOB_EXPORT};
pub use open::expected_master_key_id;
pub use read::{HistoryEntry, SearchPage};
pub use reindex::{IndexRules, ReindexReport};
pub use transaction::{Write, WriteAllError, Written};
pub use write::{WriteOptions, WriteOutcome};

use crate::backend::Backend;
use crate::crypto::{Cipher, Keyring};
use crate::model::TenantRecord;
use cartella_core::access::Principal;
use cartella_core::{TenantId, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Who is acting, for whom, and why: carried by every call, checked against the permission
/// matrix by the store, and written to the audit trail.
#[derive(Debug, Clone)]
pub struct AccessContext {
    pub tenant: TenantId,
    pub actor: String,
    /// The roles as written to the audit trail.
    pub role: String,
    pub principal: Principal,
    pub purpose: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AccessContext {
    /// A context for maintenance done by the system itself (CLI, jobs).
    pub fn system(tenant: TenantId, actor: &str) -> Self {
        AccessContext {
            tenant,
            actor: actor.to_owned(),
            role: "system".into(),
            principal: Principal::system(),
            purpose: None,
            client_ip: None,
            user_agent: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub cipher: Cipher,
    /// How long read audit events may wait before they are written (the most a crash can lose).
    pub audit_flush_ms: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cipher: Cipher::Aes256Gcm,
            audit_flush_ms: 100,
        }
    }
}

/// A resource version as the store returns it: metadata plus its JSON.
#[derive(Debug, Clone)]
pub struct StoredResource {
    pub rtype: String,
    pub id: String,
    pub version: i64,
    pub last_updated: Timestamp,
    pub deleted: bool,
    /// The resource JSON (with `id` and `meta.versionId`/`meta.lastUpdated`).
    pub json: Vec<u8>,
}

pub struct Store {
    backend: Arc<dyn Backend>,
    keys: Keyring,
    options: StoreOptions,
    tenants: RwLock<HashMap<String, TenantRecord>>,
    audit: audit_log::ReadAuditSender,
    changes: tokio::sync::broadcast::Sender<changes::Change>,
}

impl Store {
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }
    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }
}
