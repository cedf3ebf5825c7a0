-- Cartella schema v1 (SQLite). Never edit once landed: add a new migration instead.

CREATE TABLE cartella_meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Data keys: tenant keys are wrapped by the master key, patient keys by their tenant key.
-- Erasure sets wrapped = NULL and destroyed_at (crypto-shredding).
CREATE TABLE data_keys (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    key_id          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('tenant', 'patient')),
    patient_id      TEXT,
    wrapped         BLOB,
    wrapping_key_id TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    destroyed_at    INTEGER,
    PRIMARY KEY (tenant_id, key_id)
) STRICT;
CREATE UNIQUE INDEX data_keys_patient ON data_keys (tenant_id, patient_id) WHERE kind = 'patient';

-- Current version of every resource; content is AEAD ciphertext.
CREATE TABLE resources (
    row_id       INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    type         TEXT NOT NULL,
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    key_id       TEXT NOT NULL,
    patient_id   TEXT,
    content      BLOB NOT NULL,
    UNIQUE (tenant_id, type, id)
) STRICT;
CREATE INDEX resources_paging ON resources (tenant_id, type, last_updated, row_id);
CREATE INDEX resources_patient ON resources (tenant_id, patient_id);

-- Every version, append-only.
CREATE TABLE resource_history (
    hist_id      INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    type         TEXT NOT NULL,
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    key_id       TEXT NOT NULL,
    content      BLOB NOT NULL,
    UNIQUE (tenant_id, type, id, version)
) STRICT;
CREATE INDEX resource_history_tenant ON resource_history (tenant_id, hist_id);
CREATE INDEX resource_history_type ON resource_history (tenant_id, type, hist_id);

-- Narrow search tables, one per kind of value. WITHOUT ROWID with the lookup columns as the
-- primary key: one b-tree serves both storage and search; a second indexes res_row for deletes.
CREATE TABLE idx_token (
    res_row   INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    param     TEXT NOT NULL,
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, type, param, code, system, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_token_row ON idx_token (res_row);

CREATE TABLE idx_string (
    res_row   INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    param     TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, type, param, value, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_string_row ON idx_string (res_row);

CREATE TABLE idx_blind (
    res_row   INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    param     TEXT NOT NULL,
    token     BLOB NOT NULL,
    PRIMARY KEY (tenant_id, type, param, token, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_blind_row ON idx_blind (res_row);

CREATE TABLE idx_date (
    res_row   INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    param     TEXT NOT NULL,
    lo        INTEGER NOT NULL,
    hi        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, type, param, lo, hi, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_date_row ON idx_date (res_row);

CREATE TABLE idx_ref (
    res_row     INTEGER NOT NULL,
    tenant_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    param       TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, type, param, target_id, target_type, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_ref_row ON idx_ref (res_row);

CREATE TABLE idx_quantity (
    res_row   INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    param     TEXT NOT NULL,
    value     REAL NOT NULL,
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, type, param, value, system, code, res_row)
) STRICT, WITHOUT ROWID;
CREATE INDEX idx_quantity_row ON idx_quantity (res_row);

-- Audit trail: hash-chained per tenant by seq. The application never updates or deletes it.
CREATE TABLE audit_events (
    tenant_id     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT,
    resource_id   TEXT,
    version       INTEGER,
    patient_id    TEXT,
    purpose       TEXT,
    outcome       TEXT NOT NULL,
    client_ip     TEXT,
    user_agent    TEXT,
    details       TEXT,
    hash          BLOB NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_events_patient ON audit_events (tenant_id, patient_id, at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- Jobs and outbox: one queue, lanes keep bulk work from delaying interactive work.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    tenant_id    TEXT,
    lane         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    locked_until INTEGER,
    last_error   TEXT,
    dedupe_key   TEXT UNIQUE,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_due ON jobs (lane, state, run_at);
