//! A search as the backends execute it: clauses over the narrow index tables, ANDed together;
//! the alternatives inside one clause are ORed. Results are ordered by `(last_updated, row_id)`
//! ascending and paged by keyset, so pages stay correct under concurrent writes (an update moves
//! a resource to the end, where it is seen again rather than skipped).

use cartella_core::TenantId;

#[derive(Debug, Clone)]
pub struct SearchPlan {
    pub tenant: TenantId,
    pub rtype: String,
    pub clauses: Vec<Clause>,
    /// Resume after this `(last_updated, row_id)`.
    pub after: Option<(i64, i64)>,
    /// Rows to return (the store asks one more than the page size to know if a next page exists).
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub enum Clause {
    /// `_id`: any of these ids.
    Id(Vec<String>),
    /// `_lastUpdated`.
    LastUpdated(DateCond),
    /// Only resources in these patients' compartments (`resources.patient_id`): the
    /// restriction applied to patient and external users.
    Compartment(Vec<String>),
    /// A condition on one index table; `negate` turns it into NOT EXISTS (`:not`, `ne`).
    Index {
        param: String,
        negate: bool,
        any_of: Vec<Match>,
    },
}

#[derive(Debug, Clone)]
pub enum Match {
    /// Token: `system` `None` = any system, `Some("")` = no system; `code` `None` = any code.
    Token {
        system: Option<String>,
        code: Option<String>,
    },
    /// Any of these blind tokens.
    Blind(Vec<[u8; 16]>),
    /// Normalised string, by prefix, whole value, or substring.
    String {
        value: String,
        how: StringMatch,
    },
    Date(DateCond),
    /// Reference to `target_type/target_id` (`target_type` `None` = any type).
    Ref {
        target_type: Option<String>,
        target_id: String,
    },
    Quantity {
        cond: NumCond,
        system: Option<String>,
        code: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringMatch {
    Prefix,
    Exact,
    Contains,
}

/// Bounds on an indexed range `[lo, hi]` (all inclusive, microseconds). Every FHIR date prefix
/// reduces to these four bounds, so backends need no knowledge of prefixes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateCond {
    pub lo_ge: Option<i64>,
    pub lo_le: Option<i64>,
    pub hi_ge: Option<i64>,
    pub hi_le: Option<i64>,
}

/// Bounds on a number: `value >= min` / `value > min`, `value <= max` / `value < max`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NumCond {
    pub min: Option<(f64, bool)>,
    pub max: Option<(f64, bool)>,
}

impl NumCond {
    /// The bounds as `(min, min_inclusive, max, max_inclusive)` with open ends at ±infinity,
    /// so backends can bind four parameters whatever the prefix.
    pub fn bounds(&self) -> (f64, bool, f64, bool) {
        let (min, min_inc) = self.min.unwrap_or((f64::NEG_INFINITY, true));
        let (max, max_inc) = self.max.unwrap_or((f64::INFINITY, true));
        (min, min_inc, max, max_inc)
    }
}

impl DateCond {
    /// The bounds with open ends replaced by the extremes of `i64`.
    pub fn bounds(&self) -> (i64, i64, i64, i64) {
        (
            self.lo_ge.unwrap_or(i64::MIN),
            self.lo_le.unwrap_or(i64::MAX),
            self.hi_ge.unwrap_or(i64::MIN),
            self.hi_le.unwrap_or(i64::MAX),
        )
    }
}
