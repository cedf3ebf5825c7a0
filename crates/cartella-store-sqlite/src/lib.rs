//! Cartella's embedded backend: one SQLite file in WAL mode, written by a single thread that
//! group-commits ([`writer`]) and answers its callers only once the log is synced ([`syncer`]),
//! and read through a pool ([`readers`]).
// Unsafe code only where C is called: the log VFS (SQLite) and the writer's priority (the OS).
#![deny(unsafe_code)]

mod bookings;
mod busy;
mod checkpointer;
mod compartment;
mod export;
#[allow(unsafe_code)]
mod gathered_wal;
mod identity;
mod jobs;
mod keys;
mod migrate;
mod priority;
mod read;
mod readers;
mod rows;
mod search;
mod syncer;
mod write;
mod writer;

use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::search::SearchPlan;
use cartella_store::*;
use readers::Readers;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::Writer;

pub use migrate::APPLICATION_ID;

type Result<T> = std::result::Result<T, StoreError>;

/// Settings every connection gets, so a cached statement is prepared once per connection:
/// - the statement cache holds more than rusqlite's 16: one connection runs more distinct
///   statements than that (reads, keys, sessions, search shapes), and an evicted one is parsed
///   and planned again on its next use;
/// - the query planner stability guarantee: without it SQLite (3.44 on) plans with the bound
///   values of some parameters (`LIMIT ?` among them) and re-prepares the statement each time
///   they are bound again, which profiling showed as a quarter of a search's CPU. Our queries
///   choose their driving index themselves (see `search.rs`), so value-dependent plans gain
///   nothing.
pub(crate) fn tune(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(256);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(map_err)?;
    Ok(())
}

/// The writer's connection, through the VFS that hands each commit's log frames to the kernel
/// in one go ([`gathered_wal`]).
fn open_writer(path: &Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    if let Err(rc) = gathered_wal::register() {
        tracing::warn!(
            code = rc,
            "the gathered-log VFS is not available here; the writer uses SQLite's own"
        );
        return Connection::open(path).map_err(map_err);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags_and_vfs(path, flags, gathered_wal::VFS_NAME).map_err(map_err)
}

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub struct SqliteBackend {
    path: PathBuf,
    writer: Writer,
    readers: Arc<Readers>,
    checkpointer: checkpointer::Checkpointer,
    watch: Arc<checkpointer::WalWatch>,
}

impl SqliteBackend {
    /// Open (creating if absent) the database file. Does not migrate; refuses a file that is
    /// not a SQLite database or not Cartella's.
    pub fn open(path: &Path, readers: usize) -> Result<Self> {
        let display = path.display().to_string();
        let mut conn = open_writer(path)?;
        let busy = busy::wait_in_short_steps(&mut conn, checkpointer::WRITER_WAITS)?;
        // Probe first: a file that is not SQLite fails here with a clear error.
        migrate::applied(&conn, &display)?;
        // Checkpoints belong to the checkpointer thread. Under steady reads the WAL cannot be
        // restarted and outgrows any small threshold; past it the writer itself checkpointed after
        // every commit, each with an fsync of the database file (160 ms here: the creates' p99
        // was 200 ms). The writer's own threshold (2 GiB, past the writer's restart at 1 GiB)
        // is only a safety net now, and a WAL
        // that was restarted is cut back to 64 MiB. The writer's index inserts descend b-trees
        // of a multi-gigabyte file: a 128 MiB cache and mmap instead of a pread per page miss.
        // `synchronous = NORMAL` leaves the log's sync to the syncer thread, which does it before
        // any caller is answered: an answered write survives power loss as with FULL.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(map_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "{display}: SQLite refused write-ahead logging (journal mode {mode})"
            )));
        }
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -131072;
             PRAGMA mmap_size = 2147418112;
             PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = 524288;
             PRAGMA journal_size_limit = 67108864;",
        )
        .map_err(map_err)?;
        tune(&conn)?;
        // The log is named after the file SQLite resolved (links followed), not the path given.
        let resolved =
            PathBuf::from(conn.path().ok_or_else(|| {
                StoreError::Database(format!("{display}: SQLite gave no file name"))
            })?);
        let watch = checkpointer::WalWatch::new(&resolved, busy);
        let syncer =
            syncer::Syncer::spawn(&resolved).map_err(|e| StoreError::Internal(e.to_string()))?;
        let writer = Writer::spawn(conn, watch.clone(), syncer)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let checkpointer = checkpointer::spawn(
            path.to_owned(),
            std::time::Duration::from_millis(250),
            watch.clone(),
        )
        .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(SqliteBackend {
            path: path.to_owned(),
            writer,
            readers: Arc::new(Readers::new(path.to_owned(), readers.max(1))),
            checkpointer,
            watch,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn display(&self) -> String {
        self.path.display().to_string()
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<SchemaStatus> {
        let path = self.display();
        self.writer
            .call_raw(move |conn, _| migrate::migrate(conn, &path))
            .await
    }

    async fn schema_status(&self) -> Result<SchemaStatus> {
        let path = self.display();
        self.readers.with(move |c| migrate::status(c, &path)).await
    }

    async fn ping(&self) -> Result<()> {
        self.readers
            .with(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(map_err))
            .await
    }

    fn pool_stats(&self) -> (u64, u64) {
        self.readers.stats()
    }

    /// Copy the whole log into the database file and empty it. Left to the last connection's
    /// close, that checkpoint was often skipped: the process exited before the writer thread
    /// closed its connection, or a reader closed last (read-only connections do not
    /// checkpoint), and up to 64 MiB of log stayed beside the file.
    async fn close(&self) -> Result<()> {
        self.readers.close_idle();
        self.checkpointer.stop();
        let watch = self.watch.clone();
        self.writer
            .call_raw(move |conn, _| {
                if !watch.truncate(conn).map_err(map_err)? {
                    tracing::info!("the write-ahead log is in use by another process; left to it");
                }
                Ok(())
            })
            .await
    }

    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let key = key.to_owned();
        self.readers.with(move |c| keys::get_meta(c, &key)).await
    }

    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        let (key, value) = (key.to_owned(), value.to_vec());
        self.writer
            .call(move |c, _| keys::put_meta(c, &key, &value))
            .await
    }

    async fn insert_tenant(
        &self,
        tenant: &TenantRecord,
        key: &DataKeyRecord,
        audit: AuditDraft,
    ) -> Result<()> {
        let (tenant, key) = (tenant.clone(), key.clone());
        self.writer
            .call(move |c, state| {
                keys::insert_tenant(c, &tenant)?;
                keys::insert_key(c, &key)?;
                write::append_audit(c, state, std::slice::from_ref(&audit))
            })
            .await
    }

    async fn list_tenants(&self) -> Result<Vec<TenantRecord>> {
        self.readers.with(keys::list_tenants).await
    }

    async fn data_key(&self, tenant: &TenantId, key_id: &str) -> Result<Option<DataKeyRecord>> {
        let (tenant, key_id) = (tenant.as_str().to_owned(), key_id.to_owned());
        self.readers
            .run(move |c| keys::data_key_by_id(c, &tenant, &key_id))
    }

    async fn patient_key(
        &self,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<Option<DataKeyRecord>> {
        let (tenant, patient) = (tenant.as_str().to_owned(), patient_id.to_owned());
        self.readers
            .run(move |c| keys::patient_key(c, &tenant, &patient))
    }

    async fn tenant_keys(&self) -> Result<Vec<DataKeyRecord>> {
        self.readers.with(keys::tenant_keys).await
    }

    async fn rewrap_keys(&self, keys: &[DataKeyRecord], meta: &[(String, Vec<u8>)]) -> Result<()> {
        let (keys, meta) = (keys.to_vec(), meta.to_vec());
        self.writer
            .call(move |c, _| keys::rewrap(c, &keys, &meta))
            .await
    }

    async fn write(&self, batch: WriteBatch) -> Result<()> {
        self.writer
            .call_repeatable(move |c, state| write::apply_batch(c, state, &batch))
            .await
    }

    async fn current(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<RawResource>> {
        let (t, ty, id) = (tenant.as_str().to_owned(), rtype.to_owned(), id.to_owned());
        self.readers.run(move |c| read::current(c, &t, &ty, &id))
    }

    async fn current_version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<i64>> {
        let (t, ty, id) = (tenant.as_str().to_owned(), rtype.to_owned(), id.to_owned());
        self.readers
            .run(move |c| read::current_version(c, &t, &ty, &id))
    }

    async fn version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<RawResource>> {
        let (t, ty, id) = (tenant.as_str().to_owned(), rtype.to_owned(), id.to_owned());
        self.readers
            .run(move |c| read::version(c, &t, &ty, &id, version))
    }

    async fn reindex(&self, rows: Vec<(i64, WriteOp)>) -> Result<u64> {
        self.writer
            .call(move |conn, _| write::reindex(conn, &rows))
            .await
    }

    async fn history(&self, query: &HistoryQuery) -> Result<Vec<RawResource>> {
        let q = query.clone();
        self.readers.with(move |c| read::history(c, &q)).await
    }

    async fn search(&self, plan: &SearchPlan) -> Result<Vec<RawResource>> {
        let plan = plan.clone();
        self.readers.with(move |c| search::search(c, &plan)).await
    }

    async fn count(&self, plan: &SearchPlan) -> Result<u64> {
        let plan = plan.clone();
        self.readers.with(move |c| search::count(c, &plan)).await
    }

    async fn compartment(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        after_row: Option<i64>,
        limit: usize,
    ) -> Result<Vec<RawResource>> {
        let (t, p) = (tenant.as_str().to_owned(), patient_id.to_owned());
        self.readers
            .with(move |c| compartment::page(c, &t, &p, after_row, limit))
            .await
    }

    async fn bookings(
        &self,
        tenant: &TenantId,
        actors: &[String],
        from: i64,
        to: i64,
    ) -> Result<Vec<cartella_store::Booking>> {
        let (t, a) = (tenant.as_str().to_owned(), actors.to_vec());
        self.readers
            .with(move |c| bookings::list(c, &t, &a, from, to))
            .await
    }

    async fn erase_patient(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        at: i64,
        audit: AuditDraft,
    ) -> Result<ErasureReport> {
        let (t, p) = (tenant.as_str().to_owned(), patient_id.to_owned());
        self.writer
            .call(move |c, state| write::erase_patient(c, state, &t, &p, at, audit))
            .await
    }

    async fn append_audit(&self, events: Vec<AuditDraft>) -> Result<()> {
        self.writer
            .call_repeatable(move |c, state| write::append_audit(c, state, &events))
            .await
    }

    async fn audit_rows(
        &self,
        tenant: &TenantId,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        let t = tenant.as_str().to_owned();
        self.readers
            .with(move |c| read::audit_rows(c, &t, after_seq, limit))
            .await
    }

    async fn audit_tenants(&self) -> Result<Vec<TenantId>> {
        self.readers.with(read::audit_tenants).await
    }

    async fn audit_search(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        before_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        let t = tenant.as_str().to_owned();
        let f = filter.clone();
        self.readers
            .with(move |c| read::audit_search(c, &t, &f, before_seq, limit))
            .await
    }

    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<()> {
        self.writer
            .call_repeatable(move |c, _| write::insert_jobs(c, &jobs))
            .await
    }

    async fn claim_jobs(
        &self,
        lane: Lane,
        limit: usize,
        now: i64,
        lease_us: i64,
    ) -> Result<Vec<JobRecord>> {
        // Workers poll each lane twice a second: a reader answers the usual "nothing due"
        // without a turn of the writer (whose group it would join).
        if !self
            .readers
            .with(move |c| jobs::any_due(c, lane, now))
            .await?
        {
            return Ok(Vec::new());
        }
        self.writer
            .call_repeatable(move |c, _| jobs::claim(c, lane, limit, now, lease_us))
            .await
    }

    async fn complete_job(&self, id: i64) -> Result<()> {
        self.writer
            .call_repeatable(move |c, _| jobs::complete(c, id))
            .await
    }

    async fn fail_job(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        let error = error.to_owned();
        self.writer
            .call_repeatable(move |c, _| jobs::fail(c, id, &error, retry_at))
            .await
    }

    async fn job(&self, id: i64) -> Result<Option<JobRecord>> {
        self.readers.with(move |c| jobs::get(c, id)).await
    }

    async fn job_counts(&self) -> Result<Vec<JobCount>> {
        self.readers.with(jobs::counts).await
    }
}
