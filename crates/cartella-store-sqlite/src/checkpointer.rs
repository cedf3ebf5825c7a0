//! WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the
//! committing connection, which here is the single writer: moving it to a second thread keeps
//! the copy of WAL pages into the database file off the write path (measured at ~12 % of the
//! writer's time during imports). The writer keeps a high automatic threshold as a safety net.
//!
//! The checkpointer only runs passive checkpoints, which never take the write lock. Restarting
//! the log is the writer's job (see [`WalWatch`]): a restarting checkpoint run here held the
//! write lock for about 300 ms every few seconds under creates, with the writer asleep in its
//! busy handler all that time.

use crate::busy::BusyLimit;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// WAL size past which the writer restarts the log.
const RESTART_ABOVE: u64 = 256 * 1024 * 1024;
/// How long the writer waits for a lock it needs.
pub const WRITER_WAITS: Duration = Duration::from_secs(5);
/// How long a restart waits for readers still on the old log before it is put off.
const RESTART_WAITS: Duration = Duration::from_millis(20);
/// How often the writer looks at the WAL's size.
const LOOK_EVERY: Duration = Duration::from_millis(250);

fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// What the checkpointer tells the writer: whether its last passive checkpoint copied every
/// frame then in the log. Only then is a restart cheap: it copies the few frames written since.
pub struct WalWatch {
    wal: PathBuf,
    busy: BusyLimit,
    caught_up: AtomicBool,
    next_look: std::sync::Mutex<Instant>,
}

impl WalWatch {
    pub fn new(db: &Path, busy: BusyLimit) -> Arc<WalWatch> {
        Arc::new(WalWatch {
            wal: wal_path(db),
            busy,
            caught_up: AtomicBool::new(false),
            next_look: std::sync::Mutex::new(Instant::now()),
        })
    }

    /// Called by the writer between groups: restart the log when it has outgrown the limit and
    /// the checkpointer has caught up. Under a steady stream of writes the log is never
    /// restarted otherwise (a passive checkpoint never catches up with the writer), and grows
    /// without end.
    pub fn restart_if_due(&self, conn: &Connection) {
        {
            let mut next = self.next_look.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if now < *next {
                return;
            }
            *next = now + LOOK_EVERY;
        }
        if !self.caught_up.load(Ordering::Relaxed)
            || !std::fs::metadata(&self.wal).is_ok_and(|m| m.len() > RESTART_ABOVE)
        {
            return;
        }
        // Readers still on the old log make the restart give up after a short wait; it is tried
        // again at the next look.
        self.busy.set(RESTART_WAITS);
        let restarted =
            conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0));
        self.busy.set(WRITER_WAITS);
        match restarted {
            Ok(0) => self.caught_up.store(false, Ordering::Relaxed),
            Ok(_) => tracing::debug!("WAL restart deferred: readers are still on the log"),
            Err(e) => tracing::debug!(error = %e, "WAL restart deferred"),
        }
    }
}

/// Stops the checkpointer when dropped.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub fn spawn(
    path: PathBuf,
    every: Duration,
    watch: Arc<WalWatch>,
) -> std::io::Result<Checkpointer> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new().name("cartella-sqlite-ckpt".into()).spawn(move || {
        let conn = match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "WAL checkpointer could not open the database; relying on automatic checkpoints");
                return;
            }
        };
        let _ = conn.execute_batch("PRAGMA busy_timeout = 100;");
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            // (busy, frames in the log, frames copied into the database)
            match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            }) {
                Ok((log, copied)) => watch.caught_up.store(log > 0 && copied == log, Ordering::Relaxed),
                Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
            }
        }
    })?;
    Ok(Checkpointer { stop })
}
