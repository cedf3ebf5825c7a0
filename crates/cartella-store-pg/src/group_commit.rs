//! Group commit for small writes. Every write appends to its tenant's audit chain, whose head
//! row stays locked until the commit, so the commits of one practice follow each other one
//! WAL flush at a time: single-resource creates stopped at about 1,100/s with the CPU a quarter
//! idle. Small batches that arrive together are therefore written in one transaction, each in
//! a savepoint of its own (a failing batch is rolled back alone and gets its own error), with
//! one audit append and one commit for the group. Large batches (imports) already spread their
//! commit over many resources and keep their own transaction, so they still run side by side.

use crate::PgBackend;
use crate::write::{Applied, apply};
use cartella_store::{StoreError, WriteBatch};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

type Result<T> = std::result::Result<T, StoreError>;

/// Batches of at most this many resources are grouped.
const SMALL_BATCH: usize = 8;
/// A group takes at most this many batches (each is a subtransaction; PostgreSQL keeps 64 per
/// backend in memory before it spills them).
const MAX_GROUP: usize = 48;

type Reply = oneshot::Sender<Result<()>>;
type Incoming = mpsc::UnboundedReceiver<(WriteBatch, Reply)>;

/// Committers working side by side: while one commits (holding the audit head), the next
/// writes its group's rows.
const COMMITTERS: usize = 2;

/// The queue of small batches waiting for the committer tasks.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<(WriteBatch, Reply)>,
}

impl GroupCommit {
    /// Starts the committers; they stop when the last sender is dropped.
    pub(crate) fn spawn(backend: PgBackend) -> GroupCommit {
        let (queue, incoming) = mpsc::unbounded_channel::<(WriteBatch, Reply)>();
        let incoming = Arc::new(Mutex::new(incoming));
        for _ in 0..COMMITTERS {
            let (backend, incoming) = (backend.clone(), incoming.clone());
            tokio::spawn(async move {
                while let Some(group) = next_group(&incoming).await {
                    // A task per group: should one panic, its callers get an error (their
                    // replies are dropped) and the committer goes on with the next group.
                    let backend = backend.clone();
                    let _ = tokio::spawn(async move { backend.commit_group(group).await }).await;
                }
            });
        }
        GroupCommit { queue }
    }

    /// Whether `batch` is written through the group committer.
    pub(crate) fn takes(batch: &WriteBatch) -> bool {
        // A conditional create locks its condition until its commit: in a group, two such
        // locks taken in opposite orders by two committers would deadlock.
        batch.ops.len() <= SMALL_BATCH
            && batch.absent.is_empty()
            && batch.ops.iter().all(|op| op.bookings.is_none())
    }

    pub(crate) async fn write(&self, batch: WriteBatch) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((batch, reply))
            .map_err(|_| StoreError::Database("the group committer has stopped".into()))?;
        answer.await.map_err(|_| {
            StoreError::Database("the write was abandoned: its group commit failed".into())
        })?
    }
}

/// The first waiting batch and whatever else is queued behind it; `None` once the queue closed.
async fn next_group(incoming: &Mutex<Incoming>) -> Option<Vec<(WriteBatch, Reply)>> {
    let mut incoming = incoming.lock().await;
    let mut group = vec![incoming.recv().await?];
    while group.len() < MAX_GROUP {
        match incoming.try_recv() {
            Ok(next) => group.push(next),
            Err(_) => break,
        }
    }
    Some(group)
}

/// How a group failed.
enum GroupFailed {
    /// Before COMMIT: nothing of it was written, each batch can be tried on its own.
    Early(StoreError),
    /// At COMMIT: whether it landed is unknown.
    AtCommit(StoreError),
}

impl PgBackend {
    /// A group of one too: alone it would wait for a locked row without a limit, and with
    /// every committer so held up no small write would go through.
    async fn commit_group(&self, group: Vec<(WriteBatch, Reply)>) {
        let (batches, replies): (Vec<WriteBatch>, Vec<Reply>) = group.into_iter().unzip();
        match self.write_group(&batches).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    let _ = reply.send(answer);
                }
            }
            // A lock wait that timed out, a deadlock, a lost connection: one batch's trouble
            // must not become every batch's error.
            // Each on its own and side by side, so one that waits for a lock holds up no other.
            Err(GroupFailed::Early(e)) => {
                tracing::debug!(error = %e, batches = replies.len(), "group failed; writing its batches one by one");
                for (batch, reply) in batches.into_iter().zip(replies) {
                    let backend = self.clone();
                    tokio::spawn(async move {
                        let _ = reply.send(backend.write_alone(batch).await);
                    });
                }
            }
            Err(GroupFailed::AtCommit(e)) => {
                tracing::warn!(error = %e, batches = replies.len(), "group commit failed");
                for reply in replies {
                    let _ = reply.send(Err(copy(&e)));
                }
            }
        }
    }

    /// The batches in one transaction, each in a savepoint; the answer of each batch, or how
    /// the whole group failed.
    async fn write_group(
        &self,
        batches: &[WriteBatch],
    ) -> std::result::Result<Vec<Result<()>>, GroupFailed> {
        let early = GroupFailed::Early;
        let mut client = self.conn().await.map_err(early)?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| early(crate::db(e)))?;
        let sql = |text: &'static str| {
            let tx = &tx;
            async move {
                tx.batch_execute(text)
                    .await
                    .map_err(|e| early(crate::db(e)))
            }
        };
        let mut answers = Vec::with_capacity(batches.len());
        let (mut audit, mut rows) = (Vec::new(), 0);
        for (n, batch) in batches.iter().enumerate() {
            // A row another transaction holds (an import, an erasure) makes the group give up
            // soon instead of holding every batch in it (and its committer).
            sql(if n == 0 {
                "SET LOCAL lock_timeout = '200ms'; SAVEPOINT batch"
            } else {
                "SAVEPOINT batch"
            })
            .await?;
            let applied = apply(&tx, batch).await;
            match applied {
                Ok(Applied::Done) => {
                    sql("RELEASE SAVEPOINT batch").await?;
                    audit.extend(batch.audit.iter().cloned());
                    rows += batch.ops.len() as u64;
                    answers.push(Ok(()));
                }
                Ok(Applied::DoubleBooked) | Err(_) => {
                    sql("ROLLBACK TO SAVEPOINT batch; RELEASE SAVEPOINT batch").await?;
                    let error = match applied {
                        // A deadlock or a lock wait: the whole group goes batch by batch.
                        Err(e @ StoreError::Contention(_)) => return Err(early(e)),
                        Err(e) => e,
                        // Never grouped (see `takes`): refused rather than half-handled.
                        Ok(_) => {
                            StoreError::Contention("a booking cannot be written in a group".into())
                        }
                    };
                    answers.push(Err(error));
                }
            }
        }
        crate::audit::append(&tx, audit).await.map_err(early)?;
        tx.commit()
            .await
            .map_err(|e| GroupFailed::AtCommit(crate::db(e)))?;
        self.freshness.written(&self.pool, rows);
        Ok(answers)
    }
}

/// The same error for another caller of a failed group: contention stays contention (the store
/// retries it), anything else is reported as a database error.
fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Contention(m) => StoreError::Contention(m.clone()),
        other => StoreError::Database(other.to_string()),
    }
}
