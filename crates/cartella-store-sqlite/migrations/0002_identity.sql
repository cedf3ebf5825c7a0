-- Identity and access (SQLite). Never edit once landed: add a new migration instead.

ALTER TABLE tenants ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT,
    language             TEXT,
    totp_secret          BLOB,
    totp_enabled         INTEGER NOT NULL DEFAULT 0,
    totp_last_step       INTEGER,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER,
    disabled_at          INTEGER,
    sessions_valid_after INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX users_updated ON users (updated_at);

CREATE TABLE memberships (
    user_id    TEXT NOT NULL REFERENCES users(id),
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    roles      TEXT NOT NULL,
    patient_id TEXT,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
) STRICT;
CREATE INDEX memberships_tenant ON memberships (tenant_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    tenant_id  TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    mfa_done   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    client_ip  TEXT,
    user_agent TEXT,
    revoked_at INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
    token_hash BLOB PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT,
    tenant_id  TEXT,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE api_clients (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    secret_hash   TEXT,
    scopes        TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    rate_limit    INTEGER,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER
) STRICT;
CREATE INDEX api_clients_tenant ON api_clients (tenant_id);

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    family     TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT,
    tenant_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    patient_id TEXT,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

CREATE TABLE shares (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    patient_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX shares_user ON shares (tenant_id, user_id);
