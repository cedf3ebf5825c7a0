//! Planner statistics kept fresh by Cartella itself. Search plans depend on them (which index
//! clause drives a query): on a database whose statistics are stale — autovacuum off, or a bulk
//! import minutes ago — a patient's Observations by code could cost a scan of every Observation.
//! After enough rows changed, the search tables are analysed in the background.

use deadpool_postgres::Pool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows written since the last analysis that trigger the next one (and at least this fraction
/// of the rows the last analysis saw).
const MIN_CHANGES: u64 = 2_000;
const FRACTION: f64 = 0.2;

const TABLES: &str =
    "resources, idx_token, idx_string, idx_blind, idx_date, idx_ref, idx_quantity, bookings";

#[derive(Debug, Default)]
pub(crate) struct Freshness {
    changed: AtomicU64,
    rows_at_last: AtomicU64,
    running: AtomicBool,
}

impl Freshness {
    /// Count `rows` written; start an analysis when enough changed since the last one.
    pub(crate) fn written(self: &Arc<Self>, pool: &Pool, rows: u64) {
        let changed = self.changed.fetch_add(rows, Ordering::Relaxed) + rows;
        let threshold =
            MIN_CHANGES.max((self.rows_at_last.load(Ordering::Relaxed) as f64 * FRACTION) as u64);
        if changed < threshold || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.changed.store(0, Ordering::Relaxed);
        let (me, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            match analyse(&pool).await {
                Ok(rows) => me.rows_at_last.store(rows, Ordering::Relaxed),
                Err(e) => tracing::warn!(error = %e, "ANALYZE of the search tables failed"),
            }
            me.running.store(false, Ordering::Release);
        });
    }
}

async fn analyse(pool: &Pool) -> Result<u64, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    client
        .batch_execute(&format!("ANALYZE {TABLES}"))
        .await
        .map_err(|e| e.to_string())?;
    let row = client
        .query_one(
            "SELECT COALESCE(reltuples, 0)::bigint FROM pg_class WHERE relname = 'resources'",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.get::<_, i64>(0).max(0) as u64)
}
