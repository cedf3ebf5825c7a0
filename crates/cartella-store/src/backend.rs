//! The trait each database backend implements. Backends store what they are given: content is
//! sealed before it arrives, index rows are extracted, audit drafts carry their MAC key. They own
//! transactions, ordering (audit `seq`), optimistic-concurrency checks and the SQL.

use crate::error::Result;
use crate::model::*;
use crate::search::SearchPlan;
use async_trait::async_trait;
use cartella_core::TenantId;

#[async_trait]
pub trait Backend:
    crate::identity::IdentityBackend + crate::export::ExportBackend + Send + Sync + 'static
{
    /// "sqlite" or "postgres", for logs and metrics.
    fn name(&self) -> &'static str;

    /// Apply pending migrations. Refuses ([`crate::StoreError::SchemaTooNew`]) a database written by
    /// a newer schema, and ([`crate::StoreError::NotCartellaDatabase`]) one that is not ours.
    async fn migrate(&self) -> Result<SchemaStatus>;
    /// The schema version applied, without changing anything (for `/ready`).
    async fn schema_status(&self) -> Result<SchemaStatus>;
    /// A trivial round trip to the database.
    async fn ping(&self) -> Result<()>;
    /// Leave the database tidy at a clean stop, after the last request (SQLite: the write-ahead
    /// log copied into the database file and emptied). Called once, at the end; what follows
    /// still works, only without the background upkeep.
    async fn close(&self) -> Result<()> {
        Ok(())
    }
    /// Connections open / idle, for metrics.
    fn pool_stats(&self) -> (u64, u64);

    /// Small key/value settings stored with the data (e.g. the master-key check value).
    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>>;
    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<()>;

    /// Create a tenant with its first data key and an audit event, atomically. A taken slug is
    /// [`crate::StoreError::Conflict`].
    async fn insert_tenant(
        &self,
        tenant: &TenantRecord,
        key: &DataKeyRecord,
        audit: AuditDraft,
    ) -> Result<()>;
    async fn list_tenants(&self) -> Result<Vec<TenantRecord>>;

    /// A data key by id (also destroyed ones, with `wrapped: None`).
    async fn data_key(&self, tenant: &TenantId, key_id: &str) -> Result<Option<DataKeyRecord>>;
    /// The patient's key, if one was ever created (also when destroyed).
    async fn patient_key(
        &self,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<Option<DataKeyRecord>>;
    /// The newest non-destroyed tenant key of every tenant.
    async fn tenant_keys(&self) -> Result<Vec<DataKeyRecord>>;
    /// Replace the wrapping of tenant keys and the meta entries in one transaction (rotation).
    async fn rewrap_keys(&self, keys: &[DataKeyRecord], meta: &[(String, Vec<u8>)]) -> Result<()>;

    /// Commit a batch atomically (see [`WriteBatch`]).
    async fn write(&self, batch: WriteBatch) -> Result<()>;
    /// The current version of a resource (also a tombstone).
    async fn current(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<RawResource>>;
    /// The version number of the current row only, without content (cheap pre-write check).
    async fn current_version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<i64>>;
    /// One historic version.
    async fn version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<RawResource>>;
    /// Replace the index rows of current resources with those given (a reindex), each only if
    /// its row still holds `op.version`: a write since has indexed the newer version itself.
    /// Nothing else of the row changes. Returns how many were replaced.
    async fn reindex(&self, rows: Vec<(i64, WriteOp)>) -> Result<u64>;
    /// History rows, newest first; `row_id` is the history row id.
    async fn history(&self, query: &HistoryQuery) -> Result<Vec<RawResource>>;
    /// Current, non-deleted resources matching the plan, ascending `(last_updated, row_id)`.
    async fn search(&self, plan: &SearchPlan) -> Result<Vec<RawResource>>;
    /// How many current, non-deleted resources match (paging fields ignored).
    async fn count(&self, plan: &SearchPlan) -> Result<u64>;
    /// Current, non-deleted resources in a patient's compartment (the Patient included), by
    /// ascending row id after `after_row`, at most `limit` (`Patient/$everything`).
    async fn compartment(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        after_row: Option<i64>,
        limit: usize,
    ) -> Result<Vec<RawResource>>;

    /// Bookings of any of `actors` overlapping `[from, to)`, ascending by start.
    async fn bookings(
        &self,
        tenant: &TenantId,
        actors: &[String],
        from: i64,
        to: i64,
    ) -> Result<Vec<crate::bookings::Booking>>;

    /// Crypto-shredding in one transaction: mark the patient's key destroyed (creating a destroyed
    /// marker if none existed, so later writes are refused), drop the wrapped key bytes, delete
    /// every index row of the patient's resources, and append the audit event.
    async fn erase_patient(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        at: i64,
        audit: AuditDraft,
    ) -> Result<ErasureReport>;

    /// Append audit events (read events arrive here in batches).
    async fn append_audit(&self, events: Vec<AuditDraft>) -> Result<()>;
    /// Audit rows of a tenant with `seq > after_seq`, ascending, at most `limit`.
    async fn audit_rows(
        &self,
        tenant: &TenantId,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>>;
    /// Audit rows of a tenant matching `filter`, newest first, with `seq < before_seq`.
    async fn audit_search(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        before_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>>;
    /// Every tenant that has audit rows.
    async fn audit_tenants(&self) -> Result<Vec<TenantId>>;

    /// Enqueue jobs outside a resource write.
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<()>;
    /// Claim up to `limit` due jobs of a lane: queued with `run_at <= now`, or running with an
    /// expired lease. Sets them running with `locked_until = now + lease`, `attempts += 1`.
    /// PostgreSQL uses `FOR UPDATE SKIP LOCKED` so several workers never claim the same job.
    async fn claim_jobs(
        &self,
        lane: Lane,
        limit: usize,
        now: i64,
        lease_us: i64,
    ) -> Result<Vec<JobRecord>>;
    async fn complete_job(&self, id: i64) -> Result<()>;
    /// Record a failure: back to queued at `retry_at`, or dead when `retry_at` is `None`.
    async fn fail_job(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()>;
    async fn job(&self, id: i64) -> Result<Option<JobRecord>>;
    async fn job_counts(&self) -> Result<Vec<JobCount>>;
}
