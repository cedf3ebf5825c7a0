//! Writing search-index rows. All index rows of a batch go to the database as column arrays in
//! one statement (a CTE per table over `UNNEST`), instead of one `INSERT` per row: a resource
//! often has dozens of index rows, and a batch may hold many resources.

use cartella_store::{StoreError, WriteOp};
use deadpool_postgres::Transaction;

type Result<T> = std::result::Result<T, StoreError>;

const INSERT_INDEX: &str = "WITH \
     t AS (INSERT INTO idx_token (res_row, tenant_id, type, param, system, code) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])), \
     s AS (INSERT INTO idx_string (res_row, tenant_id, type, param, value) \
         SELECT * FROM UNNEST($7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])), \
     b AS (INSERT INTO idx_blind (res_row, tenant_id, type, param, token) \
         SELECT * FROM UNNEST($12::bigint[], $13::text[], $14::text[], $15::text[], $16::bytea[])), \
     d AS (INSERT INTO idx_date (res_row, tenant_id, type, param, lo, hi) \
         SELECT * FROM UNNEST($17::bigint[], $18::text[], $19::text[], $20::text[], $21::bigint[], $22::bigint[])), \
     r AS (INSERT INTO idx_ref (res_row, tenant_id, type, param, target_type, target_id) \
         SELECT * FROM UNNEST($23::bigint[], $24::text[], $25::text[], $26::text[], $27::text[], $28::text[])) \
     INSERT INTO idx_quantity (res_row, tenant_id, type, param, value, system, code) \
         SELECT * FROM UNNEST($29::bigint[], $30::text[], $31::text[], $32::text[], $33::float8[], $34::text[], $35::text[])";

/// The index rows of the resources a batch writes, keyed by resource row.
#[derive(Default)]
pub(crate) struct IndexColumns<'a> {
    entries: Vec<(i64, &'a WriteOp)>,
}

/// The columns every index table starts with.
#[derive(Default)]
struct Head<'a> {
    row: Vec<i64>,
    tenant: Vec<&'a str>,
    rtype: Vec<&'a str>,
    param: Vec<&'a str>,
}

impl<'a> Head<'a> {
    fn push(&mut self, row: i64, op: &'a WriteOp, param: &'a str) {
        self.row.push(row);
        self.tenant.push(op.tenant.as_str());
        self.rtype.push(&op.rtype);
        self.param.push(param);
    }
}

impl<'a> IndexColumns<'a> {
    /// Records `op`'s index rows for `row_id`. A later op on the same resource in the same batch
    /// replaces the earlier one's rows: only the last version is current.
    pub(crate) fn set(&mut self, row_id: i64, op: &'a WriteOp) {
        match self.entries.iter_mut().find(|(row, _)| *row == row_id) {
            Some(entry) => entry.1 = op,
            None => self.entries.push((row_id, op)),
        }
    }

    pub(crate) async fn insert(&self, tx: &Transaction<'_>) -> Result<()> {
        if self.entries.iter().all(|(_, op)| op.index.is_empty()) {
            return Ok(());
        }
        let (mut th, mut sh, mut bh) = (Head::default(), Head::default(), Head::default());
        let (mut dh, mut rh, mut qh) = (Head::default(), Head::default(), Head::default());
        let (mut t_system, mut t_code) = (Vec::<&str>::new(), Vec::<&str>::new());
        let mut s_value = Vec::<&str>::new();
        let mut b_token = Vec::<&[u8]>::new();
        let (mut d_lo, mut d_hi) = (Vec::<i64>::new(), Vec::<i64>::new());
        let (mut r_type, mut r_id) = (Vec::<&str>::new(), Vec::<&str>::new());
        let (mut q_value, mut q_system, mut q_code) =
            (Vec::<f64>::new(), Vec::<&str>::new(), Vec::<&str>::new());
        for &(row, op) in &self.entries {
            let ix = &op.index;
            for t in &ix.tokens {
                th.push(row, op, t.param);
                t_system.push(&t.system);
                t_code.push(&t.code);
            }
            for s in &ix.strings {
                sh.push(row, op, s.param);
                s_value.push(&s.value);
            }
            for b in &ix.blinds {
                bh.push(row, op, b.param);
                b_token.push(&b.token);
            }
            for d in &ix.dates {
                dh.push(row, op, d.param);
                d_lo.push(d.lo);
                d_hi.push(d.hi);
            }
            for r in &ix.refs {
                rh.push(row, op, r.param);
                r_type.push(&r.target_type);
                r_id.push(&r.target_id);
            }
            for q in &ix.quantities {
                qh.push(row, op, q.param);
                q_value.push(q.value);
                q_system.push(&q.system);
                q_code.push(&q.code);
            }
        }
        let stmt = tx.prepare_cached(INSERT_INDEX).await.map_err(crate::db)?;
        tx.execute(
            &stmt,
            &[
                &th.row, &th.tenant, &th.rtype, &th.param, &t_system, &t_code, //
                &sh.row, &sh.tenant, &sh.rtype, &sh.param, &s_value, //
                &bh.row, &bh.tenant, &bh.rtype, &bh.param, &b_token, //
                &dh.row, &dh.tenant, &dh.rtype, &dh.param, &d_lo, &d_hi, //
                &rh.row, &rh.tenant, &rh.rtype, &rh.param, &r_type, &r_id, //
                &qh.row, &qh.tenant, &qh.rtype, &qh.param, &q_value, &q_system, &q_code,
            ],
        )
        .await
        .map_err(crate::db)?;
        Ok(())
    }
}
