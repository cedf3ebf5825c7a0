//! A search as the backends execute it: clauses over the narrow index tables, ANDed together;
//! the alternatives inside one clause are ORed. Results are ordered by one sort key (default
//! `_lastUpdated` ascending) with `row_id` as tie-break, and paged by keyset on `(key, row_id)`,
//! so pages stay correct under concurrent writes (an update moves a resource, by
//! `_lastUpdated`, to the end, where it is seen again rather than skipped).

use cartella_core::TenantId;

#[derive(Debug, Clone)]
pub struct SearchPlan {
    pub tenant: TenantId,
    pub rtype: String,
    pub clauses: Vec<Clause>,
    pub sort: Sort,
    /// Resume after this `(sort key, row_id)` in the sort's direction.
    pub after: Option<Cursor>,
    /// Rows to return (the store asks one more than the page size to know if a next page exists).
    pub limit: usize,
}

/// What results are ordered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub desc: bool,
}

/// A sort key. Index keys sort on the smallest value of the resource for ascending order and the
/// largest for descending (dates: `lo` and `hi`); a resource without a value sorts last either
/// way (see [`SortKey::missing`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    LastUpdated,
    Id,
    /// `idx_date` (`lo`/`hi`) of these parameters (as [`Clause::Index`] names them).
    Date(Vec<String>),
    /// `idx_token` (`code`) of these parameters.
    Token(Vec<String>),
    /// `idx_string` (normalised `value`) of these parameters.
    String(Vec<String>),
}

/// The value of a sort key for one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// Where a page ends: the last row's sort value and row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: SortValue,
    pub row: i64,
}

/// The greatest text a sort column can hold (bytewise): missing text values sort as this.
pub const TEXT_MAX: &str = "\u{10FFFF}";

impl SortKey {
    /// The value standing in for "no value", chosen so missing values sort last in both
    /// directions (keyset paging needs a total order without NULLs).
    pub fn missing(&self, desc: bool) -> SortValue {
        match (self, desc) {
            (SortKey::Date(_) | SortKey::LastUpdated, false) => SortValue::Int(i64::MAX),
            (SortKey::Date(_) | SortKey::LastUpdated, true) => SortValue::Int(i64::MIN),
            (_, false) => SortValue::Text(TEXT_MAX.to_owned()),
            (_, true) => SortValue::Text(String::new()),
        }
    }
}

impl Cursor {
    /// `_cursor` text: `i.<n>.<row>` or `t.<hex>.<row>` (hex keeps any text URL-safe).
    pub fn encode(&self) -> String {
        match &self.value {
            SortValue::Int(n) => format!("i.{n}.{}", self.row),
            SortValue::Text(t) => {
                let hex: String = t.bytes().map(|b| format!("{b:02x}")).collect();
                format!("t.{hex}.{}", self.row)
            }
        }
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.splitn(3, '.');
        let (kind, value, row) = (parts.next()?, parts.next()?, parts.next()?);
        let row = row.parse().ok()?;
        let value = match kind {
            "i" => SortValue::Int(value.parse().ok()?),
            "t" => {
                if value.len() % 2 != 0 {
                    return None;
                }
                let bytes = (0..value.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(value.get(i..i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                SortValue::Text(String::from_utf8(bytes).ok()?)
            }
            _ => return None,
        };
        Some(Cursor { value, row })
    }
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
        /// The parameters whose rows answer it: the one searched, or those it merges
        /// ([`crate::extract::ParamRule::union_of`]).
        params: Vec<String>,
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
    /// Any row of the parameter in this table (`:missing`; negated for `:missing=true`).
    Present(Table),
    /// Any reference to a resource of this type (`:missing` of a parameter limited to one
    /// target type, whose rows are those of an unlimited one).
    RefTo(String),
}

/// The index tables, for matches that name no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Token,
    Blind,
    String,
    Date,
    Ref,
    Quantity,
}

impl Table {
    pub fn name(&self) -> &'static str {
        match self {
            Table::Token => "idx_token",
            Table::Blind => "idx_blind",
            Table::String => "idx_string",
            Table::Date => "idx_date",
            Table::Ref => "idx_ref",
            Table::Quantity => "idx_quantity",
        }
    }
}

impl Match {
    /// The index table this match reads.
    pub fn table(&self) -> Table {
        match self {
            Match::Token { .. } => Table::Token,
            Match::Blind(_) => Table::Blind,
            Match::String { .. } => Table::String,
            Match::Date(_) => Table::Date,
            Match::Ref { .. } | Match::RefTo(_) => Table::Ref,
            Match::Quantity { .. } => Table::Quantity,
            Match::Present(t) => *t,
        }
    }
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

/// How narrow a clause usually is (smaller: fewer rows); 255 for clauses that cannot drive.
fn selectivity(clause: &Clause) -> u8 {
    match clause {
        Clause::Index { negate: true, .. } => 255,
        Clause::Index { any_of, .. } => match any_of.first() {
            Some(Match::Ref { .. }) => 0,
            Some(Match::Blind(_)) => 1,
            Some(Match::String {
                how: StringMatch::Exact,
                ..
            }) => 2,
            Some(Match::Token { code: Some(_), .. }) => 3,
            Some(Match::String { .. }) => 4,
            Some(Match::Quantity { .. }) => 5,
            Some(Match::Date(_)) => 6,
            _ => 7,
        },
        _ => 255,
    }
}

impl SearchPlan {
    /// The index clause that should drive the query: its matching rows are fetched through the
    /// index table's lookup index and every other clause is checked per row. Without one, a
    /// search would scan every resource of the type (every Observation of the practice).
    pub fn driver(&self) -> Option<usize> {
        self.clauses
            .iter()
            .enumerate()
            .filter(|(_, c)| selectivity(c) < 255)
            .min_by_key(|(_, c)| selectivity(c))
            .map(|(i, _)| i)
    }

    /// Whether the driving clause names few rows (a reference, a blind token, an exact
    /// string), so fetching all of them before anything else is cheap.
    pub fn driver_is_narrow(&self) -> bool {
        self.driver()
            .is_some_and(|i| selectivity(&self.clauses[i]) <= 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for value in [
            SortValue::Int(-5),
            SortValue::Text("o'brien & co/ü".into()),
            SortValue::Text(String::new()),
        ] {
            let c = Cursor { value, row: 42 };
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        assert_eq!(Cursor::decode("t.abc.1"), None);
        assert_eq!(Cursor::decode("x.1.1"), None);
    }
}
