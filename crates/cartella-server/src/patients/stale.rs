//! Who made the version a stale edit collided with. The store keeps `last_updated` with every
//! version and a write's audit row (actor, resource, version) in the same transaction, but no
//! index of audit rows by resource; since a tenant's audit sequence is gapless and ordered by
//! time, the row is found by bisecting the sequence on time and scanning a short window:
//! O(log n) point reads, and only when an edit was refused.

use super::error::PatientError;
use super::service::PATIENT;
use cartella_core::TenantId;
use cartella_store::model::AuditRow;
use cartella_store::{AccessContext, Backend, Store, StoredResource};

/// How far before the version's timestamp to start looking (clock steps, batching).
const LOOKBACK_US: i64 = 5_000_000;
/// How many rows after that to scan at most.
const WINDOW: usize = 4_096;

/// The [`PatientError::Stale`] for `current`, naming its author when the audit trail does.
pub(super) async fn stale(
    store: &Store,
    ctx: &AccessContext,
    current: &StoredResource,
) -> PatientError {
    let by = match author(store.backend().as_ref(), &ctx.tenant, current).await {
        Ok(by) => by,
        Err(e) => {
            tracing::warn!(error = %e, "could not look up who changed a patient");
            None
        }
    };
    PatientError::Stale {
        current_version: current.version,
        by,
        at: current.last_updated,
    }
}

async fn row_at(
    backend: &dyn Backend,
    tenant: &TenantId,
    seq: i64,
) -> cartella_store::error::Result<Option<AuditRow>> {
    Ok(backend.audit_rows(tenant, seq - 1, 1).await?.pop())
}

async fn author(
    backend: &dyn Backend,
    tenant: &TenantId,
    current: &StoredResource,
) -> cartella_store::error::Result<Option<String>> {
    let since = current.last_updated.micros() - LOOKBACK_US;
    // Upper bound of the sequence by doubling, then the first row at or after `since`.
    let mut hi: i64 = 1_024;
    while row_at(backend, tenant, hi).await?.is_some() {
        hi *= 2;
    }
    let mut lo: i64 = 1;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match row_at(backend, tenant, mid).await? {
            Some(r) if r.at < since => lo = mid + 1,
            _ => hi = mid,
        }
    }
    let mut after = lo - 1;
    let mut scanned = 0;
    while scanned < WINDOW {
        let rows = backend.audit_rows(tenant, after, 512).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        scanned += rows.len();
        let hit = rows.iter().find(|r| {
            r.resource_type.as_deref() == Some(PATIENT)
                && r.resource_id.as_deref() == Some(current.id.as_str())
                && r.version == Some(current.version)
                && (r.action == "create" || r.action == "update")
                && r.outcome == "success"
        });
        if let Some(row) = hit {
            // A user is shown by name; a service account or client by its id.
            let name = backend
                .user_by_id(&row.actor)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_else(|| row.actor.clone());
            return Ok(Some(name));
        }
    }
    Ok(None)
}
