//! The job queue: dedupe, concurrent claims, leases, retries and dead jobs.

use crate::support::*;
use cartella_store::*;
use std::collections::HashSet;

fn job(kind: &str, run_at: i64, dedupe: Option<&str>) -> NewJob {
    NewJob {
        tenant: None,
        lane: Lane::Bulk,
        kind: kind.into(),
        payload: "{}".into(),
        run_at,
        max_attempts: 3,
        dedupe_key: dedupe.map(Into::into),
    }
}

#[tokio::test]
async fn concurrent_claims_never_share_a_job() {
    let Some((db, _)) = backend().await else {
        return;
    };
    db.enqueue((0..40).map(|n| job("reindex", n, None)).collect())
        .await
        .unwrap();
    db.enqueue(vec![job("late", 1_000_000, None)])
        .await
        .unwrap();
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = db
                        .claim_jobs(Lane::Bulk, 3, 1_000, 60_000_000)
                        .await
                        .unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(
        (all.len(), unique.len()),
        (40, 40),
        "every due job claimed exactly once"
    );
    assert!(
        db.claim_jobs(Lane::Interactive, 10, 1_000, 1)
            .await
            .unwrap()
            .is_empty(),
        "lanes are separate"
    );
    let counts = db.job_counts().await.unwrap();
    assert!(counts.contains(&JobCount {
        lane: Lane::Bulk,
        state: JobState::Running,
        count: 40
    }));
    assert!(counts.contains(&JobCount {
        lane: Lane::Bulk,
        state: JobState::Queued,
        count: 1
    }));
}

#[tokio::test]
async fn fail_retry_dead_complete_and_lease_expiry() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    let mut first = job("notify", 10, Some("notify-1"));
    first.tenant = Some(t.clone());
    first.lane = Lane::Interactive;
    // The same dedupe key twice (in one call and in a write's outbox) enqueues one job.
    db.enqueue(vec![first.clone(), first.clone()])
        .await
        .unwrap();
    let mut b = batch(vec![op(&t, "Patient", "p1", 1, 1)]);
    b.jobs = vec![first.clone(), job("other", 10, None)];
    db.write(b).await.unwrap();

    let claimed = db.claim_jobs(Lane::Interactive, 10, 100, 50).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let j = &claimed[0];
    assert_eq!(
        (j.state, j.attempts, j.tenant.as_ref(), j.kind.as_str()),
        (JobState::Running, 1, Some(&t), "notify")
    );
    // Leased until 150: not claimable at 149, claimable again once the lease lapsed.
    assert!(
        db.claim_jobs(Lane::Interactive, 10, 149, 50)
            .await
            .unwrap()
            .is_empty()
    );
    let again = db.claim_jobs(Lane::Interactive, 10, 151, 50).await.unwrap();
    assert_eq!((again[0].id, again[0].attempts), (j.id, 2));

    db.fail_job(j.id, "smtp down", Some(1_000)).await.unwrap();
    let queued = db.job(j.id).await.unwrap().unwrap();
    assert_eq!(
        (queued.state, queued.run_at, queued.last_error.as_deref()),
        (JobState::Queued, 1_000, Some("smtp down"))
    );
    assert!(
        db.claim_jobs(Lane::Interactive, 10, 999, 50)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    assert_eq!(
        db.claim_jobs(Lane::Interactive, 10, 1_000, 50)
            .await
            .unwrap()[0]
            .attempts,
        3
    );
    db.fail_job(j.id, "still down", None).await.unwrap();
    let dead = db.job(j.id).await.unwrap().unwrap();
    assert_eq!(
        (dead.state, dead.last_error.as_deref()),
        (JobState::Dead, Some("still down"))
    );
    assert!(
        db.claim_jobs(Lane::Interactive, 10, i64::MAX / 2, 50)
            .await
            .unwrap()
            .is_empty()
    );

    let other = db.claim_jobs(Lane::Bulk, 10, 100, 50).await.unwrap();
    assert_eq!(other.len(), 1);
    db.complete_job(other[0].id).await.unwrap();
    assert_eq!(
        db.job(other[0].id).await.unwrap().unwrap().state,
        JobState::Done
    );
    assert!(db.job(987_654).await.unwrap().is_none());
}
