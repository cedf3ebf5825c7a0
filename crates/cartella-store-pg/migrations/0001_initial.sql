-- Cartella schema v1 (PostgreSQL). Never edit once landed: add a new migration instead.
-- Same logical schema as the SQLite backend's 0001_initial.sql. Timestamps are BIGINT
-- microseconds since the epoch. Text that is searched by range or used as an index key is
-- COLLATE "C" so comparisons are bytewise (prefix ranges match SQLite) and do not depend on the
-- database's locale.

CREATE TABLE cartella_meta (
    key   TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Data keys: tenant keys are wrapped by the master key, patient keys by their tenant key.
-- Erasure sets wrapped = NULL and destroyed_at (crypto-shredding).
CREATE TABLE data_keys (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    key_id          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('tenant', 'patient')),
    patient_id      TEXT,
    wrapped         BYTEA,
    wrapping_key_id TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    destroyed_at    BIGINT,
    PRIMARY KEY (tenant_id, key_id)
);
CREATE UNIQUE INDEX data_keys_patient ON data_keys (tenant_id, patient_id) WHERE kind = 'patient';

-- Current version of every resource; content is AEAD ciphertext.
CREATE TABLE resources (
    row_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    TEXT COLLATE "C" NOT NULL,
    type         TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    key_id       TEXT NOT NULL,
    patient_id   TEXT COLLATE "C",
    content      BYTEA NOT NULL,
    UNIQUE (tenant_id, type, id)
);
CREATE INDEX resources_paging ON resources (tenant_id, type, last_updated, row_id);
CREATE INDEX resources_patient ON resources (tenant_id, patient_id);

-- Every version, append-only.
CREATE TABLE resource_history (
    hist_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    TEXT COLLATE "C" NOT NULL,
    type         TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    last_updated BIGINT NOT NULL,
    deleted      BOOLEAN NOT NULL DEFAULT FALSE,
    key_id       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    UNIQUE (tenant_id, type, id, version)
);
CREATE INDEX resource_history_tenant ON resource_history (tenant_id, hist_id);
CREATE INDEX resource_history_type ON resource_history (tenant_id, type, hist_id);

-- Narrow search tables, one per kind of value, keyed by the resource row.
CREATE TABLE idx_token (
    res_row   BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id TEXT COLLATE "C" NOT NULL,
    type      TEXT COLLATE "C" NOT NULL,
    param     TEXT COLLATE "C" NOT NULL,
    system    TEXT COLLATE "C" NOT NULL,
    code      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_token_lookup ON idx_token (tenant_id, type, param, code, system);
CREATE INDEX idx_token_row ON idx_token (res_row);

CREATE TABLE idx_string (
    res_row   BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id TEXT COLLATE "C" NOT NULL,
    type      TEXT COLLATE "C" NOT NULL,
    param     TEXT COLLATE "C" NOT NULL,
    value     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_string_lookup ON idx_string (tenant_id, type, param, value);
CREATE INDEX idx_string_row ON idx_string (res_row);

CREATE TABLE idx_blind (
    res_row   BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id TEXT COLLATE "C" NOT NULL,
    type      TEXT COLLATE "C" NOT NULL,
    param     TEXT COLLATE "C" NOT NULL,
    token     BYTEA NOT NULL
);
CREATE INDEX idx_blind_lookup ON idx_blind (tenant_id, type, param, token);
CREATE INDEX idx_blind_row ON idx_blind (res_row);

CREATE TABLE idx_date (
    res_row   BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id TEXT COLLATE "C" NOT NULL,
    type      TEXT COLLATE "C" NOT NULL,
    param     TEXT COLLATE "C" NOT NULL,
    lo        BIGINT NOT NULL,
    hi        BIGINT NOT NULL
);
CREATE INDEX idx_date_lookup ON idx_date (tenant_id, type, param, lo, hi);
CREATE INDEX idx_date_row ON idx_date (res_row);

CREATE TABLE idx_ref (
    res_row     BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id   TEXT COLLATE "C" NOT NULL,
    type        TEXT COLLATE "C" NOT NULL,
    param       TEXT COLLATE "C" NOT NULL,
    target_type TEXT COLLATE "C" NOT NULL,
    target_id   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_ref_lookup ON idx_ref (tenant_id, type, param, target_id, target_type);
CREATE INDEX idx_ref_row ON idx_ref (res_row);

CREATE TABLE idx_quantity (
    res_row   BIGINT NOT NULL REFERENCES resources(row_id),
    tenant_id TEXT COLLATE "C" NOT NULL,
    type      TEXT COLLATE "C" NOT NULL,
    param     TEXT COLLATE "C" NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    system    TEXT COLLATE "C" NOT NULL,
    code      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX idx_quantity_lookup ON idx_quantity (tenant_id, type, param, value);
CREATE INDEX idx_quantity_row ON idx_quantity (res_row);

-- Audit trail: hash-chained per tenant by seq. The application never updates or deletes it.
CREATE TABLE audit_events (
    tenant_id     TEXT COLLATE "C" NOT NULL,
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT,
    resource_id   TEXT,
    version       BIGINT,
    patient_id    TEXT COLLATE "C",
    purpose       TEXT,
    outcome       TEXT NOT NULL,
    client_ip     TEXT,
    user_agent    TEXT,
    details       TEXT,
    hash          BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_patient ON audit_events (tenant_id, patient_id, at);

-- Enforced in the database, not only by convention: an UPDATE, DELETE or TRUNCATE fails even
-- when issued by hand (a superuser can still drop the trigger; the hash chain then finds it).
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The end of each tenant's chain (PostgreSQL only). Appenders lock this row, so concurrent
-- transactions take consecutive seqs and chain onto each other's hashes without gaps or forks.
CREATE TABLE audit_heads (
    tenant_id TEXT COLLATE "C" PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      BYTEA NOT NULL
);

-- Jobs and outbox: one queue, lanes keep bulk work from delaying interactive work.
CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    TEXT,
    lane         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT,
    last_error   TEXT,
    dedupe_key   TEXT UNIQUE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (lane, state, run_at);
