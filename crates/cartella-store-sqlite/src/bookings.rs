//! The `bookings` rows of an Appointment write, on the writer thread inside the batch's
//! transaction. SQLite has no exclusion constraint; the single writer serialises every write,
//! so "look for overlaps, then insert" cannot race with another booking.

use crate::map_err;
use cartella_store::{Booking, BookingClash, BookingRow, StoreError};
use rusqlite::{Connection, params};

type Result<T> = std::result::Result<T, StoreError>;

const OVERLAPS: &str = "SELECT appointment_id, actor, start_us, end_us FROM bookings \
     WHERE tenant_id = ?1 AND actor = ?2 AND end_us > ?3 AND start_us < ?4 AND appointment_id <> ?5 \
     ORDER BY start_us";

/// Drop the bookings of `appointment_id`. A batch clears every appointment it writes before
/// inserting any, so moving several appointments around each other in one batch works.
pub fn clear(conn: &Connection, tenant: &str, appointment_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM bookings WHERE tenant_id = ?1 AND appointment_id = ?2")
        .and_then(|mut s| s.execute(params![tenant, appointment_id]))
        .map_err(map_err)?;
    Ok(())
}

/// Insert the rows of `appointment_id`; clashes are added to `clashes` (the caller fails the
/// batch once every op was checked, so all of them are reported).
pub fn insert(
    conn: &Connection,
    tenant: &str,
    appointment_id: &str,
    rows: &[BookingRow],
    clashes: &mut Vec<BookingClash>,
) -> Result<()> {
    for row in rows {
        let found = conn
            .prepare_cached(OVERLAPS)
            .and_then(|mut s| {
                s.query_map(
                    params![tenant, row.actor, row.start, row.end, appointment_id],
                    booking,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(map_err)?;
        clashes.extend(found.into_iter().map(|existing| BookingClash {
            appointment_id: appointment_id.to_owned(),
            existing,
        }));
        conn.prepare_cached(
            "INSERT INTO bookings (tenant_id, appointment_id, actor, start_us, end_us) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![tenant, appointment_id, row.actor, row.start, row.end]))
        .map_err(map_err)?;
    }
    Ok(())
}

/// Bookings of `actors` overlapping `[from, to)`, ascending by start.
pub fn list(
    conn: &Connection,
    tenant: &str,
    actors: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<Booking>> {
    let mut out = Vec::new();
    for actor in actors {
        let rows = conn
            .prepare_cached(OVERLAPS)
            .and_then(|mut s| {
                s.query_map(params![tenant, actor, from, to, ""], booking)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(map_err)?;
        out.extend(rows);
    }
    out.sort_by_key(|b| (b.start, b.end));
    Ok(out)
}

/// Erasure: the patient's own rows name them, so they go (the appointments stay sealed).
pub fn erase_patient(conn: &Connection, tenant: &str, patient_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM bookings WHERE tenant_id = ?1 AND actor = ?2")
        .and_then(|mut s| s.execute(params![tenant, format!("Patient/{patient_id}")]))
        .map_err(map_err)?;
    Ok(())
}

fn booking(r: &rusqlite::Row<'_>) -> rusqlite::Result<Booking> {
    Ok(Booking {
        appointment_id: r.get(0)?,
        actor: r.get(1)?,
        start: r.get(2)?,
        end: r.get(3)?,
    })
}
