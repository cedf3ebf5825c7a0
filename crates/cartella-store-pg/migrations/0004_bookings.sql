-- Scheduling: the time each Appointment holds per actor (practitioner, room, device, patient …),
-- written in the same transaction as the Appointment version. The exclusion constraint makes a
-- double booking impossible whatever the number of nodes and concurrent transactions: the
-- second of two overlapping inserts waits for the first to commit, then fails (23P01).
-- btree_gist lets plain equality on text share one GiST index with the range overlap; it is a
-- trusted extension (PostgreSQL 13+), so a database owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE bookings (
    tenant_id      TEXT COLLATE "C" NOT NULL,
    appointment_id TEXT COLLATE "C" NOT NULL,
    actor          TEXT COLLATE "C" NOT NULL,
    start_us       BIGINT NOT NULL,
    end_us         BIGINT NOT NULL,
    CHECK (end_us > start_us),
    PRIMARY KEY (tenant_id, appointment_id, actor),
    CONSTRAINT bookings_no_double_booking EXCLUDE USING gist (
        tenant_id WITH =,
        actor WITH =,
        int8range(start_us, end_us) WITH &&
    )
);
