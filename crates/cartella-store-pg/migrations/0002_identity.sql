-- Identity and access (PostgreSQL). Never edit once landed: add a new migration instead.
-- Same logical schema as the SQLite backend's 0002_identity.sql: times are BIGINT microseconds,
-- hashes and sealed secrets BYTEA, flags BOOLEAN. Columns the backend sorts by (email,
-- shared patient ids) are COLLATE "C" so the order is bytewise, as in SQLite, whatever the
-- database's locale.

-- A constant default: PostgreSQL 11+ adds the column without rewriting the table.
ALTER TABLE tenants ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

-- Users are global (one login, possibly several practices). The email is stored lower-cased by
-- the caller; uniqueness is on the stored text.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT,
    language             TEXT,
    totp_secret          BYTEA,
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       BIGINT,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         BIGINT,
    disabled_at          BIGINT,
    sessions_valid_after BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
-- Each node polls for users changed since its last look (disable, log out everywhere).
CREATE INDEX users_updated ON users (updated_at);

CREATE TABLE memberships (
    user_id    TEXT NOT NULL REFERENCES users(id),
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    roles      TEXT NOT NULL,
    patient_id TEXT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX memberships_tenant ON memberships (tenant_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash BYTEA NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Keyed by the SHA-256 of the cookie; the cookie itself is never stored. No foreign key on
-- tenant_id, as in SQLite.
CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    tenant_id  TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    mfa_done   BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_ip  TEXT,
    user_agent TEXT,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
    token_hash BYTEA PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT,
    tenant_id  TEXT,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE api_clients (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    secret_hash   TEXT,
    scopes        TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    rate_limit    BIGINT,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);
CREATE INDEX api_clients_tenant ON api_clients (tenant_id);

CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    family     TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT,
    tenant_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    patient_id TEXT,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE shares (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    patient_id TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX shares_user ON shares (tenant_id, user_id);
