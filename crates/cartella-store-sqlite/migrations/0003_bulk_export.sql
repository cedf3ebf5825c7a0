-- Bulk Data exports: state, and the NDJSON files sealed with the tenant key.
CREATE TABLE exports (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    actor TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    transaction_time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX exports_expiry ON exports (expires_at);

CREATE TABLE export_files (
    tenant_id TEXT NOT NULL,
    export_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    type TEXT NOT NULL,
    count INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (tenant_id, export_id, n)
) STRICT;
