//! Cartella's PostgreSQL backend: [`PgBackend`] implements [`cartella_store::Backend`] (and its
//! identity half, [`cartella_store::identity::IdentityBackend`]) on a `deadpool-postgres` pool.
//! The store above it has already sealed content, extracted index rows and prepared audit
//! drafts; this crate owns the SQL, the transactions, optimistic-concurrency checks, the audit
//! chain's ordering and the job queue's locking.
#![forbid(unsafe_code)]

mod audit;
mod backend;
mod bookings;
mod export;
mod group_commit;
mod identity;
mod index;
mod jobs;
mod keys;
mod migrate;
mod read;
mod rows;
mod search;
mod stats;
pub mod testing;
mod write;

use cartella_store::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use std::time::Duration;
use tokio_postgres::NoTls;

/// A PostgreSQL database holding one Cartella deployment (all tenants).
#[derive(Clone)]
pub struct PgBackend {
    pool: Pool,
    freshness: std::sync::Arc<stats::Freshness>,
    /// Small writes go through it; `None` in the committer's own copy.
    group: Option<group_commit::GroupCommit>,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Deliberately not the URL: it may carry a password.
        f.debug_struct("PgBackend")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PgBackend {
    /// Connects a pool of `pool_size` to a postgres:// URL; does not migrate.
    ///
    /// One connection is opened right away so a wrong URL or an unreachable server is reported
    /// at startup rather than on the first request.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Database(format!("invalid PostgreSQL URL: {e}")))?;
        // Fast recycling: a connection whose last transaction failed is rolled back by
        // tokio-postgres itself when the `Transaction` is dropped, so no extra round trip per
        // checkout is needed; a closed connection is detected and replaced.
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            // Bounded waits: a saturated pool or a dead server becomes an error (503), not a hang.
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(crate::db)?;
        let mut backend = PgBackend {
            pool,
            freshness: Default::default(),
            group: None,
        };
        backend.group = Some(group_commit::GroupCommit::spawn(backend.clone()));
        // Returned to the pool at once; it serves the first request.
        drop(backend.conn().await?);
        Ok(backend)
    }

    /// A pooled connection. Not named `client`: that is `IdentityBackend::client` (an API
    /// client), which callers outside the crate must be able to reach.
    pub(crate) async fn conn(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(crate::db)
    }

    pub(crate) async fn ping_db(&self) -> Result<(), StoreError> {
        let client = self.conn().await?;
        client.simple_query("SELECT 1").await.map_err(crate::db)?;
        Ok(())
    }

    /// `(open connections, idle connections)`.
    pub(crate) fn stats(&self) -> (u64, u64) {
        let status = self.pool.status();
        (status.size as u64, status.available as u64)
    }
}

/// Errors the PostgreSQL layer can turn into a [`StoreError`].
pub(crate) trait DbError: std::fmt::Display {
    fn contention(&self) -> bool {
        false
    }
}

impl DbError for tokio_postgres::Error {
    /// Deadlocks, serialization failures and lock waits that timed out (group commits set a
    /// lock timeout) abort a transaction that a retry would commit.
    fn contention(&self) -> bool {
        use tokio_postgres::error::SqlState;
        matches!(self.code(), Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::LOCK_NOT_AVAILABLE)
    }
}

impl DbError for deadpool_postgres::PoolError {}
impl DbError for deadpool_postgres::BuildError {}
impl DbError for String {}
impl DbError for &str {}

pub(crate) fn db(e: impl DbError) -> StoreError {
    if e.contention() {
        StoreError::Contention(e.to_string())
    } else {
        StoreError::Database(e.to_string())
    }
}
