//! Durability off the writer's path. The writer commits with `synchronous = NORMAL`, which in
//! WAL mode writes the log but does not sync it, and hands the group's answers to this thread;
//! it syncs the log (one `fdatasync` for every group committed since its last one) and only then
//! answers the callers. The writer meanwhile runs the next group, so a group's execution overlaps
//! the previous group's sync instead of waiting for it: under creates the writer had spent about
//! half its time waiting in `fdatasync`.
//!
//! An answered write has reached the disk, as with `synchronous = FULL`. What changes: for the
//! millisecond between commit and sync, other connections can read a write that a power loss
//! could still undo (its caller has not been answered). A failed sync ends the process, as
//! PostgreSQL does: after a failed `fdatasync` the kernel may have dropped the unwritten pages
//! while SQLite believes them written, and the writer would go on committing on top of them.
//! On restart SQLite recovers the log from what is on disk.

use crate::writer::WriteTask;
use cartella_store::StoreError;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// A committed (or failed) task waiting for the sync before its caller is answered.
pub type Done = (Box<dyn WriteTask>, Result<(), StoreError>);

#[derive(Clone)]
pub struct Syncer {
    tx: mpsc::Sender<Vec<Done>>,
}

impl Syncer {
    pub fn spawn(db: &Path) -> std::io::Result<Syncer> {
        let (tx, rx) = mpsc::channel::<Vec<Done>>();
        let mut wal = WalFile::new(db);
        std::thread::Builder::new()
            .name("sqlite-sync".into())
            .spawn(move || run(&rx, &mut wal))?;
        Ok(Syncer { tx })
    }

    /// Answer `done` once everything committed so far is on disk.
    pub fn answer_after_sync(&self, done: Vec<Done>) {
        if let Err(mpsc::SendError(done)) = self.tx.send(done) {
            for (task, _) in done {
                task.finish(Err(StoreError::Database(
                    "the SQLite log syncer has stopped".into(),
                )));
            }
        }
    }
}

fn run(rx: &mpsc::Receiver<Vec<Done>>, wal: &mut WalFile) {
    while let Ok(mut done) = rx.recv() {
        while let Ok(more) = rx.try_recv() {
            done.extend(more);
        }
        if let Err(e) = wal.sync() {
            tracing::error!(error = %e, path = %wal.path.display(), "syncing the SQLite write-ahead log failed: stopping, unanswered writes may be lost");
            eprintln!("cartella: the database log could not be written to disk ({e}); stopping");
            std::process::abort();
        }
        for (task, outcome) in done {
            task.finish(outcome);
        }
    }
}

/// The `-wal` file beside the database, opened by us only to sync it. SQLite keeps the same
/// file while any connection is open (a restart truncates it, which keeps the inode); should it
/// be replaced, the next sync opens the new one.
struct WalFile {
    path: PathBuf,
    dir: PathBuf,
    open: Option<(File, u64)>,
}

impl WalFile {
    fn new(db: &Path) -> WalFile {
        WalFile {
            path: crate::checkpointer::wal_path(db),
            dir: db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_owned),
            open: None,
        }
    }

    fn sync(&mut self) -> std::io::Result<()> {
        let ino = match std::fs::metadata(&self.path) {
            Ok(m) => m.ino(),
            // No log: nothing was written through one.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let file = match &self.open {
            Some((file, open_ino)) if *open_ino == ino => file,
            _ => {
                let file = File::open(&self.path)?;
                let ino = file.metadata()?.ino();
                // A new log's directory entry must be as durable as its content. Some file
                // systems cannot sync a directory; SQLite goes on without it there, and so do we.
                if let Err(e) = File::open(&self.dir).and_then(|d| d.sync_all()) {
                    tracing::warn!(error = %e, dir = %self.dir.display(), "could not sync the database folder");
                }
                &self.open.insert((file, ino)).0
            }
        };
        file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncs_a_log_that_exists_and_follows_a_replaced_one() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let mut wal = WalFile::new(&db);
        wal.sync().expect("no log yet: nothing to sync");
        assert!(wal.open.is_none());
        std::fs::write(dir.path().join("x.db-wal"), b"one").unwrap();
        wal.sync().unwrap();
        let first = wal.open.as_ref().map(|(_, i)| *i).unwrap();
        std::fs::remove_file(dir.path().join("x.db-wal")).unwrap();
        std::fs::write(dir.path().join("x.db-wal2"), b"keep the inode busy").unwrap();
        std::fs::write(dir.path().join("x.db-wal"), b"two").unwrap();
        wal.sync().unwrap();
        let second = wal.open.as_ref().map(|(_, i)| *i).unwrap();
        assert_ne!(first, second, "a replaced log is opened again");
    }
}
