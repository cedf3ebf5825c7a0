//! Jobs and the outbox: outbox jobs commit with the write that caused them (and vanish with a
//! failed one); the worker retries with backoff, then marks a job dead; SKIP LOCKED keeps
//! concurrent claimers apart.

use crate::support::*;
use async_trait::async_trait;
use cartella_store::jobs::{JobHandler, Worker, job};
use cartella_store::store::WriteOptions;
use cartella_store::{JobRecord, JobState, Lane};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Flaky {
    fail_first: usize,
    calls: AtomicUsize,
}

#[async_trait]
impl JobHandler for Flaky {
    async fn run(&self, _job: &JobRecord) -> Result<(), String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            Err(format!("attempt {} failed", n + 1))
        } else {
            Ok(())
        }
    }
}

#[tokio::test]
async fn outbox_commits_with_its_write_only() {
    for w in worlds().await {
        let (store, ctx) = store_with_tenant(&w, "outbox").await;
        let p = json!({"resourceType": "Patient", "id": "p1"});
        let mut mail = job(
            Lane::Interactive,
            "mail.welcome",
            json!({"patient": "p1"}).to_string(),
        );
        mail.dedupe_key = Some("welcome-p1".into());
        let opts = WriteOptions {
            outbox: vec![mail.clone()],
            ..Default::default()
        };
        store
            .update(&ctx, "Patient", "p1", p.clone(), opts.clone())
            .await
            .unwrap();
        // A write that fails (stale version) must not leave its outbox message behind.
        let mut stale = mail.clone();
        stale.dedupe_key = Some("stale".into());
        let failing = WriteOptions {
            if_match: Some(7),
            outbox: vec![stale],
            ..Default::default()
        };
        assert!(
            store
                .update(&ctx, "Patient", "p1", p.clone(), failing)
                .await
                .is_err()
        );
        // The same dedupe key is enqueued once.
        store.update(&ctx, "Patient", "p1", p, opts).await.unwrap();
        let counts = store.backend().job_counts().await.unwrap();
        let queued: i64 = counts
            .iter()
            .filter(|c| c.state == JobState::Queued)
            .map(|c| c.count)
            .sum();
        assert_eq!(queued, 1, "{}: {counts:?}", w.name);
    }
}

#[tokio::test]
async fn worker_retries_with_backoff_then_succeeds_or_dies() {
    for w in worlds().await {
        let backend = w.backend.clone();
        backend.migrate().await.unwrap();
        let handler = Arc::new(Flaky {
            fail_first: 2,
            calls: AtomicUsize::new(0),
        });
        let hopeless = Arc::new(Flaky {
            fail_first: usize::MAX,
            calls: AtomicUsize::new(0),
        });
        let mut worker = Worker::new(backend.clone(), Lane::Interactive);
        worker.backoff_base = Duration::from_millis(1);
        worker.register("flaky", handler.clone());
        worker.register("hopeless", hopeless.clone());
        let mut doomed = job(Lane::Interactive, "hopeless", "{}".into());
        doomed.max_attempts = 3;
        backend
            .enqueue(vec![
                job(Lane::Interactive, "flaky", "{}".into()),
                doomed,
                job(Lane::Interactive, "unknown-kind", "{}".into()),
            ])
            .await
            .unwrap();
        backend
            .enqueue(vec![job(Lane::Bulk, "flaky", "{}".into())])
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            worker.run_once().await.unwrap();
            let counts = backend.job_counts().await.unwrap();
            let of = |lane: Lane, state: JobState| {
                counts
                    .iter()
                    .find(|c| c.lane == lane && c.state == state)
                    .map_or(0, |c| c.count)
            };
            if of(Lane::Interactive, JobState::Done) == 1
                && of(Lane::Interactive, JobState::Dead) == 2
            {
                assert_eq!(
                    of(Lane::Bulk, JobState::Queued),
                    1,
                    "{}: the bulk lane is not touched by an interactive worker",
                    w.name
                );
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{}: jobs did not settle: {counts:?}",
                w.name
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(
            handler.calls.load(Ordering::SeqCst),
            3,
            "{}: two failures, then success",
            w.name
        );
        assert_eq!(
            hopeless.calls.load(Ordering::SeqCst),
            3,
            "{}: stops at max_attempts",
            w.name
        );
        let dead = backend.job(2).await.unwrap().expect("job 2");
        assert_eq!(dead.state, JobState::Dead);
        assert!(
            dead.last_error
                .unwrap_or_default()
                .contains("attempt 3 failed"),
            "{}",
            w.name
        );
        let unknown = backend.job(3).await.unwrap().expect("job 3");
        assert!(
            unknown
                .last_error
                .unwrap_or_default()
                .contains("no handler"),
            "{}",
            w.name
        );
    }
}

#[tokio::test]
async fn concurrent_claimers_never_share_a_job() {
    for w in worlds().await {
        let backend = w.backend.clone();
        backend.migrate().await.unwrap();
        backend
            .enqueue((0..60).map(|_| job(Lane::Bulk, "x", "{}".into())).collect())
            .await
            .unwrap();
        let now = cartella_core::Timestamp::now().micros();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let b = backend.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = b
                        .claim_jobs(Lane::Bulk, 5, now + 1_000, 60_000_000)
                        .await
                        .unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort_unstable();
        let before = all.len();
        all.dedup();
        assert_eq!(
            (before, all.len()),
            (60, 60),
            "{}: every job claimed exactly once",
            w.name
        );
    }
}

#[tokio::test]
async fn a_job_is_claimed_once_due_and_again_once_its_lease_ran_out() {
    for w in worlds().await {
        let backend = w.backend.clone();
        backend.migrate().await.unwrap();
        let now = cartella_core::Timestamp::now().micros();
        let mut later = job(Lane::Interactive, "x", "{}".into());
        later.run_at = now + 60_000_000;
        backend.enqueue(vec![later]).await.unwrap();
        let claim = |at: i64| backend.claim_jobs(Lane::Interactive, 5, at, 1_000_000);
        assert!(
            claim(now).await.unwrap().is_empty(),
            "{}: not due yet",
            w.name
        );
        let first = claim(now + 60_000_000).await.unwrap();
        assert_eq!(first.len(), 1, "{}: due", w.name);
        assert_eq!(first[0].attempts, 1, "{}", w.name);
        assert!(
            claim(now + 60_500_000).await.unwrap().is_empty(),
            "{}: leased",
            w.name
        );
        let again = claim(now + 61_500_000).await.unwrap();
        assert_eq!(
            (again.len(), again[0].id, again[0].attempts),
            (1, first[0].id, 2),
            "{}: claimed again after the lease",
            w.name
        );
    }
}
