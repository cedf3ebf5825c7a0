//! The gathered log against SQLite itself: what a commit wrote is in the file when the commit
//! returns (a copy of the files, as a crash would leave them, recovers it), and readers on
//! other connections never see a commit before its frames.

use super::*;
use rusqlite::{Connection, OpenFlags, params};
use std::cell::Cell;
use std::path::Path;

thread_local! {
    /// Hand-overs on this thread still to fail as if the disk were full.
    static FAILING_HAND_OVERS: Cell<u32> = const { Cell::new(0) };
}

pub(super) fn fail_this_hand_over() -> bool {
    FAILING_HAND_OVERS.with(|n| {
        let left = n.get();
        n.set(left.saturating_sub(1));
        left > 0
    })
}

fn writer(db: &Path, cache_pages: i64) -> Connection {
    register().unwrap();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let conn = Connection::open_with_flags_and_vfs(db, flags, VFS_NAME).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;
         PRAGMA cache_size = {cache_pages};
         CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL);"
    ))
    .unwrap();
    conn
}

/// Copies the database and its log as they are in the kernel right now, and opens the copy
/// with the platform VFS: SQLite recovers it from the log's frames and their checksums.
fn crash_copy(db: &Path, to: &Path) -> Connection {
    let _ = std::fs::remove_file(to.with_extension("db-wal"));
    let _ = std::fs::remove_file(to.with_extension("db-shm"));
    std::fs::copy(db, to).unwrap();
    std::fs::copy(db.with_extension("db-wal"), to.with_extension("db-wal")).unwrap();
    Connection::open(to).unwrap()
}

fn rows(conn: &Connection) -> (i64, i64) {
    conn.query_row(
        "SELECT count(*), coalesce(sum(length(v)), 0) FROM t",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn every_commit_is_in_the_file_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (dir.path().join("w.db"), dir.path().join("copy.db"));
    let conn = writer(&db, 2000);
    let mut expected = (0, 0);
    for i in 0..40i64 {
        // One to many frames per commit.
        let size = 100 + (i % 7) * 3000;
        conn.execute("INSERT INTO t (v) VALUES (zeroblob(?1))", [size])
            .unwrap();
        expected = (expected.0 + 1, expected.1 + size);
        assert_eq!(rows(&crash_copy(&db, &copy)), expected, "commit {i}");
    }
}

/// A transaction larger than the cache spills frames before its commit and then rewrites some
/// in place, after which SQLite reads the frames back to rewrite their checksums.
#[test]
fn a_commit_that_spilled_and_rewrote_frames_is_whole_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (dir.path().join("w.db"), dir.path().join("copy.db"));
    let mut conn = writer(&db, 10);
    for round in 0..3i64 {
        let tx = conn.transaction().unwrap();
        for i in 0..2000i64 {
            tx.execute(
                "INSERT OR REPLACE INTO t (id, v) VALUES (?1, zeroblob(300))",
                [round * 1000 + i],
            )
            .unwrap();
        }
        tx.execute("UPDATE t SET v = zeroblob(301) WHERE id % 97 = 0", [])
            .unwrap();
        tx.commit().unwrap();
        let copied = crash_copy(&db, &copy);
        let check: String = copied
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        assert_eq!(rows(&copied), rows(&conn), "round {round}");
    }
}

/// Transfers between two rows keep their sum; a reader that saw a commit whose frames were not
/// in the file yet would read a wrong page (a wrong sum, or a corrupt database).
#[test]
fn readers_never_see_a_commit_before_its_frames() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let conn = writer(&db, 2000);
    conn.execute_batch(
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL, pad BLOB NOT NULL);
         INSERT INTO acct VALUES (1, 1000, zeroblob(3000)), (2, 1000, zeroblob(3000));",
    )
    .unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (db, done) = (db.clone(), done.clone());
        std::thread::spawn(move || {
            let conn = Connection::open(&db).unwrap();
            let mut seen = 0;
            while !done.load(std::sync::atomic::Ordering::Acquire) {
                let (sum, n): (i64, i64) = conn
                    .query_row("SELECT sum(bal), count(*) FROM acct", [], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                assert_eq!((sum, n), (2000, 2));
                seen += 1;
            }
            seen
        })
    };
    for i in 0..3000i64 {
        let amount = i % 13 - 6;
        conn.execute(
            "UPDATE acct SET bal = bal + CASE id WHEN 1 THEN ?1 ELSE -?1 END, pad = zeroblob(3000 + ?2)",
            params![amount, i % 5],
        )
        .unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Release);
    assert!(reader.join().unwrap() > 0);
}

/// Frames spilled before a savepoint fail to reach the file when a read hands them over. SQLite
/// must roll the whole transaction back (as the writer's savepoint recovery then commits what
/// is left): were the failure taken for a statement's, the commit would publish frames that
/// are not in the file, and readers would find the database malformed.
#[test]
fn a_log_write_failing_under_a_read_rolls_the_transaction_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let conn = writer(&db, 10);
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    for i in 0..300i64 {
        conn.execute("INSERT INTO t VALUES (?1, zeroblob(300))", [i])
            .unwrap();
    }
    conn.execute_batch("SAVEPOINT task").unwrap();
    FAILING_HAND_OVERS.with(|n| n.set(1));
    let update = conn.execute("UPDATE t SET v = zeroblob(301) WHERE id < 50", []);
    let failed_hand_overs_left = FAILING_HAND_OVERS.with(|n| n.replace(0));
    assert_eq!(failed_hand_overs_left, 0, "no hand-over was attempted");
    assert!(update.is_err());
    if !conn.is_autocommit() {
        conn.execute_batch("ROLLBACK TO task; RELEASE task; COMMIT")
            .unwrap();
    }
    for reader in [
        Connection::open(&db).unwrap(),
        crash_copy(&db, &dir.path().join("copy.db")),
    ] {
        let check: String = reader
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        assert_eq!(rows(&reader), rows(&conn));
    }
}
