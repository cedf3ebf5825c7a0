//! A curated LOINC subset shipped in the binary: the FHIR vital-signs profile codes with
//! age-group reference ranges, and a starter set of common lab tests and panels with UCUM units
//! and adult reference ranges (each naming its source). LOINC © Regenstrief Institute: see
//! `NOTICE.md`. The data lives in `data/loinc-terms.tsv` and `data/loinc-ranges.tsv`.

mod code;
mod ranges;

use std::sync::LazyLock;

pub use code::LoincCode;
pub use ranges::{AgeGroup, Flag, ReferenceRange};

use crate::TermError;
use crate::text::Lang;

/// The FHIR code system URI of LOINC.
pub const SYSTEM: &str = "http://loinc.org";

const TERMS_TSV: &str = include_str!("../../data/loinc-terms.tsv");
const RANGES_TSV: &str = include_str!("../../data/loinc-ranges.tsv");

static TERMS: LazyLock<Vec<LoincTerm>> = LazyLock::new(load);

/// What a term is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// A vital sign of the FHIR vital-signs profile.
    VitalSign,
    /// A single lab test.
    Lab,
    /// An orderable panel; its results are its [`LoincTerm::members`].
    Panel,
}

/// One shipped LOINC term.
#[derive(Debug, Clone, PartialEq)]
pub struct LoincTerm {
    pub code: &'static str,
    pub kind: TermKind,
    /// The UCUM unit results are recorded in; `None` for panels and qualitative tests.
    pub unit: Option<&'static str>,
    /// Values outside `(min, max)` are impossible (a typo or a wrong unit) and are refused.
    pub plausible: Option<(f64, f64)>,
    /// The LOINC long common name (English).
    pub display: &'static str,
    /// Short names in Italian, French and German.
    translations: [&'static str; 3],
    /// For panels: the codes of the tests it contains, in report order.
    pub members: Vec<&'static str>,
    /// Reference ranges by age group (vital signs) or for adults (labs).
    pub ranges: Vec<ReferenceRange>,
}

impl LoincTerm {
    /// The display name in `lang`, English (the LOINC long common name) otherwise.
    pub fn display_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.display,
            Lang::It => self.translations[0],
            Lang::Fr => self.translations[1],
            Lang::De => self.translations[2],
        }
    }

    /// The reference range for `group`; the elderly fall back to the adult range.
    pub fn range_for(&self, group: AgeGroup) -> Option<&ReferenceRange> {
        let find = |g: AgeGroup| self.ranges.iter().find(|r| r.group == g);
        find(group).or_else(|| {
            if group == AgeGroup::Elderly {
                find(AgeGroup::Adult)
            } else {
                None
            }
        })
    }

    /// Checks a value recorded in the term's unit: refuses impossible values, and returns the
    /// abnormal flag for `group` when a range ships (`None` when there is no range to compare).
    pub fn assess(&self, value: f64, group: AgeGroup) -> Result<Option<Flag>, TermError> {
        if let Some((min, max)) = self.plausible
            && !(min..=max).contains(&value)
        {
            return Err(TermError::Implausible {
                code: self.code.to_owned(),
                value,
                min,
                max,
            });
        }
        Ok(self.range_for(group).map(|r| r.flag(value)))
    }

    /// The member terms of a panel (empty for a single test).
    pub fn member_terms(&self) -> Vec<&'static LoincTerm> {
        self.members.iter().filter_map(|c| get(c)).collect()
    }
}

/// The shipped term with this code, if any (`" 8480-6 "` is read as `8480-6`).
pub fn get(code: &str) -> Option<&'static LoincTerm> {
    let code = code.trim();
    TERMS.iter().find(|t| t.code == code)
}

/// Every shipped term, vital signs first, in file order.
pub fn all() -> &'static [LoincTerm] {
    &TERMS
}

/// The terms of one kind, in file order.
pub fn of_kind(kind: TermKind) -> Vec<&'static LoincTerm> {
    TERMS.iter().filter(|t| t.kind == kind).collect()
}

fn none_if_dash(field: &str) -> Option<&str> {
    (field != "-" && !field.is_empty()).then_some(field)
}

fn number(field: &str) -> Option<f64> {
    none_if_dash(field).map(|f| {
        f.parse()
            .unwrap_or_else(|_| panic!("LOINC data: `{f}` is not a number"))
    })
}

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// Parses the embedded TSVs. The files are part of the source tree and checked by the tests, so
/// a malformed row is a build defect and panics rather than being skipped.
fn load() -> Vec<LoincTerm> {
    let mut terms: Vec<LoincTerm> = rows(TERMS_TSV)
        .map(|f| {
            assert_eq!(f.len(), 10, "LOINC data: {f:?}");
            LoincTerm {
                code: f[0],
                kind: match f[1] {
                    "vital" => TermKind::VitalSign,
                    "lab" => TermKind::Lab,
                    "panel" => TermKind::Panel,
                    other => panic!("LOINC data: unknown kind {other}"),
                },
                unit: none_if_dash(f[2]),
                plausible: number(f[3]).zip(number(f[4])),
                display: f[5],
                translations: [f[6], f[7], f[8]],
                members: none_if_dash(f[9])
                    .map(|m| m.split(' ').collect())
                    .unwrap_or_default(),
                ranges: Vec::new(),
            }
        })
        .collect();
    for f in rows(RANGES_TSV) {
        assert_eq!(f.len(), 7, "LOINC ranges: {f:?}");
        let term = terms
            .iter_mut()
            .find(|t| t.code == f[0])
            .unwrap_or_else(|| panic!("LOINC ranges: unknown {}", f[0]));
        term.ranges.push(ReferenceRange {
            group: AgeGroup::parse(f[1])
                .unwrap_or_else(|| panic!("LOINC ranges: unknown age group {}", f[1])),
            low: number(f[2]),
            high: number(f[3]),
            critical_low: number(f[4]),
            critical_high: number(f[5]),
            source: f[6],
        });
    }
    terms
}

#[cfg(test)]
mod tests;
