-- Scheduling: the time each Appointment holds per actor (practitioner, room, device, patient …),
-- written in the same transaction as the Appointment version. The single writer thread checks
-- for overlaps before inserting, so no two rows of one actor ever overlap. Times are µs.
CREATE TABLE bookings (
    tenant_id      TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    actor          TEXT NOT NULL,
    start_us       INTEGER NOT NULL,
    end_us         INTEGER NOT NULL,
    CHECK (end_us > start_us),
    PRIMARY KEY (tenant_id, appointment_id, actor)
) STRICT, WITHOUT ROWID;
-- Overlap probe: bookings of an actor ending after a time (past bookings are never scanned).
CREATE INDEX bookings_actor_end ON bookings (tenant_id, actor, end_us, start_us);
