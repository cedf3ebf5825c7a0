//! The orderable lab catalogue, derived from the shipped LOINC subset: every lab test and every
//! panel except the vital-sign panels (those are recorded, not ordered).

use cartella_terminology::Lang;
use cartella_terminology::loinc::{self, LoincTerm, TermKind};
use serde::Serialize;

/// Panels of the vital-signs profile, not lab orders.
const VITAL_PANELS: [&str; 2] = ["85353-1", "85354-9"];

#[derive(Debug, Clone, Serialize)]
pub struct Orderable {
    pub code: &'static str,
    pub display: &'static str,
    pub panel: bool,
    pub unit: Option<&'static str>,
    /// For panels: the tests reported.
    pub members: Vec<&'static str>,
}

/// The term when `code` is orderable.
pub fn orderable(code: &str) -> Option<&'static LoincTerm> {
    loinc::get(code).filter(|t| {
        matches!(t.kind, TermKind::Lab | TermKind::Panel) && !VITAL_PANELS.contains(&t.code)
    })
}

/// Panels first, then single tests, in the shipped order; names in `lang`.
pub fn list(lang: Lang) -> Vec<Orderable> {
    let mut terms = loinc::of_kind(TermKind::Panel);
    terms.extend(loinc::of_kind(TermKind::Lab));
    terms
        .into_iter()
        .filter(|t| !VITAL_PANELS.contains(&t.code))
        .map(|t| Orderable {
            code: t.code,
            display: t.display_in(lang),
            panel: t.kind == TermKind::Panel,
            unit: t.unit,
            members: t.members.clone(),
        })
        .collect()
}

/// The tests an order of `code` is reported with: a panel's members (nested panels
/// flattened), or the test itself.
pub fn reported_tests(code: &str) -> Vec<&'static LoincTerm> {
    let Some(t) = loinc::get(code) else {
        return Vec::new();
    };
    if t.kind != TermKind::Panel {
        return vec![t];
    }
    let mut out: Vec<&'static LoincTerm> = Vec::new();
    for m in t.member_terms() {
        for r in reported_tests(m.code) {
            if !out.iter().any(|o| o.code == r.code) {
                out.push(r);
            }
        }
    }
    out
}
