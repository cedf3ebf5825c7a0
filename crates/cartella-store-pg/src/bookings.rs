//! The `bookings` rows of an Appointment write, inside the batch's transaction. The exclusion
//! constraint `bookings_no_double_booking` decides: an overlapping insert fails with 23P01
//! (after waiting for a concurrent transaction holding the same time to finish). The
//! constraint names one clash only, so after the rollback the clashes are listed by a query.

use crate::PgBackend;
use crate::rows;
use cartella_core::TenantId;
use cartella_store::{Booking, BookingClash, BookingRow, StoreError, WriteOp};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::error::SqlState;

type Result<T> = std::result::Result<T, StoreError>;

const DELETE: &str = "DELETE FROM bookings WHERE tenant_id = $1 AND appointment_id = $2";
const INSERT: &str = "INSERT INTO bookings (tenant_id, appointment_id, actor, start_us, end_us) \
     SELECT $1, $2, a, s, e FROM unnest($3::text[], $4::int8[], $5::int8[]) AS t(a, s, e)";
const OVERLAPS: &str = "SELECT appointment_id, actor, start_us, end_us FROM bookings \
     WHERE tenant_id = $1 AND actor = ANY($2) AND int8range(start_us, end_us) && int8range($3, $4) \
     ORDER BY start_us, actor";

/// What the insert found.
pub(crate) enum Outcome {
    Stored,
    /// The exclusion constraint refused a row: the transaction is aborted.
    DoubleBooked,
}

/// Drop the bookings of `op`. A batch clears every appointment it writes before inserting
/// any, so moving several appointments around each other in one batch works.
pub(crate) async fn clear(tx: &Transaction<'_>, op: &WriteOp) -> Result<()> {
    let delete = tx.prepare_cached(DELETE).await.map_err(crate::db)?;
    tx.execute(&delete, &[&op.tenant.as_str(), &op.id])
        .await
        .map_err(crate::db)?;
    Ok(())
}

/// Insert the rows of `op` (an Appointment).
pub(crate) async fn insert(
    tx: &Transaction<'_>,
    op: &WriteOp,
    rows: &[BookingRow],
) -> Result<Outcome> {
    let tenant = op.tenant.as_str();
    if rows.is_empty() {
        return Ok(Outcome::Stored);
    }
    let actors: Vec<&str> = rows.iter().map(|r| r.actor.as_str()).collect();
    let starts: Vec<i64> = rows.iter().map(|r| r.start).collect();
    let ends: Vec<i64> = rows.iter().map(|r| r.end).collect();
    let insert = tx.prepare_cached(INSERT).await.map_err(crate::db)?;
    match tx
        .execute(&insert, &[&tenant, &op.id, &actors, &starts, &ends])
        .await
    {
        Ok(_) => Ok(Outcome::Stored),
        Err(e) if e.code() == Some(&SqlState::EXCLUSION_VIOLATION) => Ok(Outcome::DoubleBooked),
        Err(e) => Err(crate::db(e)),
    }
}

/// Every clash of the batch's Appointment rows, with committed bookings (read after the
/// failed transaction rolled back) and with each other. Empty when the colliding booking is
/// gone already: the caller then reports contention, and the store retries the write.
pub(crate) async fn clashes(backend: &PgBackend, ops: &[WriteOp]) -> Result<Vec<BookingClash>> {
    let client = backend.conn().await?;
    let ours: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let Some(rows) = &op.bookings else { continue };
        for row in rows {
            let found = list(
                &client,
                &op.tenant,
                std::slice::from_ref(&row.actor),
                row.start,
                row.end,
            )
            .await?;
            out.extend(
                found
                    .into_iter()
                    .filter(|b| !ours.contains(&b.appointment_id.as_str()))
                    .map(|existing| BookingClash {
                        appointment_id: op.id.clone(),
                        existing,
                    }),
            );
            // Earlier ops of the same batch that hold the same actor over the same time.
            for earlier in &ops[..i] {
                for r in earlier.bookings.iter().flatten() {
                    if r.actor == row.actor && r.start < row.end && row.start < r.end {
                        out.push(BookingClash {
                            appointment_id: op.id.clone(),
                            existing: Booking {
                                appointment_id: earlier.id.clone(),
                                actor: r.actor.clone(),
                                start: r.start,
                                end: r.end,
                            },
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Bookings of `actors` overlapping `[from, to)`, ascending by start.
pub(crate) async fn list(
    client: &impl GenericClient,
    tenant: &TenantId,
    actors: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<Booking>> {
    let stmt = client.prepare_cached(OVERLAPS).await.map_err(crate::db)?;
    let found = client
        .query(&stmt, &[&tenant.as_str(), &actors, &from, &to])
        .await
        .map_err(crate::db)?;
    found
        .iter()
        .map(|r| {
            Ok(Booking {
                appointment_id: rows::col(r, 0)?,
                actor: rows::col(r, 1)?,
                start: rows::col(r, 2)?,
                end: rows::col(r, 3)?,
            })
        })
        .collect()
}

/// Erasure: the patient's own rows name them, so they go (the appointments stay sealed).
pub(crate) async fn erase_patient(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    patient_id: &str,
) -> Result<()> {
    tx.execute(
        "DELETE FROM bookings WHERE tenant_id = $1 AND actor = $2",
        &[&tenant.as_str(), &format!("Patient/{patient_id}")],
    )
    .await
    .map_err(crate::db)?;
    Ok(())
}
