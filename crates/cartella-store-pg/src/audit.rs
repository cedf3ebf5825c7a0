//! The audit trail: appending drafts to each tenant's hash chain, and reading it back.
//!
//! Each tenant's chain end lives in `audit_heads`. An appender locks that row, numbers its drafts
//! after it, chains their hashes and moves the head, all in the caller's transaction; a
//! concurrent appender for the same tenant waits on the row lock and then continues from the new
//! head, so seqs stay gapless and the chain never forks. Callers do this as the last step of
//! their transaction so the lock is held only until the commit.

use crate::PgBackend;
use crate::rows::{self, AUDIT_COLUMNS};
use cartella_core::TenantId;
use cartella_store::audit::{GENESIS, chain_hash};
use cartella_store::{AuditDraft, AuditFilter, AuditRow, StoreError};
use deadpool_postgres::Transaction;
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, StoreError>;

/// Creates the head if the tenant has none yet and locks it in the same statement. The no-op
/// `DO UPDATE` is what makes `RETURNING` yield (and lock) an existing row; it is equivalent to an
/// `INSERT .. ON CONFLICT DO NOTHING` followed by `SELECT .. FOR UPDATE`, in one round trip.
const LOCK_HEAD: &str = "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) \
     ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash";

const MOVE_HEAD: &str = "UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1";

/// One multi-row insert per tenant: the columns travel as arrays.
const INSERT_ROWS: &str = "INSERT INTO audit_events (tenant_id, seq, at, actor, role, action, \
     resource_type, resource_id, version, patient_id, purpose, outcome, client_ip, user_agent, \
     details, hash) \
     SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], \
     $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], \
     $14::text[], $15::text[], $16::bytea[])";

/// Appends `drafts` (any tenants, kept in order within each tenant) in the caller's transaction.
pub(crate) async fn append(tx: &Transaction<'_>, drafts: Vec<AuditDraft>) -> Result<()> {
    // Sorted by tenant so two transactions touching the same tenants lock heads in the same
    // order and cannot deadlock each other.
    let mut by_tenant: BTreeMap<String, Vec<AuditDraft>> = BTreeMap::new();
    for draft in drafts {
        by_tenant
            .entry(draft.tenant.as_str().to_owned())
            .or_default()
            .push(draft);
    }
    for (tenant, drafts) in by_tenant {
        append_tenant(tx, &tenant, drafts).await?;
    }
    Ok(())
}

async fn append_tenant(tx: &Transaction<'_>, tenant: &str, drafts: Vec<AuditDraft>) -> Result<()> {
    let lock = tx.prepare_cached(LOCK_HEAD).await.map_err(crate::db)?;
    let head = tx
        .query_one(&lock, &[&tenant, &GENESIS.as_slice()])
        .await
        .map_err(crate::db)?;
    let mut seq: i64 = rows::col(&head, 0)?;
    let mut prev: Vec<u8> = rows::col(&head, 1)?;

    let mut cols = Columns::default();
    for draft in drafts {
        seq += 1;
        let key = draft.mac_key.clone();
        let mut row = draft.into_row(seq);
        let hash = chain_hash(&key, &prev, &row);
        row.hash = hash.to_vec();
        prev = row.hash.clone();
        cols.push(row);
    }

    let insert = tx.prepare_cached(INSERT_ROWS).await.map_err(crate::db)?;
    tx.execute(
        &insert,
        &[
            &tenant,
            &cols.seq,
            &cols.at,
            &cols.actor,
            &cols.role,
            &cols.action,
            &cols.resource_type,
            &cols.resource_id,
            &cols.version,
            &cols.patient_id,
            &cols.purpose,
            &cols.outcome,
            &cols.client_ip,
            &cols.user_agent,
            &cols.details,
            &cols.hash,
        ],
    )
    .await
    .map_err(crate::db)?;
    let update = tx.prepare_cached(MOVE_HEAD).await.map_err(crate::db)?;
    tx.execute(&update, &[&tenant, &seq, &prev])
        .await
        .map_err(crate::db)?;
    Ok(())
}

/// Audit rows column by column, for `UNNEST`.
#[derive(Default)]
struct Columns {
    seq: Vec<i64>,
    at: Vec<i64>,
    actor: Vec<String>,
    role: Vec<String>,
    action: Vec<String>,
    resource_type: Vec<Option<String>>,
    resource_id: Vec<Option<String>>,
    version: Vec<Option<i64>>,
    patient_id: Vec<Option<String>>,
    purpose: Vec<Option<String>>,
    outcome: Vec<String>,
    client_ip: Vec<Option<String>>,
    user_agent: Vec<Option<String>>,
    details: Vec<Option<String>>,
    hash: Vec<Vec<u8>>,
}

impl Columns {
    fn push(&mut self, row: AuditRow) {
        self.seq.push(row.seq);
        self.at.push(row.at);
        self.actor.push(row.actor);
        self.role.push(row.role);
        self.action.push(row.action);
        self.resource_type.push(row.resource_type);
        self.resource_id.push(row.resource_id);
        self.version.push(row.version);
        self.patient_id.push(row.patient_id);
        self.purpose.push(row.purpose);
        self.outcome.push(row.outcome);
        self.client_ip.push(row.client_ip);
        self.user_agent.push(row.user_agent);
        self.details.push(row.details);
        self.hash.push(row.hash);
    }
}

impl PgBackend {
    pub(crate) async fn append_audit_db(&self, events: Vec<AuditDraft>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut client = self.conn().await?;
        let tx = client.transaction().await.map_err(crate::db)?;
        append(&tx, events).await?;
        tx.commit().await.map_err(crate::db)
    }

    pub(crate) async fn audit_rows_db(
        &self,
        tenant: &TenantId,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let found = client
            .query(&stmt, &[&tenant.as_str(), &after_seq, &rows::limit(limit)])
            .await
            .map_err(crate::db)?;
        found.iter().map(rows::audit_row).collect()
    }

    pub(crate) async fn audit_search_db(
        &self,
        tenant: &TenantId,
        f: &AuditFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE tenant_id = $1 AND seq < $2 \
             AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4) \
             AND ($5::text IS NULL OR resource_type = $5) AND ($6::text IS NULL OR patient_id = $6) \
             AND ($7::text IS NULL OR outcome = $7) AND ($8::bigint IS NULL OR at >= $8) \
             AND ($9::bigint IS NULL OR at < $9) ORDER BY seq DESC LIMIT $10"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let found = client
            .query(
                &stmt,
                &[
                    &tenant.as_str(),
                    &before.unwrap_or(i64::MAX),
                    &f.actor,
                    &f.action,
                    &f.resource_type,
                    &f.patient_id,
                    &f.outcome,
                    &f.from_at,
                    &f.to_at,
                    &rows::limit(limit),
                ],
            )
            .await
            .map_err(crate::db)?;
        found.iter().map(rows::audit_row).collect()
    }

    /// From the heads rather than `SELECT DISTINCT` over the whole trail: one row per tenant.
    pub(crate) async fn audit_tenants_db(&self) -> Result<Vec<TenantId>> {
        let client = self.conn().await?;
        let found = client
            .query(
                "SELECT tenant_id FROM audit_heads WHERE seq > 0 ORDER BY tenant_id",
                &[],
            )
            .await
            .map_err(crate::db)?;
        found
            .iter()
            .map(|r| rows::tenant_id(rows::col(r, 0)?))
            .collect()
    }
}
