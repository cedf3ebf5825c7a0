//! The job queue and outbox. Claiming uses `FOR UPDATE SKIP LOCKED`, so several workers (on one
//! node or many) never claim the same job and never wait on each other's claims.

use crate::PgBackend;
use crate::rows::{self, JOB_COLUMNS};
use cartella_store::{JobCount, JobRecord, JobState, Lane, NewJob, StoreError};
use deadpool_postgres::GenericClient;

type Result<T> = std::result::Result<T, StoreError>;

/// One multi-row insert; a job whose `dedupe_key` is already queued (or was, ever) is skipped.
const INSERT_JOBS: &str = "INSERT INTO jobs (tenant_id, lane, kind, payload, run_at, \
     max_attempts, dedupe_key, created_at) \
     SELECT t, l, k, p, r, m, d, $8 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
     $5::bigint[], $6::int[], $7::text[]) AS j(t, l, k, p, r, m, d) \
     ON CONFLICT (dedupe_key) DO NOTHING";

/// Inserts jobs through a client or inside the caller's transaction (the outbox of a write).
pub(crate) async fn insert_jobs(client: &impl GenericClient, jobs: &[NewJob]) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let tenant: Vec<Option<&str>> = jobs
        .iter()
        .map(|j| j.tenant.as_ref().map(|t| t.as_str()))
        .collect();
    let lane: Vec<&str> = jobs.iter().map(|j| j.lane.as_str()).collect();
    let kind: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
    let payload: Vec<&str> = jobs.iter().map(|j| j.payload.as_str()).collect();
    let run_at: Vec<i64> = jobs.iter().map(|j| j.run_at).collect();
    let max_attempts: Vec<i32> = jobs.iter().map(|j| j.max_attempts).collect();
    let dedupe: Vec<Option<&str>> = jobs.iter().map(|j| j.dedupe_key.as_deref()).collect();
    let now = cartella_core::Timestamp::now().micros();
    let stmt = client
        .prepare_cached(INSERT_JOBS)
        .await
        .map_err(crate::db)?;
    client
        .execute(
            &stmt,
            &[
                &tenant,
                &lane,
                &kind,
                &payload,
                &run_at,
                &max_attempts,
                &dedupe,
                &now,
            ],
        )
        .await
        .map_err(crate::db)?;
    Ok(())
}

impl PgBackend {
    pub(crate) async fn enqueue_db(&self, jobs: Vec<NewJob>) -> Result<()> {
        let client = self.conn().await?;
        insert_jobs(&client, &jobs).await
    }

    pub(crate) async fn claim_jobs_db(
        &self,
        lane: Lane,
        limit: usize,
        now: i64,
        lease_us: i64,
    ) -> Result<Vec<JobRecord>> {
        let client = self.conn().await?;
        // A lapsed lease (`running` with `locked_until < now`) means the worker died: the job is
        // claimable again, and its attempt counts.
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2 + $3 \
             WHERE id IN (SELECT id FROM jobs WHERE lane = $1 \
                 AND ((state = 'queued' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)) \
                 ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING {JOB_COLUMNS}"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let found = client
            .query(
                &stmt,
                &[&lane.as_str(), &now, &lease_us, &rows::limit(limit)],
            )
            .await
            .map_err(crate::db)?;
        let mut jobs = found.iter().map(rows::job).collect::<Result<Vec<_>>>()?;
        // RETURNING has no order of its own; hand jobs out in the order they were due.
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    pub(crate) async fn complete_job_db(&self, id: i64) -> Result<()> {
        let client = self.conn().await?;
        client
            .execute(
                "UPDATE jobs SET state = 'done', locked_until = NULL WHERE id = $1",
                &[&id],
            )
            .await
            .map_err(crate::db)?;
        Ok(())
    }

    pub(crate) async fn fail_job_db(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<()> {
        let client = self.conn().await?;
        match retry_at {
            Some(at) => {
                client
                    .execute(
                        "UPDATE jobs SET state = 'queued', run_at = $2, last_error = $3, \
                         locked_until = NULL WHERE id = $1",
                        &[&id, &at, &error],
                    )
                    .await
            }
            None => {
                client
                    .execute(
                        "UPDATE jobs SET state = 'dead', last_error = $2, locked_until = NULL \
                         WHERE id = $1",
                        &[&id, &error],
                    )
                    .await
            }
        }
        .map_err(crate::db)?;
        Ok(())
    }

    pub(crate) async fn job_db(&self, id: i64) -> Result<Option<JobRecord>> {
        let client = self.conn().await?;
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row = client.query_opt(&sql, &[&id]).await.map_err(crate::db)?;
        row.as_ref().map(rows::job).transpose()
    }

    pub(crate) async fn job_counts_db(&self) -> Result<Vec<JobCount>> {
        let client = self.conn().await?;
        let found = client
            .query(
                "SELECT lane, state, count(*) FROM jobs GROUP BY lane, state ORDER BY lane, state",
                &[],
            )
            .await
            .map_err(crate::db)?;
        found
            .iter()
            .map(|r| {
                let lane: &str = rows::col(r, 0)?;
                let state: &str = rows::col(r, 1)?;
                Ok(JobCount {
                    lane: Lane::parse(lane).ok_or_else(|| {
                        StoreError::Internal(format!("unknown job lane {lane:?}"))
                    })?,
                    state: JobState::parse(state).ok_or_else(|| {
                        StoreError::Internal(format!("unknown job state {state:?}"))
                    })?,
                    count: rows::col(r, 2)?,
                })
            })
            .collect()
    }
}
