//! Storage for Bulk Data exports: the export's state and its NDJSON files, sealed with the
//! tenant key before they reach the database (the files are PHI), deleted on request or when
//! they expire.

use crate::error::Result;
use async_trait::async_trait;
use cartella_core::TenantId;

/// An export request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    pub tenant: TenantId,
    pub id: String,
    /// Who asked: only they may poll and download.
    pub actor: String,
    /// The kick-off URL, for the manifest's `request`.
    pub request: String,
    pub state: ExportState,
    /// Human-readable progress or failure (no patient data).
    pub message: Option<String>,
    /// When the export started (microseconds): the manifest's `transactionTime`.
    pub transaction_time: i64,
    /// After this (microseconds) the export and its files are deleted.
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportState {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportState {
    pub fn as_str(&self) -> &'static str {
        match self {
            ExportState::Queued => "queued",
            ExportState::Running => "running",
            ExportState::Done => "done",
            ExportState::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => ExportState::Queued,
            "running" => ExportState::Running,
            "done" => ExportState::Done,
            "failed" => ExportState::Failed,
            _ => return None,
        })
    }
}

/// One output file: `content` is sealed (AEAD under the tenant key `key_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub n: i64,
    pub rtype: String,
    pub count: i64,
    pub key_id: String,
    pub content: Vec<u8>,
}

#[async_trait]
pub trait ExportBackend: Send + Sync {
    /// Insert the export, or update its state and message.
    async fn put_export(&self, export: &ExportRecord) -> Result<()>;
    async fn export(&self, tenant: &TenantId, id: &str) -> Result<Option<ExportRecord>>;
    /// Add a file; `false` (nothing stored) when the export was deleted meanwhile.
    async fn add_export_file(&self, tenant: &TenantId, id: &str, file: ExportFile) -> Result<bool>;
    /// The files of an export, without content (`content` empty), by `n`.
    async fn export_files(&self, tenant: &TenantId, id: &str) -> Result<Vec<ExportFile>>;
    async fn export_file(&self, tenant: &TenantId, id: &str, n: i64) -> Result<Option<ExportFile>>;
    /// Delete an export and its files; `false` if there was none.
    async fn delete_export(&self, tenant: &TenantId, id: &str) -> Result<bool>;
    /// Delete every export that expired before `now`; returns how many.
    async fn purge_exports(&self, now: i64) -> Result<u64>;
}
