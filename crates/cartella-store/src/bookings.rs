//! The `bookings` constraint rows: one per actor an Appointment holds, written by the backend
//! in the same transaction as the Appointment version, so the database itself keeps any actor
//! from being double-booked (an exclusion constraint on PostgreSQL, a check on the single
//! writer thread on SQLite). Every Appointment write path (create, update, delete, transaction
//! bundles, import) goes through [`crate::Store::prepare`] / tombstone, which fill them in.

use crate::error::{Result, StoreError};
use cartella_core::Timestamp;
use cartella_core::scheduling::held_times;
use serde_json::Value;

/// A span of time one actor is held for, `[start, end)` in µs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRow {
    /// `Practitioner/abc`, `Location/theatre-1`, `Patient/p1`, …
    pub actor: String,
    pub start: i64,
    pub end: i64,
}

/// A committed booking as read back from the table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Booking {
    pub appointment_id: String,
    pub actor: String,
    pub start: i64,
    pub end: i64,
}

/// A write that would double-book: `appointment_id` (being written) holds `actor` over time
/// that `existing` already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingClash {
    pub appointment_id: String,
    pub existing: Booking,
}

impl std::fmt::Display for BookingClash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is already booked by Appointment/{} from {} to {}",
            self.existing.actor,
            self.existing.appointment_id,
            Timestamp::from_micros(self.existing.start),
            Timestamp::from_micros(self.existing.end)
        )
    }
}

/// The rows an Appointment version holds (empty when its status releases its time).
pub fn rows_for(resource: &Value) -> Result<Vec<BookingRow>> {
    let held = held_times(resource).map_err(|e| StoreError::InvalidResource(e.to_string()))?;
    Ok(held
        .into_iter()
        .map(|h| BookingRow {
            actor: h.actor,
            start: h.span.start,
            end: h.span.end,
        })
        .collect())
}

/// The message of a [`StoreError::BookingConflict`]: every clash, in order.
pub fn describe(clashes: &[BookingClash]) -> String {
    let list: Vec<String> = clashes.iter().map(ToString::to_string).collect();
    format!(
        "double booking refused ({} conflict{}): {}",
        clashes.len(),
        if clashes.len() == 1 { "" } else { "s" },
        list.join("; ")
    )
}

impl crate::Store {
    /// Bookings of `actors` overlapping `[from, to)` (for availability and slot search). Needs
    /// read access to every Appointment: the rows name patients, so a compartment-limited
    /// caller (a patient) is refused.
    pub async fn bookings(
        &self,
        ctx: &crate::AccessContext,
        actors: &[String],
        from: i64,
        to: i64,
    ) -> Result<Vec<Booking>> {
        use cartella_core::access::{Action, Decision};
        match ctx.principal.decide("Appointment", Action::Read) {
            Decision::Allow => {}
            Decision::Compartment(_) => {
                return Err(StoreError::Forbidden(
                    "the booking calendar needs access to every appointment".into(),
                ));
            }
            // Denied: let the usual path refuse it and audit the refusal.
            Decision::Deny => {
                self.authorize(ctx, Action::Read, "Appointment", None)
                    .await?;
            }
        }
        if actors.is_empty() || to <= from {
            return Ok(Vec::new());
        }
        self.backend().bookings(&ctx.tenant, actors, from, to).await
    }
}
