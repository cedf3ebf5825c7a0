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
use tokio::sync::{mpsc, oneshot};

type Result<T> = std::result::Result<T, StoreError>;

/// Batches of at most this many resources are grouped.
const SMALL_BATCH: usize = 8;
/// A group takes at most this many batches (each is a subtransaction; PostgreSQL keeps 64 per
/// backend in memory before it spills them).
const MAX_GROUP: usize = 48;

type Reply = oneshot::Sender<Result<()>>;

/// The queue of small batches waiting for the committer task.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<(WriteBatch, Reply)>,
}

impl GroupCommit {
    /// Starts the committer; it stops when the last sender is dropped.
    pub(crate) fn spawn(backend: PgBackend) -> GroupCommit {
        let (queue, mut incoming) = mpsc::unbounded_channel::<(WriteBatch, Reply)>();
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match incoming.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                backend.commit_group(group).await;
            }
        });
        GroupCommit { queue }
    }

    /// Whether `batch` is written through the group committer.
    pub(crate) fn takes(batch: &WriteBatch) -> bool {
        batch.ops.len() <= SMALL_BATCH && batch.ops.iter().all(|op| op.bookings.is_none())
    }

    pub(crate) async fn write(&self, batch: WriteBatch) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((batch, reply))
            .map_err(|_| StoreError::Database("the group committer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the group committer has stopped".into()))?
    }
}

impl PgBackend {
    async fn commit_group(&self, mut group: Vec<(WriteBatch, Reply)>) {
        if group.len() == 1
            && let Some((batch, reply)) = group.pop()
        {
            let _ = reply.send(self.write_alone(batch).await);
            return;
        }
        let (batches, replies): (Vec<WriteBatch>, Vec<Reply>) = group.into_iter().unzip();
        match self.write_group(batches).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    let _ = reply.send(answer);
                }
            }
            // Nothing of the group was committed: every batch gets the error.
            Err(e) => {
                tracing::warn!(error = %e, batches = replies.len(), "group commit failed");
                for reply in replies {
                    let _ = reply.send(Err(copy(&e)));
                }
            }
        }
    }

    /// The batches in one transaction, each in a savepoint; the answer of each batch, or the
    /// error that failed the whole group.
    async fn write_group(&self, batches: Vec<WriteBatch>) -> Result<Vec<Result<()>>> {
        let mut client = self.conn().await?;
        let mut tx = client.transaction().await.map_err(crate::db)?;
        let mut answers = Vec::with_capacity(batches.len());
        let (mut audit, mut rows) = (Vec::new(), 0);
        for mut batch in batches {
            let savepoint = tx.savepoint("batch").await.map_err(crate::db)?;
            match apply(&savepoint, &batch).await {
                Ok(Applied::Done) => {
                    savepoint.commit().await.map_err(crate::db)?;
                    audit.append(&mut batch.audit);
                    rows += batch.ops.len() as u64;
                    answers.push(Ok(()));
                }
                // Never grouped (see `takes`); refused rather than half-handled.
                Ok(Applied::DoubleBooked) => {
                    savepoint.rollback().await.map_err(crate::db)?;
                    answers.push(Err(StoreError::Contention(
                        "a booking cannot be written in a group".into(),
                    )));
                }
                Err(e) => {
                    savepoint.rollback().await.map_err(crate::db)?;
                    answers.push(Err(e));
                }
            }
        }
        crate::audit::append(&tx, audit).await?;
        tx.commit().await.map_err(crate::db)?;
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
