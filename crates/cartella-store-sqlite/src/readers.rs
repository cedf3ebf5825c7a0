//! A small pool of read-only connections. WAL mode lets them read while the writer writes, so
//! no request ever sees "database is locked".

use cartella_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle reader connections kept at most (each holds its own page cache and statements).
const MAX_KEPT: usize = 64;

pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    pub max: usize,
    opened: std::sync::atomic::AtomicUsize,
    /// At most `max` queries on the blocking pool at once; the rest wait their turn in order.
    /// Unbounded, 32 concurrent searches ran as 32 threads time-sliced over two cores, and the
    /// slowest of them waited behind all the others (the p99).
    running: tokio::sync::Semaphore,
}

impl Readers {
    pub fn new(path: PathBuf, max: usize) -> Self {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            max,
            opened: Default::default(),
            running: tokio::sync::Semaphore::new(max),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(crate::map_err)?;
        // No mmap for readers: each connection maps the file on its own, so a page is faulted
        // in again per connection, and every growth of the file remaps each mapping. At 500k
        // resources (a 3 GiB file), reads and searches gained 18 % and 27 % and their p99 halved
        // when readers took pages by pread into their own cache instead (fresh loads, A/B).
        conn.execute_batch(
            "PRAGMA busy_timeout = 5000; PRAGMA query_only = ON; PRAGMA cache_size = -16000;
             PRAGMA mmap_size = 0;",
        )
        .map_err(crate::map_err)?;
        crate::tune(&conn)?;
        self.opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(conn)
    }

    /// Run a point lookup (a few tens of microseconds) right on the calling task. Handing it to
    /// the blocking pool costs two thread switches, which profiling showed to be most of a
    /// read's CPU; queries that may run long (search, history) use [`Readers::with`].
    pub fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError>,
    {
        let conn = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => self.open()?,
        };
        let result = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep() {
            idle.push(conn);
        }
        result
    }

    /// How many idle connections are kept. More than the configured pool size: under load more
    /// readers run at once, and a connection opened for the peak and then closed costs a schema
    /// parse and its statement cache every time (profiling showed that as most of a search's
    /// CPU at 32 concurrent searches).
    fn keep(&self) -> usize {
        self.max.max(MAX_KEPT)
    }

    /// Run `f` on a pooled connection on the blocking pool.
    pub async fn with<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _turn = self
            .running
            .acquire()
            .await
            .map_err(|_| StoreError::Internal("reader pool closed".into()))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = this.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match conn {
                Some(c) => c,
                None => this.open()?,
            };
            let result = f(&conn);
            let mut idle = this.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < this.keep() {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Internal(format!("reader task failed: {e}")))?
    }

    /// Close the idle connections (at shutdown: a read-only connection cannot checkpoint, so
    /// the writer's last checkpoint must not find one holding an old snapshot).
    pub fn close_idle(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn stats(&self) -> (u64, u64) {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).len() as u64;
        (
            idle.max(
                self.opened
                    .load(std::sync::atomic::Ordering::Relaxed)
                    .min(self.max) as u64,
            ),
            idle,
        )
    }
}
