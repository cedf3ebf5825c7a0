//! Background jobs: handlers registered by kind, a worker per lane that claims due jobs, runs
//! them, and retries failures with exponential backoff until `max_attempts`, then marks them
//! dead (visible, never silently dropped). Handlers must be idempotent: a job whose worker died
//! mid-run is claimed again when its lease expires.

use crate::backend::Backend;
use crate::error::Result;
use crate::model::{JobRecord, Lane, NewJob};
use async_trait::async_trait;
use cartella_core::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Run the job; an `Err` is recorded (without patient data) and retried.
    async fn run(&self, job: &JobRecord) -> std::result::Result<(), String>;
}

/// A job for `kind` in `lane`, due now, retried up to 5 times.
pub fn job(lane: Lane, kind: &str, payload: String) -> NewJob {
    NewJob {
        tenant: None,
        lane,
        kind: kind.to_owned(),
        payload,
        run_at: Timestamp::now().micros(),
        max_attempts: 5,
        dedupe_key: None,
    }
}

pub struct Worker {
    backend: Arc<dyn Backend>,
    lane: Lane,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    /// First retry delay; doubles each attempt, capped at an hour.
    pub backoff_base: Duration,
    pub lease: Duration,
    pub batch: usize,
}

impl Worker {
    pub fn new(backend: Arc<dyn Backend>, lane: Lane) -> Self {
        Worker {
            backend,
            lane,
            handlers: HashMap::new(),
            backoff_base: Duration::from_secs(1),
            lease: Duration::from_secs(300),
            batch: 16,
        }
    }

    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_owned(), handler);
    }

    /// Claim and run the jobs due now; returns how many ran.
    pub async fn run_once(&self) -> Result<usize> {
        let now = Timestamp::now().micros();
        let jobs = self
            .backend
            .claim_jobs(self.lane, self.batch, now, self.lease.as_micros() as i64)
            .await?;
        for job in &jobs {
            if job.attempts > job.max_attempts {
                // Its worker died mid-run too often (lease expired each time): stop trying.
                self.backend
                    .fail_job(
                        job.id,
                        "gave up: the job's worker stopped before finishing too many times",
                        None,
                    )
                    .await?;
                continue;
            }
            let outcome = match self.handlers.get(&job.kind) {
                Some(h) => h.run(job).await,
                None => Err(format!("no handler for job kind '{}'", job.kind)),
            };
            match outcome {
                Ok(()) => self.backend.complete_job(job.id).await?,
                Err(err) => {
                    let retry_at = (job.attempts < job.max_attempts
                        && self.handlers.contains_key(&job.kind))
                    .then(|| {
                        Timestamp::now().micros() + self.backoff(job.attempts).as_micros() as i64
                    });
                    tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, dead = retry_at.is_none(), "job failed");
                    self.backend.fail_job(job.id, &err, retry_at).await?;
                }
            }
        }
        Ok(jobs.len())
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).max(0) as u32);
        self.backoff_base
            .saturating_mul(factor)
            .min(Duration::from_secs(3600))
    }

    /// Poll until `shutdown` fires: immediately again after a busy round, after `idle` otherwise.
    pub fn spawn(
        self,
        idle: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let ran = match self.run_once().await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = %e, lane = self.lane.as_str(), "job worker round failed");
                        0
                    }
                };
                if ran > 0 {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    _ = shutdown.changed() => return,
                }
                if *shutdown.borrow() {
                    return;
                }
            }
        })
    }
}
