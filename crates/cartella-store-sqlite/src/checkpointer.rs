//! WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the
//! committing connection, which here is the single writer: moving it to a second thread keeps
//! the copy of WAL pages into the database file off the write path (measured at ~12 % of the
//! writer's time during imports). The writer keeps a high automatic threshold as a safety net.

use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// WAL size past which the checkpointer restarts the log.
const RESTART_ABOVE: u64 = 256 * 1024 * 1024;

fn wal_path(db: &std::path::Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
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

pub fn spawn(path: PathBuf, every: Duration) -> std::io::Result<Checkpointer> {
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
        let wal = wal_path(&path);
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                continue;
            }
            // Under a steady stream of writes a passive checkpoint never catches up with the
            // writer, so the WAL is never restarted and grows without end. Past the limit, a
            // restarting checkpoint holds the writer for the little the passive one left
            // (waiting at most its busy timeout for readers to move on) and the next write
            // starts the WAL from the beginning.
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > RESTART_ABOVE)
                && let Err(e) = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))
            {
                tracing::debug!(error = %e, "WAL restart deferred");
            }
        }
    })?;
    Ok(Checkpointer { stop })
}
