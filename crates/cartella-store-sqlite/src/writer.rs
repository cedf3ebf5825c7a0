//! The single writer thread. Write tasks queue on a channel; the thread takes every task that is
//! waiting, runs each inside its own savepoint of one transaction, commits once (one fsync for
//! the group) and only then answers each caller. A failing task rolls back to its savepoint and
//! leaves the others untouched.

use cartella_store::StoreError;
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::mpsc;
use tokio::sync::oneshot;

type TaskResult<T> = Result<T, StoreError>;

/// State the writer keeps between tasks: the head of each tenant's audit chain.
#[derive(Default, Clone)]
pub struct WriterState {
    pub heads: HashMap<String, (i64, Vec<u8>)>,
}

pub trait WriteTask: Send {
    fn run(&mut self, conn: &Connection, state: &mut WriterState) -> TaskResult<()>;
    fn finish(self: Box<Self>, outcome: TaskResult<()>);
    /// Raw tasks manage their own transactions (migrations) and run alone.
    fn raw(&self) -> bool;
}

struct Task<T, F> {
    f: Option<F>,
    value: Option<T>,
    reply: oneshot::Sender<TaskResult<T>>,
    raw: bool,
}

impl<T, F> WriteTask for Task<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
{
    fn run(&mut self, conn: &Connection, state: &mut WriterState) -> TaskResult<()> {
        let f = self
            .f
            .take()
            .ok_or_else(|| StoreError::Internal("write task ran twice".into()))?;
        self.value = Some(f(conn, state)?);
        Ok(())
    }

    fn raw(&self) -> bool {
        self.raw
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
    pub fn spawn(conn: Connection) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Box<dyn WriteTask>>();
        std::thread::Builder::new()
            .name("cartella-sqlite-writer".into())
            .spawn(move || run(conn, rx))?;
        Ok(Writer { tx })
    }

    /// Run `f` in the writer's transaction and wait for the commit.
    pub async fn call<T, F>(&self, f: F) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        self.submit(f, false).await
    }

    /// Run `f` alone, outside any transaction of the writer's (it manages its own).
    pub async fn call_raw<T, F>(&self, f: F) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        self.submit(f, true).await
    }

    async fn submit<T, F>(&self, f: F, raw: bool) -> TaskResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> TaskResult<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let task = Box::new(Task {
            f: Some(f),
            value: None,
            reply,
            raw,
        });
        self.tx
            .send(task)
            .map_err(|_| StoreError::Database("the SQLite writer has stopped".into()))?;
        rx.await.map_err(|_| {
            StoreError::Database("the SQLite writer stopped before answering".into())
        })?
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Box<dyn WriteTask>>) {
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
        if first.raw() {
            let mut task = first;
            let outcome = task.run(&conn, &mut state);
            state = WriterState::default();
            task.finish(outcome);
            continue;
        }
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(t) if t.raw() => {
                    carry = Some(t);
                    break;
                }
                Ok(t) => group.push(t),
                Err(_) => break,
            }
        }
        run_group(&conn, &mut state, group);
    }
}

fn run_group(conn: &Connection, state: &mut WriterState, mut group: Vec<Box<dyn WriteTask>>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let err = crate::map_err(e);
        for task in group {
            task.finish(Err(StoreError::Database(err.to_string())));
        }
        return;
    }
    let before_group = state.clone();
    if group.len() == 1 {
        // Alone in its transaction, a task needs no savepoint (whose sub-journal copies every
        // page the task touches): on failure the whole transaction rolls back.
        let mut task = group.pop().expect("one task");
        let outcome = task
            .run(conn, state)
            .and_then(|()| conn.execute_batch("COMMIT").map_err(crate::map_err));
        if outcome.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
            *state = before_group;
        }
        task.finish(outcome);
        return;
    }
    let mut outcomes = Vec::with_capacity(group.len());
    for task in group.iter_mut() {
        let snapshot = state.clone();
        let outcome = conn
            .execute_batch("SAVEPOINT task")
            .map_err(crate::map_err)
            .and_then(|()| task.run(conn, state));
        match outcome {
            Ok(()) => match conn.execute_batch("RELEASE task") {
                Ok(()) => outcomes.push(Ok(())),
                Err(e) => {
                    *state = snapshot;
                    outcomes.push(Err(crate::map_err(e)));
                }
            },
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK TO task; RELEASE task");
                *state = snapshot;
                outcomes.push(Err(e));
            }
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        *state = before_group;
        let msg = crate::map_err(e).to_string();
        tracing::error!(error = %msg, tasks = group.len(), "SQLite group commit failed");
        for task in group {
            task.finish(Err(StoreError::Database(msg.clone())));
        }
        return;
    }
    for (task, outcome) in group.into_iter().zip(outcomes) {
        task.finish(outcome);
    }
}
