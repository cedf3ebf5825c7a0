//! Search SQL: each clause narrows `resources` through `row_id IN (subquery on one index
//! table)`, which lets SQLite drive the query from the most selective index; paging is keyset on
//! `(sort key, row_id)`. Every value is a bound parameter.

use crate::map_err;
use crate::rows::{RESOURCE_COLUMNS, resource};
use cartella_store::search::{
    Clause, DateCond, Match, SearchPlan, SortKey, SortValue, StringMatch,
};
use cartella_store::{RawResource, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

type Result<T> = std::result::Result<T, StoreError>;

struct Sql {
    text: String,
    args: Vec<Value>,
}

impl Sql {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
    fn arg(&mut self, v: impl Into<Value>) {
        self.text.push('?');
        self.args.push(v.into());
    }
    /// `(?, ?, …)` binding each value; `(NULL)` for none, which matches nothing.
    fn list(&mut self, values: &[String]) {
        self.push("(");
        if values.is_empty() {
            self.push("NULL");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.arg(v.clone());
        }
        self.push(")");
    }
}

fn where_clause(plan: &SearchPlan, sql: &mut Sql) {
    // The narrowest index clause drives: its matching rows are fetched by row id and every other
    // clause is a point check through the index table's res_row index. (Letting SQLite scan the
    // paging index and test each resource against materialised lists made a patient's
    // observations by code and date cost a scan of every observation of the practice.)
    // Under a patient's scope the compartment drives: a patient's rows of one type are a few
    // dozen, fewer than nearly any parameter matches across the practice.
    let compartment = plan
        .clauses
        .iter()
        .position(|c| matches!(c, Clause::Compartment(_)));
    let driver = compartment.or_else(|| plan.driver());
    sql.push(" FROM resources r WHERE ");
    match driver.map(|i| &plan.clauses[i]) {
        Some(Clause::Index { params, any_of, .. }) => {
            sql.push("r.row_id IN ");
            index_rows(plan, params, any_of, sql);
            // `+` keeps SQLite from preferring the paging index for these terms.
            sql.push(" AND +r.tenant_id = ");
        }
        Some(Clause::Compartment(patients)) => {
            sql.push("r.row_id IN ");
            sql.push(crate::compartment::search_rows(&plan.rtype));
            sql.args.push(plan.tenant.as_str().to_owned().into());
            sql.args.push(plan.rtype.clone().into());
            sql.list(patients);
            sql.push(") AND +r.tenant_id = ");
        }
        _ => sql.push("r.tenant_id = "),
    }
    sql.arg(plan.tenant.as_str().to_owned());
    sql.push(" AND r.type = ");
    sql.arg(plan.rtype.clone());
    sql.push(" AND r.deleted = 0");
    for (n, clause) in plan.clauses.iter().enumerate() {
        if Some(n) == driver && !matches!(clause, Clause::Compartment(_)) {
            continue;
        }
        match clause {
            Clause::Id(ids) => {
                sql.push(" AND r.id IN ");
                sql.list(ids);
            }
            Clause::LastUpdated(cond) => {
                let (a, b, c, d) = cond.bounds();
                sql.push(" AND r.last_updated >= ");
                sql.arg(a.max(c));
                sql.push(" AND r.last_updated <= ");
                sql.arg(b.min(d));
            }
            // Also when it drives: its rows are candidates, this decides.
            Clause::Compartment(patients) => {
                sql.push(" AND r.patient_id IN ");
                sql.list(patients);
            }
            Clause::Index {
                params,
                negate,
                any_of,
            } => index_check(params, *negate, any_of, sql),
        }
    }
}

/// `(SELECT res_row FROM idx_… WHERE <lookup columns>)`: the driving set.
fn index_rows(plan: &SearchPlan, params: &[String], any_of: &[Match], sql: &mut Sql) {
    let Some(first) = any_of.first() else {
        sql.push("(SELECT NULL WHERE 0)");
        return;
    };
    sql.push("(SELECT i.res_row FROM ");
    sql.push(first.table().name());
    sql.push(" i WHERE i.tenant_id = ");
    sql.arg(plan.tenant.as_str().to_owned());
    sql.push(" AND i.type = ");
    sql.arg(plan.rtype.clone());
    param_in(params, sql);
    alternatives(any_of, sql);
    sql.push(")");
}

/// ` AND i.param IN (…)`: the parameters whose rows answer the clause (`=` for one, the
/// plain form for SQLite's planner).
fn param_in(params: &[String], sql: &mut Sql) {
    if let [param] = params {
        sql.push(" AND i.param = ");
        return sql.arg(param.clone());
    }
    sql.push(" AND i.param IN ");
    sql.list(params);
}

/// `[NOT] EXISTS (… WHERE res_row = r.row_id …)`: a point check of one resource.
fn index_check(params: &[String], negate: bool, any_of: &[Match], sql: &mut Sql) {
    let Some(first) = any_of.first() else {
        sql.push(" AND 0");
        return;
    };
    sql.push(if negate {
        " AND NOT EXISTS (SELECT 1 FROM "
    } else {
        " AND EXISTS (SELECT 1 FROM "
    });
    sql.push(first.table().name());
    sql.push(" i INDEXED BY ");
    sql.push(first.table().name());
    sql.push("_row WHERE i.res_row = r.row_id");
    param_in(params, sql);
    alternatives(any_of, sql);
    sql.push(")");
}

fn alternatives(any_of: &[Match], sql: &mut Sql) {
    sql.push(" AND (");
    for (n, m) in any_of.iter().enumerate() {
        if n > 0 {
            sql.push(" OR ");
        }
        match_condition(m, sql);
    }
    sql.push(")");
}

fn match_condition(m: &Match, sql: &mut Sql) {
    sql.push("(1");
    match m {
        Match::Token { system, code } => {
            if let Some(c) = code {
                sql.push(" AND i.code = ");
                sql.arg(c.clone());
            }
            if let Some(s) = system {
                sql.push(" AND i.system = ");
                sql.arg(s.clone());
            }
        }
        Match::Blind(tokens) => {
            sql.push(" AND i.token IN (");
            for (n, t) in tokens.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.arg(t.to_vec());
            }
            sql.push(")");
        }
        Match::String { value, how } => match how {
            StringMatch::Exact => {
                sql.push(" AND i.value = ");
                sql.arg(value.clone());
            }
            StringMatch::Prefix => {
                sql.push(" AND i.value >= ");
                sql.arg(value.clone());
                sql.push(" AND i.value < ");
                sql.arg(format!("{value}\u{10FFFF}"));
            }
            StringMatch::Contains => {
                sql.push(" AND instr(i.value, ");
                sql.arg(value.clone());
                sql.push(") > 0");
            }
        },
        Match::Date(cond) => date_condition(cond, sql),
        Match::Present(_) => {}
        Match::RefTo(target_type) => {
            sql.push(" AND i.target_type = ");
            sql.arg(target_type.clone());
        }
        Match::Ref {
            target_type,
            target_id,
        } => {
            sql.push(" AND i.target_id = ");
            sql.arg(target_id.clone());
            if let Some(t) = target_type {
                sql.push(" AND i.target_type = ");
                sql.arg(t.clone());
            }
        }
        Match::Quantity { cond, system, code } => {
            let (min, min_inc, max, max_inc) = cond.bounds();
            if min.is_finite() {
                sql.push(if min_inc {
                    " AND i.value >= "
                } else {
                    " AND i.value > "
                });
                sql.arg(min);
            }
            if max.is_finite() {
                sql.push(if max_inc {
                    " AND i.value <= "
                } else {
                    " AND i.value < "
                });
                sql.arg(max);
            }
            if let Some(s) = system {
                sql.push(" AND i.system = ");
                sql.arg(s.clone());
            }
            if let Some(c) = code {
                sql.push(" AND i.code = ");
                sql.arg(c.clone());
            }
        }
    }
    sql.push(")");
}

fn date_condition(cond: &DateCond, sql: &mut Sql) {
    for (column, op, bound) in [
        ("lo", ">=", cond.lo_ge),
        ("lo", "<=", cond.lo_le),
        ("hi", ">=", cond.hi_ge),
        ("hi", "<=", cond.hi_le),
    ] {
        if let Some(b) = bound {
            sql.push(&format!(" AND i.{column} {op} "));
            sql.arg(b);
        }
    }
}

pub fn search(conn: &Connection, plan: &SearchPlan) -> Result<Vec<RawResource>> {
    let columns = RESOURCE_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql {
        text: format!("SELECT {columns}"),
        args: Vec::new(),
    };
    where_clause(plan, &mut sql);
    let dir = if plan.sort.desc { "DESC" } else { "ASC" };
    if let Some(after) = &plan.after {
        sql.push(" AND (");
        sort_expr(plan, &mut sql);
        sql.push(", r.row_id) ");
        sql.push(if plan.sort.desc { "<" } else { ">" });
        sql.push(" (");
        sql.arg(match &after.value {
            SortValue::Int(n) => Value::Integer(*n),
            SortValue::Text(t) => Value::Text(t.clone()),
        });
        sql.push(", ");
        sql.arg(after.row);
        sql.push(")");
    }
    sql.push(" ORDER BY ");
    sort_expr(plan, &mut sql);
    sql.push(&format!(" {dir}, r.row_id {dir} LIMIT "));
    sql.arg(plan.limit as i64);
    let mut stmt = conn.prepare_cached(&sql.text).map_err(map_err)?;
    let rows = stmt
        .query_map(params_from_iter(sql.args), resource)
        .map_err(map_err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(map_err)
}

/// The sort key of `r`: a column, or the smallest (ascending) / largest (descending) value of
/// the parameter, with [`SortKey::missing`] when it has none.
fn sort_expr(plan: &SearchPlan, sql: &mut Sql) {
    let desc = plan.sort.desc;
    let agg = if desc { "max" } else { "min" };
    let (table, column, params) = match &plan.sort.key {
        SortKey::LastUpdated => return sql.push("r.last_updated"),
        SortKey::Id => return sql.push("r.id"),
        SortKey::Date(p) => ("idx_date", if desc { "hi" } else { "lo" }, p),
        SortKey::Token(p) => ("idx_token", "code", p),
        SortKey::String(p) => ("idx_string", "value", p),
    };
    sql.push(&format!(
        "coalesce((SELECT {agg}(i.{column}) FROM {table} i INDEXED BY {table}_row WHERE i.res_row = r.row_id"
    ));
    param_in(params, sql);
    sql.push("), ");
    sql.arg(match plan.sort.key.missing(desc) {
        SortValue::Int(n) => Value::Integer(n),
        SortValue::Text(t) => Value::Text(t),
    });
    sql.push(")");
}

pub fn count(conn: &Connection, plan: &SearchPlan) -> Result<u64> {
    let mut sql = Sql {
        text: "SELECT count(*)".into(),
        args: Vec::new(),
    };
    where_clause(plan, &mut sql);
    let mut stmt = conn.prepare_cached(&sql.text).map_err(map_err)?;
    stmt.query_row(params_from_iter(sql.args), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(map_err)
}
