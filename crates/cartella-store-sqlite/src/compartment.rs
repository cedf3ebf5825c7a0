//! A patient's compartment, found through the reference index instead of an index of its own.
//!
//! `resources.patient_id` (the write path's `patient_of`: the Patient itself, or the patient a
//! `subject`, `patient` or `beneficiary` reference points to) says whose compartment a resource
//! is in. An index on it cost every write one random b-tree leaf; at 500k resources dropping it
//! lifted scattered imports by 18 %. The reference rows of those parameters already link
//! almost every such resource to its patient, so they answer instead: the write path adds a
//! `_compartment` row only where none of them does (a type with no such search parameter, a
//! tombstone, which has no index rows), and every query filters on `patient_id` itself, so the
//! rows found are exactly those whose patient it is.

use crate::map_err;
use crate::rows::{RESOURCE_COLUMNS, resource};
use cartella_core::resource_types::R4_RESOURCE_TYPES;
use cartella_store::{RawResource, StoreError, WriteOp};
use rusqlite::{Connection, params};
use std::sync::LazyLock;

type Result<T> = std::result::Result<T, StoreError>;

/// The parameter of the rows the write path adds where no search parameter links a resource to
/// its patient. No search parameter has this name, so searches never see these rows.
pub const FALLBACK: &str = "_compartment";

/// Reference parameters whose rows link a resource to its patient, the fallback last. The
/// same list is in migration 6, which wrote the fallback rows of existing resources.
pub const LINKS: [&str; 4] = ["subject", "patient", "beneficiary", FALLBACK];

/// The patient of `op` when none of its reference rows links it there: a fallback row is due.
pub fn unlinked_patient(op: &WriteOp) -> Option<&str> {
    let patient = op.patient_id.as_deref()?;
    let linked = op.rtype == "Patient"
        || op.index.refs.iter().any(|r| {
            LINKS.contains(&r.param) && r.target_type == "Patient" && r.target_id == patient
        });
    (!linked).then_some(patient)
}

/// `IN (…)` lists of constants, quoted once: every R4 type (what the store accepts) and the
/// link parameters.
fn quoted(items: &[&str]) -> String {
    let list: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("({})", list.join(", "))
}

/// Rows of patient `?2` in tenant `?1` after row `?3`: its link rows in every type, and the
/// Patient itself. A superset: callers keep the rows whose `patient_id` is `?2`.
static CANDIDATES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT i.res_row FROM idx_ref i WHERE i.tenant_id = ?1 AND i.type IN {} \
         AND i.param IN {} AND i.target_id = ?2 AND i.target_type = 'Patient' AND i.res_row > ?3 \
         UNION ALL SELECT row_id FROM resources WHERE tenant_id = ?1 AND type = 'Patient' AND id = ?2 AND row_id > ?3",
        quoted(&R4_RESOURCE_TYPES),
        quoted(&LINKS)
    )
});

/// `+tenant_id`: the rows come from the candidates, never from a scan of the table.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {RESOURCE_COLUMNS} FROM resources WHERE row_id IN ({}) AND +tenant_id = ?1 \
         AND patient_id = ?2 AND deleted = 0 ORDER BY row_id LIMIT ?4",
        *CANDIDATES
    )
});

/// The current resources of a patient's compartment after `after`, in row order.
pub fn page(
    conn: &Connection,
    tenant: &str,
    patient: &str,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<RawResource>> {
    let mut stmt = conn.prepare_cached(&PAGE).map_err(map_err)?;
    let rows = stmt
        .query_map(
            params![tenant, patient, after.unwrap_or(0), limit as i64],
            resource,
        )
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

/// Every row of a patient's compartment, tombstones included: what erasure clears.
pub fn all_rows(conn: &Connection, tenant: &str, patient: &str) -> Result<Vec<i64>> {
    static ALL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT row_id FROM resources WHERE row_id IN ({}) AND +tenant_id = ?1 AND patient_id = ?2 ORDER BY row_id",
            *CANDIDATES
        )
    });
    let mut stmt = conn.prepare_cached(&ALL).map_err(map_err)?;
    let rows = stmt
        .query_map(params![tenant, patient, 0], |r| r.get(0))
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

/// The opening of `(SELECT …)`, the rows of type `rtype` linked to any of a list of patients:
/// the driving set of a search under a patient's scope. Its two placeholders take the tenant and
/// `rtype`; the caller closes it with the patients' `(…)` list and `)`.
pub fn search_rows(rtype: &str) -> &'static str {
    static LINKED: LazyLock<String> = LazyLock::new(|| {
        format!(
            "(SELECT i.res_row FROM idx_ref i WHERE i.tenant_id = ? AND i.type = ? AND i.param IN {} \
             AND i.target_type = 'Patient' AND i.target_id IN ",
            quoted(&LINKS)
        )
    });
    if rtype == "Patient" {
        "(SELECT row_id FROM resources WHERE tenant_id = ? AND type = ? AND id IN "
    } else {
        &LINKED
    }
}

#[cfg(test)]
#[path = "compartment_tests.rs"]
mod tests;
