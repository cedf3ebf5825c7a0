//! Waiting for a lock in short steps. SQLite's own `busy_timeout` sleeps 1, 2, 5, 10, 15, 20,
//! 25 ms … between tries, so a writer that meets the checkpointer's brief hold of the write lock
//! sleeps far longer than the lock is held: under creates the single writer was asleep in that
//! handler a quarter of the time. Here a waiter yields a few times, then sleeps 50 µs a try,
//! until its limit has passed since the lock was first found busy.

use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The wait limit of a connection's busy handler, changeable while the connection is in use (the
/// writer waits less for readers when it restarts the log than for a lock it must have).
#[derive(Clone)]
pub struct BusyLimit(Arc<AtomicU64>);

impl BusyLimit {
    pub fn set(&self, limit: Duration) {
        self.0.store(limit.as_micros() as u64, Ordering::Relaxed);
    }

    fn get(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed))
    }
}

/// Tries that only yield the processor before the waiter starts sleeping.
const YIELDS: i32 = 8;
const STEP: Duration = Duration::from_micros(50);

pub(crate) fn wait_in_short_steps(
    conn: &mut Connection,
    limit: Duration,
) -> crate::Result<BusyLimit> {
    let shared = BusyLimit(Arc::new(AtomicU64::new(0)));
    shared.set(limit);
    let limit = shared.clone();
    let mut since = Instant::now();
    conn.busy_handler(Some(move |tries: i32| {
        if tries == 0 {
            since = Instant::now();
        }
        if since.elapsed() >= limit.get() {
            return false;
        }
        if tries < YIELDS {
            std::thread::yield_now();
        } else {
            std::thread::sleep(STEP);
        }
        true
    }))
    .map_err(crate::map_err)?;
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second writer waits for the first one's lock and gets it as soon as it is released,
    /// and gives up with SQLITE_BUSY once the limit has passed.
    #[test]
    fn waits_until_released_and_gives_up_after_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let first = Connection::open(&path).unwrap();
        first
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .unwrap();
        let mut second = Connection::open(&path).unwrap();
        let limit = wait_in_short_steps(&mut second, Duration::from_secs(10)).unwrap();
        limit.set(Duration::from_millis(150));

        first.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = Instant::now();
        let err = second.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        assert!(started.elapsed() >= Duration::from_millis(150));

        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            first.execute_batch("COMMIT").unwrap();
        });
        let started = Instant::now();
        second.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
        let waited = started.elapsed();
        releaser.join().unwrap();
        assert!(waited < Duration::from_millis(150), "waited {waited:?}");
    }
}
