//! The job queue on SQLite. Claims run on the writer thread, which serialises them, so two
//! workers can never claim the same job.

use crate::map_err;
use crate::rows::{JOB_COLUMNS, job};
use cartella_store::{JobCount, JobRecord, JobState, Lane, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, StoreError>;

/// Whether `claim` would find anything: a job of the lane due, or one whose lease ran out.
pub fn any_due(conn: &Connection, lane: Lane, now: i64) -> Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE lane = ?1
                        AND ((state = 'queued' AND run_at <= ?2) OR (state = 'running' AND locked_until < ?2)))",
    )
    .and_then(|mut s| s.query_row(params![lane.as_str(), now], |r| r.get(0)))
    .map_err(map_err)
}

pub fn claim(
    conn: &Connection,
    lane: Lane,
    limit: usize,
    now: i64,
    lease_us: i64,
) -> Result<Vec<JobRecord>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?3 + ?4
             WHERE id IN (SELECT id FROM jobs WHERE lane = ?1
                          AND ((state = 'queued' AND run_at <= ?3) OR (state = 'running' AND locked_until < ?3))
                          ORDER BY run_at, id LIMIT ?2)
             RETURNING {JOB_COLUMNS}"
        ))
        .map_err(map_err)?;
    let rows = stmt
        .query_map(params![lane.as_str(), limit as i64, now, lease_us], job)
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

pub fn complete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET state = 'done', locked_until = NULL WHERE id = ?1",
        [id],
    )
    .map_err(map_err)
    .map(drop)
}

pub fn fail(conn: &Connection, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
    let error: String = error.chars().take(2_000).collect();
    match retry_at {
        Some(at) => conn.execute(
            "UPDATE jobs SET state = 'queued', run_at = ?2, last_error = ?3, locked_until = NULL WHERE id = ?1",
            params![id, at, error],
        ),
        None => conn.execute(
            "UPDATE jobs SET state = 'dead', last_error = ?2, locked_until = NULL WHERE id = ?1",
            params![id, error],
        ),
    }
    .map_err(map_err)
    .map(drop)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<JobRecord>> {
    conn.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
        [id],
        job,
    )
    .optional()
    .map_err(map_err)
}

pub fn counts(conn: &Connection) -> Result<Vec<JobCount>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT lane, state, count(*) FROM jobs GROUP BY lane, state ORDER BY lane, state",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(map_err)?;
    let mut out = Vec::new();
    for row in rows {
        let (lane, state, count) = row.map_err(map_err)?;
        if let (Some(lane), Some(state)) = (Lane::parse(&lane), JobState::parse(&state)) {
            out.push(JobCount { lane, state, count });
        }
    }
    Ok(out)
}
