-- audit_events_patient served no query: the audit view walks a tenant's chain newest first by
-- its primary key, and SQLite chose that key for a patient filter too (at 587k events, a
-- patient with no events is answered by a scan of the key in 80 ms). Every audit row still
-- paid a random leaf of it: without it, imports at 500k resources gained 15-20 %.
DROP INDEX IF EXISTS audit_events_patient;
