//! The single writer thread. Write tasks queue on a channel; the thread takes every task that is
//! waiting, runs them in one transaction, commits once and hands the answers to the [`Syncer`],
//! which answers each caller once the group is on disk (one sync for every group committed
//! meanwhile). A failing task must leave the others untouched: a group of repeatable tasks (the
//! resource writes) runs without savepoints, and only when one of them fails is it rolled back
//! and run again with a savepoint per task; other groups always run with savepoints. (A
//! savepoint copies every page a task touches into its sub-journal, a tenth of a create's cost.)

use crate::checkpointer::WalWatch;
use crate::syncer::{Done, Syncer};
use cartella_store::StoreError;
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Arc, mpsc};
use tokio::sync::oneshot;

type TaskResult<T> = Result<T, StoreError>;

/// State the writer keeps between tasks: the head of each tenant's audit chain.
#[derive(Default, Clone)]
pub struct WriterState {
    pub heads: HashMap<String, (i64, Vec<u8>)>,
}

impl WriterState {
    /// After a rollback: the heads are read again from the database when next needed (inside
    /// the transaction, so they include what the earlier tasks of the group appended).
    fn forget(&mut self) {
        self.heads.clear();
    }
}

/// How a task may be run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Once, inside the group's transaction.
    Once,
    /// Inside the group's transaction, and again should the group be rolled back and re-run.
    Repeatable,
    /// Alone, outside any transaction of the writer's (migrations manage their own).
    Raw,
}

pub trait WriteTask: Send {
    fn run(&mut self, conn: &Connection, state: &mut WriterState) -> TaskResult<()>;
    fn finish(self: Box<Self>, outcome: TaskResult<()>);
    fn kind(&self) -> Kind;
}

struct Task<T, F> {
    f: F,
    value: Option<T>,
    reply: oneshot::Sender<TaskResult<T>>,
    kind: Kind,
}

impl<T, F> WriteTask for Task<T, F>
where
    T: Send + 'static,
    F: FnMut(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
{
    fn run(&mut self, conn: &Connection, state: &mut WriterState) -> TaskResult<()> {
        self.value = Some((self.f)(conn, state)?);
        Ok(())
    }

    fn kind(&self) -> Kind {
        self.kind
    }

    fn finish(self: Box<Self>, outcome: TaskResult<()>) {
        let Task { value, reply, .. } = *self;
        let result = outcome.and_then(|()| {
            value.ok_or_else(|| StoreError::Internal("write task lost its value".into()))
        });
        let _ = reply.send(result);
    }
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Box<dyn WriteTask>>,
}

/// Tasks committed together at most; bounds the latency a large group adds.
const MAX_GROUP: usize = 512;

impl Writer {
    pub fn spawn(conn: Connection, wal: Arc<WalWatch>, syncer: Syncer) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Box<dyn WriteTask>>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                match crate::priority::run_this_thread_ahead() {
                    Some(nice) => tracing::debug!(nice, "the SQLite writer thread runs ahead"),
                    None => tracing::info!(
                        "the SQLite writer thread runs at the process's priority (raising it needs CAP_SYS_NICE or LimitNICE); imports are about a tenth slower"
                    ),
                }
                run(conn, rx, &wal, &syncer)
            })?;
        Ok(Writer { tx })
    }

    /// Run `f` in the writer's transaction and wait for the commit.
    pub async fn call<T, F>(&self, f: F) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        self.submit(once(f), Kind::Once).await
    }

    /// [`Writer::call`] for an `f` that can run again after its group was rolled back (it reads
    /// what it needs afresh each time), which spares its group the savepoints.
    pub async fn call_repeatable<T, F>(&self, f: F) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        self.submit(f, Kind::Repeatable).await
    }

    /// Run `f` alone, outside any transaction of the writer's (it manages its own).
    pub async fn call_raw<T, F>(&self, f: F) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        self.submit(once(f), Kind::Raw).await
    }

    async fn submit<T, F>(&self, f: F, kind: Kind) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let task = Box::new(Task {
            f,
            value: None,
            reply,
            kind,
        });
        self.tx
            .send(task)
            .map_err(|_| StoreError::Database("the SQLite writer has stopped".into()))?;
        rx.await.map_err(|_| {
            StoreError::Database("the SQLite writer stopped before answering".into())
        })?
    }
}

/// `f` as a task body that refuses a second run.
fn once<T, F>(f: F) -> impl FnMut(&Connection, &mut WriterState) -> TaskResult<T>
where
    F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T>,
{
    let mut f = Some(f);
    move |conn, state| {
        let f = f
            .take()
            .ok_or_else(|| StoreError::Internal("write task ran twice".into()))?;
        f(conn, state)
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Box<dyn WriteTask>>, wal: &WalWatch, syncer: &Syncer) {
    let mut state = WriterState::default();
    let mut carry: Option<Box<dyn WriteTask>> = None;
    loop {
        let first = match carry.take() {
            Some(t) => t,
            None => match rx.recv() {
                Ok(t) => t,
                Err(_) => return,
            },
        };
        if first.kind() == Kind::Raw {
            let mut task = first;
            let outcome = task.run(&conn, &mut state);
            state = WriterState::default();
            syncer.answer_after_sync(vec![(task, outcome)]);
            continue;
        }
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(t) if t.kind() == Kind::Raw => {
                    carry = Some(t);
                    break;
                }
                Ok(t) => group.push(t),
                Err(_) => break,
            }
        }
        syncer.answer_after_sync(run_group(&conn, &mut state, group));
        wal.restart_if_due(&conn);
    }
}

fn run_group(
    conn: &Connection,
    state: &mut WriterState,
    mut group: Vec<Box<dyn WriteTask>>,
) -> Vec<Done> {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        return fail_all(group, &crate::map_err(e).to_string());
    }
    if group.len() == 1 {
        // Alone in its transaction, a task needs no savepoint (whose sub-journal copies every
        // page the task touches): on failure the whole transaction rolls back.
        let Some(mut task) = group.pop() else {
            return Vec::new();
        };
        let outcome = task
            .run(conn, state)
            .and_then(|()| conn.execute_batch("COMMIT").map_err(crate::map_err));
        if outcome.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
            state.forget();
        }
        return vec![(task, outcome)];
    }
    let optimistic = group.iter().all(|t| t.kind() == Kind::Repeatable);
    let outcomes = if optimistic && run_all(conn, state, &mut group).is_ok() {
        group.iter().map(|_| Ok(())).collect()
    } else {
        if optimistic {
            // One of them failed: undo the others' work too and run them all again, each in a
            // savepoint, so that only the failing one is refused.
            let _ = conn.execute_batch("ROLLBACK");
            state.forget();
            if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
                return fail_all(group, &crate::map_err(e).to_string());
            }
        }
        match run_with_savepoints(conn, state, &mut group) {
            Ok(outcomes) => outcomes,
            Err(msg) => {
                state.forget();
                tracing::error!(error = %msg, tasks = group.len(), "SQLite rolled the group back");
                return fail_all(group, &msg);
            }
        }
    };
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        state.forget();
        let msg = crate::map_err(e).to_string();
        tracing::error!(error = %msg, tasks = group.len(), "SQLite group commit failed");
        return fail_all(group, &msg);
    }
    group.into_iter().zip(outcomes).collect()
}

/// The whole group refused with one database error.
fn fail_all(group: Vec<Box<dyn WriteTask>>, msg: &str) -> Vec<Done> {
    group
        .into_iter()
        .map(|task| (task, Err(StoreError::Database(msg.to_owned()))))
        .collect()
}

/// Every task in turn, stopping at the first failure (the caller rolls back).
fn run_all(
    conn: &Connection,
    state: &mut WriterState,
    group: &mut [Box<dyn WriteTask>],
) -> TaskResult<()> {
    group.iter_mut().try_for_each(|task| task.run(conn, state))
}

/// Every task in its own savepoint: a failing one is rolled back alone. Some errors (disk full,
/// I/O, out of memory) make SQLite roll back the whole transaction itself: then the group as a
/// whole has failed (`Err`), as a later savepoint would start a transaction of its own.
fn run_with_savepoints(
    conn: &Connection,
    state: &mut WriterState,
    group: &mut [Box<dyn WriteTask>],
) -> Result<Vec<TaskResult<()>>, String> {
    let mut outcomes = Vec::with_capacity(group.len());
    for task in group.iter_mut() {
        let outcome = conn
            .execute_batch("SAVEPOINT task")
            .map_err(crate::map_err)
            .and_then(|()| task.run(conn, state))
            .and_then(|()| conn.execute_batch("RELEASE task").map_err(crate::map_err));
        if let Err(e) = outcome {
            if conn.is_autocommit() {
                return Err(e.to_string());
            }
            let _ = conn.execute_batch("ROLLBACK TO task; RELEASE task");
            state.forget();
            outcomes.push(Err(e));
        } else {
            outcomes.push(Ok(()));
        }
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    fn writer(path: &Path) -> Writer {
        let mut conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE TABLE t (x INTEGER PRIMARY KEY);",
        )
        .unwrap();
        let limit = crate::busy::wait_in_short_steps(&mut conn, Duration::from_secs(5)).unwrap();
        let watch = WalWatch::new(path, limit);
        let syncer = Syncer::spawn(path).unwrap();
        Writer::spawn(conn, watch, syncer).unwrap()
    }

    fn insert(x: i64) -> impl FnMut(&Connection, &mut WriterState) -> TaskResult<i64> {
        move |c: &Connection, _: &mut WriterState| {
            c.execute("INSERT INTO t (x) VALUES (?1)", [x])
                .map_err(crate::map_err)?;
            Ok(x)
        }
    }

    /// Many repeatable tasks arrive together, one of which fails after writing: the group is
    /// re-run with savepoints, so every other task's row is committed once and the failing
    /// task's row is not there at all.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_task_in_a_group_leaves_the_others_committed_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let w = writer(&path);
        let mut calls = Vec::new();
        for x in 0..200i64 {
            let w = w.clone();
            calls.push(tokio::spawn(async move {
                if x == 100 {
                    let mut insert = insert(x);
                    w.call_repeatable(move |c, s| {
                        insert(c, s)?;
                        Err::<i64, _>(StoreError::Conflict("refused after writing".into()))
                    })
                    .await
                } else {
                    w.call_repeatable(insert(x)).await
                }
            }));
        }
        for (x, call) in calls.into_iter().enumerate() {
            let outcome = call.await.unwrap();
            if x == 100 {
                assert!(
                    matches!(outcome, Err(StoreError::Conflict(_))),
                    "{outcome:?}"
                );
            } else {
                assert_eq!(outcome.unwrap(), x as i64);
            }
        }
        let read = Connection::open(&path).unwrap();
        let (rows, has_100): (i64, i64) = read
            .query_row(
                "SELECT count(*), count(*) FILTER (WHERE x = 100) FROM t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((rows, has_100), (199, 0));
    }

    /// A task that is not repeatable is never run twice, even when its group is re-run.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn once_tasks_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let w = writer(&path);
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut calls = Vec::new();
        for x in 0..50i64 {
            let (w, runs) = (w.clone(), runs.clone());
            calls.push(tokio::spawn(async move {
                w.call(move |c, s| {
                    runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    insert(x)(c, s)
                })
                .await
            }));
        }
        for call in calls {
            call.await.unwrap().unwrap();
        }
        assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 50);
    }
}
