//! The rows that cross the [`crate::Backend`] boundary. Content is already sealed here: backends
//! only ever see ciphertext, key ids, index rows and audit rows.

use cartella_core::TenantId;
use std::sync::Arc;

/// A tenant (practice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Wrapped by the master key; seals tenant-level resources and wraps patient keys.
    Tenant,
    /// Wrapped by the tenant key; seals everything in one patient's compartment.
    Patient,
}

impl KeyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyKind::Tenant => "tenant",
            KeyKind::Patient => "patient",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tenant" => Some(KeyKind::Tenant),
            "patient" => Some(KeyKind::Patient),
            _ => None,
        }
    }
}

/// A wrapped data key as stored in `data_keys`. `wrapped` is `None` once the key was destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeyRecord {
    pub tenant: TenantId,
    pub key_id: String,
    pub kind: KeyKind,
    pub patient_id: Option<String>,
    pub wrapped: Option<Vec<u8>>,
    pub wrapping_key_id: String,
    pub created_at: i64,
    pub destroyed_at: Option<i64>,
}

/// One stored version of a resource, still sealed.
#[derive(Debug, Clone)]
pub struct RawResource {
    /// Row id in `resources` (current) or `resource_history` (history queries): the paging key.
    pub row_id: i64,
    pub rtype: String,
    pub id: String,
    pub version: i64,
    pub last_updated: i64,
    pub deleted: bool,
    pub key_id: String,
    pub content: Vec<u8>,
    /// The patient whose compartment holds the row, as recorded with the current version
    /// (`resources.patient_id`, the write path's `patient_of`); `None` for history rows, which
    /// do not record it, and for resources outside any compartment.
    pub patient: Option<String>,
}

/// Search-index rows extracted from one resource version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexRows {
    pub tokens: Vec<TokenRow>,
    pub strings: Vec<StringRow>,
    pub blinds: Vec<BlindRow>,
    pub dates: Vec<DateRow>,
    pub refs: Vec<RefRow>,
    pub quantities: Vec<QuantityRow>,
}

impl IndexRows {
    pub fn len(&self) -> usize {
        self.tokens.len()
            + self.strings.len()
            + self.blinds.len()
            + self.dates.len()
            + self.refs.len()
            + self.quantities.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A coded value in plaintext (clinical codes, statuses): `system` is empty when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub param: &'static str,
    pub system: String,
    pub code: String,
}

/// A normalised (lower-case, accent-free) non-identifying string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringRow {
    pub param: &'static str,
    pub value: String,
}

/// A keyed HMAC token standing for an identifying value; see [`crate::crypto::blind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlindRow {
    pub param: &'static str,
    pub token: [u8; 16],
}

/// A date or period as an inclusive range of microseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRow {
    pub param: &'static str,
    pub lo: i64,
    pub hi: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRow {
    pub param: &'static str,
    pub target_type: String,
    pub target_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuantityRow {
    pub param: &'static str,
    pub value: f64,
    pub system: String,
    pub code: String,
}

/// One resource version to write. The backend applies it only if the current version of
/// `(tenant, rtype, id)` is still `prev_version` (`None`: no row exists), else it fails the whole
/// batch with [`crate::StoreError::VersionConflict`].
#[derive(Debug, Clone)]
pub struct WriteOp {
    pub tenant: TenantId,
    pub rtype: String,
    pub id: String,
    pub prev_version: Option<i64>,
    pub version: i64,
    pub last_updated: i64,
    pub deleted: bool,
    pub key_id: String,
    /// The patient whose compartment holds this resource (plaintext id, used by erasure).
    pub patient_id: Option<String>,
    pub content: Vec<u8>,
    pub index: IndexRows,
    /// `Some` for Appointments: the `bookings` rows this version holds, replacing the previous
    /// version's in the same transaction (empty for a tombstone or a released status).
    pub bookings: Option<Vec<crate::bookings::BookingRow>>,
}

/// Everything one logical write commits atomically: resources (current + history + index),
/// newly created patient keys, audit events and queued jobs (the outbox).
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    pub ops: Vec<WriteOp>,
    /// Inserted only if no key exists for the patient yet; if another key was stored meanwhile
    /// the batch fails with [`crate::StoreError::Conflict`] and the store retries.
    pub new_keys: Vec<DataKeyRecord>,
    pub audit: Vec<AuditDraft>,
    pub jobs: Vec<NewJob>,
    /// Conditions that must still match nothing when the batch commits, checked where writes
    /// are serialised; otherwise it fails with [`crate::StoreError::ConditionMatched`].
    pub absent: Vec<Absent>,
}

/// The condition of a conditional create (or of a conditional update that creates): two
/// requests with the same condition, racing, must not both create. Each was checked by a
/// search first; checked again at commit (SQLite: in the single writer; PostgreSQL: under an
/// advisory lock on `key`), the loser sees the winner's resource.
#[derive(Debug, Clone)]
pub struct Absent {
    /// The same for the same tenant, type and condition (PostgreSQL's advisory lock).
    pub key: i64,
    /// What the condition matches, as index clauses (no post-filters).
    pub plan: crate::search::SearchPlan,
    /// For the error: `Patient?identifier=…` (parameter names only, no values: they may be PHI).
    pub what: String,
}

/// What the audit view filters on; `None` matches everything. Times are µs since the epoch.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub patient_id: Option<String>,
    pub outcome: Option<String>,
    pub from_at: Option<i64>,
    pub to_at: Option<i64>,
}

/// An audit event before the backend gives it its place (`seq`) in the tenant's chain.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub tenant: TenantId,
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub version: Option<i64>,
    pub patient_id: Option<String>,
    pub purpose: Option<String>,
    pub outcome: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// JSON without PHI (ids, counts, changed element paths).
    pub details: Option<String>,
    /// The tenant's chain MAC key; the backend computes `hash = chain_hash(key, prev, row)`.
    pub mac_key: Arc<[u8; 32]>,
}

/// An audit event as stored: the draft plus its chain position and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub tenant: TenantId,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub version: Option<i64>,
    pub patient_id: Option<String>,
    pub purpose: Option<String>,
    pub outcome: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: Option<String>,
    pub hash: Vec<u8>,
}

impl AuditDraft {
    /// The row this draft becomes at position `seq`, before its hash is computed.
    pub fn into_row(self, seq: i64) -> AuditRow {
        AuditRow {
            tenant: self.tenant,
            seq,
            at: self.at,
            actor: self.actor,
            role: self.role,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            version: self.version,
            patient_id: self.patient_id,
            purpose: self.purpose,
            outcome: self.outcome,
            client_ip: self.client_ip,
            user_agent: self.user_agent,
            details: self.details,
            hash: Vec::new(),
        }
    }
}

/// Job lanes: interactive work is never queued behind bulk work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Interactive,
    Bulk,
}

impl Lane {
    pub fn as_str(&self) -> &'static str {
        match self {
            Lane::Interactive => "interactive",
            Lane::Bulk => "bulk",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "interactive" => Some(Lane::Interactive),
            "bulk" => Some(Lane::Bulk),
            _ => None,
        }
    }
}

/// A job to enqueue. Payloads carry ids, never patient data.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub tenant: Option<TenantId>,
    pub lane: Lane,
    pub kind: String,
    pub payload: String,
    pub run_at: i64,
    pub max_attempts: i32,
    /// When set, a second job with the same key is not enqueued (idempotent enqueue).
    pub dedupe_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "dead" => Some(JobState::Dead),
            _ => None,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub id: i64,
    pub tenant: Option<TenantId>,
    pub lane: Lane,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCount {
    pub lane: Lane,
    pub state: JobState,
    pub count: i64,
}

/// Schema version of a database against what this binary knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    pub applied: i64,
    pub latest: i64,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.applied == self.latest
    }
}

/// Counts of what an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErasureReport {
    pub resources: u64,
    pub index_rows: u64,
}

/// Which history to list.
#[derive(Debug, Clone)]
pub struct HistoryQuery {
    pub tenant: TenantId,
    pub rtype: Option<String>,
    pub id: Option<String>,
    /// Only versions with `last_updated >= since`.
    pub since: Option<i64>,
    /// Only history rows with row id below this (paging, newest first).
    pub before_row: Option<i64>,
    pub limit: usize,
}
