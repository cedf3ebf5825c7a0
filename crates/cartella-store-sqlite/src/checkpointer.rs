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
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// WAL size past which the writer restarts the log. Each restart stops the writer for about
/// half a second under imports (it copies and syncs what the checkpointer has not): at 256 MiB
/// that was every 3-4 s, a 1 GiB log makes it a quarter as often (+5 % imported). Only
/// sustained imports grow the log this far: otherwise the checkpointer catches up and SQLite
/// starts the log again by itself.
const RESTART_ABOVE: u64 = 1024 * 1024 * 1024;
/// How long the writer waits for a lock it needs.
pub const WRITER_WAITS: Duration = Duration::from_secs(5);
/// How long a restart waits for readers still on the old log before it is put off.
const RESTART_WAITS: Duration = Duration::from_millis(20);
/// A passive checkpoint this short left the writer's restart little to copy.
const QUICK_CHECKPOINT: Duration = Duration::from_millis(30);
/// Passive checkpoints in a row after which the restart goes ahead however long they took.
const MAX_IN_A_ROW: u32 = 6;
/// How long the writer leaves the log alone after readers made a restart give up.
const RETRY_AFTER_READERS: Duration = Duration::from_secs(2);
/// How long the checkpointer waits for the writer to restart the log once it is ready.
const READY_FOR: Duration = Duration::from_millis(100);
/// How often the writer looks at the WAL's size.
const LOOK_EVERY: Duration = Duration::from_millis(250);

/// The write-ahead log beside the database file `db`, as SQLite names it.
pub(crate) fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// The hand-over of a log restart between the writer and the checkpointer. A restart is cheap
/// only right after a passive checkpoint has copied every frame (it copies the few written
/// since), and it fails at once while a checkpoint is running (one checkpoint at a time), which
/// under heavy writes was most of the time. So: the writer asks (the log has outgrown the limit),
/// the checkpointer answers ready after a passive checkpoint that caught up and starts no other,
/// and the writer restarts the log between two groups.
pub struct WalWatch {
    wal: PathBuf,
    busy: BusyLimit,
    /// One of [`IDLE`], [`WANTED`], [`READY`].
    restart: AtomicU8,
    ready_at: std::sync::Mutex<Instant>,
    next_look: std::sync::Mutex<Instant>,
    restart_above: u64,
    look_every: Duration,
}

const IDLE: u8 = 0;
const WANTED: u8 = 1;
const READY: u8 = 2;

impl WalWatch {
    pub fn new(db: &Path, busy: BusyLimit) -> Arc<WalWatch> {
        Self::with_limits(db, busy, RESTART_ABOVE, LOOK_EVERY)
    }

    fn with_limits(
        db: &Path,
        busy: BusyLimit,
        restart_above: u64,
        look_every: Duration,
    ) -> Arc<WalWatch> {
        Arc::new(WalWatch {
            wal: wal_path(db),
            busy,
            restart: AtomicU8::new(IDLE),
            ready_at: std::sync::Mutex::new(Instant::now()),
            next_look: std::sync::Mutex::new(Instant::now()),
            restart_above,
            look_every,
        })
    }

    /// Called by the writer between groups. Under a steady stream of writes the log is never
    /// restarted otherwise (a passive checkpoint never catches up with the writer), and grows
    /// without end.
    pub fn restart_if_due(&self, conn: &Connection) {
        match self.restart.load(Ordering::Acquire) {
            IDLE if self.time_to_look()
                && std::fs::metadata(&self.wal).is_ok_and(|m| m.len() > self.restart_above) =>
            {
                self.restart.store(WANTED, Ordering::Release);
            }
            // At once: every frame written since the checkpointer caught up must be copied (and
            // the database synced) while the writer waits.
            READY => {
                // Readers still on the old log make the restart give up after a short wait; it
                // is asked for again at the next look.
                self.busy.set(RESTART_WAITS);
                let started = Instant::now();
                let restarted =
                    conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0));
                self.busy.set(WRITER_WAITS);
                match restarted {
                    Ok(0) => {
                        tracing::debug!(ms = started.elapsed().as_secs_f64() * 1e3, "WAL restarted")
                    }
                    Ok(_) => {
                        // A reader on an old snapshot (an export, say): wait longer before the
                        // next try, each of which makes the writer copy and sync again.
                        *self.next_look.lock().unwrap_or_else(|e| e.into_inner()) =
                            Instant::now() + RETRY_AFTER_READERS;
                        tracing::debug!("WAL restart deferred: readers are still on the log");
                    }
                    Err(e) => tracing::debug!(error = %e, "WAL restart deferred"),
                }
                self.restart.store(IDLE, Ordering::Release);
            }
            _ => {}
        }
    }

    /// At a clean stop: copy the whole log into the database file and empty it. Readers of
    /// another process (a command run beside `serve`) are waited for only as briefly as for a
    /// restart; `false` then, and the log is left to that process.
    pub fn truncate(&self, conn: &Connection) -> rusqlite::Result<bool> {
        self.busy.set(RESTART_WAITS);
        let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        self.busy.set(WRITER_WAITS);
        busy.map(|b| b == 0)
    }

    fn time_to_look(&self) -> bool {
        let mut next = self.next_look.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now < *next {
            return false;
        }
        *next = now + self.look_every;
        true
    }

    fn wanted(&self) -> bool {
        self.restart.load(Ordering::Acquire) == WANTED
    }

    /// Called by the checkpointer: false while the writer is about to restart the log. A writer
    /// that has not come back for it within [`READY_FOR`] has no more writes to do: the
    /// checkpointer takes the log back (left alone, every read would go through the log's index
    /// until the next write) and answers ready again after its next catch-up.
    fn may_checkpoint(&self) -> bool {
        if self.restart.load(Ordering::Acquire) != READY {
            return true;
        }
        let ready_at = *self.ready_at.lock().unwrap_or_else(|e| e.into_inner());
        if ready_at.elapsed() < READY_FOR {
            return false;
        }
        let _ = self
            .restart
            .compare_exchange(READY, WANTED, Ordering::AcqRel, Ordering::Acquire);
        true
    }

    /// Called by the checkpointer after a passive checkpoint.
    fn checkpointed(&self, caught_up: bool) {
        if caught_up {
            *self.ready_at.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
            let _ =
                self.restart
                    .compare_exchange(WANTED, READY, Ordering::AcqRel, Ordering::Acquire);
        }
    }
}

/// Stops the checkpointer when dropped.
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Checkpointer {
    /// Stop the thread and wait until it has closed its connection, so that a last checkpoint
    /// at shutdown is not held back by one of its own.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.get_mut().unwrap_or_else(|e| e.into_inner()) {
            t.thread().unpark();
        }
    }
}

pub fn spawn(
    path: PathBuf,
    every: Duration,
    watch: Arc<WalWatch>,
) -> std::io::Result<Checkpointer> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new().name("sqlite-ckpt".into()).spawn(move || {
        let conn = match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "WAL checkpointer could not open the database; relying on automatic checkpoints");
                return;
            }
        };
        let _ = conn.execute_batch("PRAGMA busy_timeout = 100;");
        // Passive checkpoints in a row since the writer asked for a restart, and whether the
        // last one took long copying (so the next, at once, has only the frames written
        // meanwhile). A quick one that did not catch up, held back by a reader on an old
        // snapshot, is not repeated at once: that would spin.
        let (mut in_a_row, mut progressed) = (0, false);
        while !flag.load(Ordering::Relaxed) {
            if watch.wanted() && progressed {
                in_a_row += 1;
            } else {
                in_a_row = 0;
                // Parked rather than asleep: a stop wakes it at once.
                std::thread::park_timeout(every);
                if flag.load(Ordering::Relaxed) {
                    break;
                }
            }
            if !watch.may_checkpoint() {
                progressed = false;
                continue;
            }
            let started = Instant::now();
            // (busy, frames in the log, frames copied into the database)
            match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            }) {
                // Ready once a checkpoint caught up quickly: few frames were written meanwhile,
                // so the writer's restart has little to copy. A slow one is followed at once by
                // another, which only copies what was written during the last.
                Ok((log, copied)) => {
                    let took = started.elapsed();
                    progressed = took >= QUICK_CHECKPOINT;
                    watch.checkpointed(
                        log > 0
                            && copied == log
                            && (took < QUICK_CHECKPOINT || in_a_row >= MAX_IN_A_ROW),
                    );
                }
                Err(e) => {
                    progressed = false;
                    tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                }
            }
        }
    })?;
    Ok(Checkpointer {
        stop,
        thread: std::sync::Mutex::new(Some(thread)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_in_log(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap()
    }

    /// The writer asks for a restart once the log is over the limit, restarts it only after the
    /// checkpointer has caught up, and the log then starts again from its first frame.
    #[test]
    fn the_log_is_restarted_after_the_checkpointer_caught_up() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let mut writer = Connection::open(&db).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE t (x BLOB);",
            )
            .unwrap();
        let busy = crate::busy::wait_in_short_steps(&mut writer, WRITER_WAITS).unwrap();
        let watch = WalWatch::with_limits(&db, busy, 64 * 1024, Duration::ZERO);
        let write = |n: usize| {
            for _ in 0..n {
                writer
                    .execute("INSERT INTO t (x) VALUES (zeroblob(4000))", [])
                    .unwrap();
            }
        };
        write(40);
        let checkpointer = Connection::open(&db).unwrap();
        assert!(frames_in_log(&checkpointer) >= 40);

        watch.restart_if_due(&writer);
        assert_eq!(watch.restart.load(Ordering::Acquire), WANTED);
        watch.checkpointed(false);
        assert!(watch.may_checkpoint(), "not caught up: not ready");
        watch.checkpointed(true);
        assert!(
            !watch.may_checkpoint(),
            "ready: no checkpoint until the writer restarts"
        );
        write(2);
        watch.restart_if_due(&writer);
        assert_eq!(watch.restart.load(Ordering::Acquire), IDLE);
        write(1);
        assert!(
            frames_in_log(&checkpointer) <= 3,
            "the log starts again from its first frame"
        );
    }

    /// A writer that does not come back for a ready restart leaves the log to the checkpointer.
    #[test]
    fn an_idle_writer_hands_the_log_back_to_the_checkpointer() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let mut conn = Connection::open(&db).unwrap();
        let busy = crate::busy::wait_in_short_steps(&mut conn, WRITER_WAITS).unwrap();
        let watch = WalWatch::with_limits(&db, busy, 0, Duration::ZERO);
        watch.restart.store(WANTED, Ordering::Release);
        watch.checkpointed(true);
        assert!(!watch.may_checkpoint());
        std::thread::sleep(READY_FOR);
        assert!(watch.may_checkpoint());
        assert!(watch.wanted(), "ready again after the next catch-up");
    }
}
