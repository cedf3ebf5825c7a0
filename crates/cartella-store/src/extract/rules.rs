//! The indexed search parameters per resource type: the official FHIR R4 search parameters
//! (generated into `spec_rules.rs`), with Cartella's privacy rule on top: identifying
//! parameters of people (patients, their relatives, persons) are `blind`, so only keyed tokens
//! reach the database. `_id` and `_lastUpdated` need no rule.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Token,
    String,
    Date,
    Reference,
    Quantity,
    /// A plain number (kept in the quantity index without system and unit).
    Number,
    /// A URI or canonical, matched exactly (kept in the token index without a system).
    Uri,
}

#[derive(Debug, Clone)]
pub struct ParamRule {
    pub name: &'static str,
    pub kind: Kind,
    /// Dotted element paths; `elem[key=value]` keeps the items whose `key` is `value`, and an
    /// element named without its type suffix (`effective`) reads whichever choice is present.
    pub paths: &'static [&'static str],
    pub blind: bool,
    /// For references: only targets of this type are indexed (e.g. `patient` → Patient).
    pub target: Option<&'static str>,
    /// For references: the types it may point to (the spec's `SearchParameter.target`), which
    /// chains follow and `_revinclude` is offered for.
    pub targets: &'static [&'static str],
    /// Set when the parameter's paths are exactly those of other parameters of the type, of the
    /// same kind (Observation's `combo-code` is `code` and `component-code`; its `patient` is
    /// `subject` limited to Patient targets): it stores no rows of its own and is searched over
    /// theirs. Empty: the parameter has its own rows.
    pub union_of: &'static [&'static str],
}

impl ParamRule {
    /// The parameter names whose index rows answer this parameter.
    pub fn stored_as(&self) -> Vec<String> {
        if self.union_of.is_empty() {
            vec![self.name.to_owned()]
        } else {
            self.union_of.iter().map(|&n| n.to_owned()).collect()
        }
    }
}

pub(super) const fn spec(
    name: &'static str,
    kind: Kind,
    paths: &'static [&'static str],
    target: Option<&'static str>,
    targets: &'static [&'static str],
) -> ParamRule {
    ParamRule {
        name,
        kind,
        paths,
        blind: false,
        target,
        targets,
        union_of: &[],
    }
}

/// Resource types whose subjects are people identified by these parameters.
const PEOPLE: &[&str] = &["Patient", "RelatedPerson", "Person"];
const IDENTIFYING: &[&str] = &[
    "name",
    "family",
    "given",
    "phonetic",
    "birthdate",
    "death-date",
    "identifier",
    "telecom",
    "phone",
    "email",
    "address",
    "address-city",
    "address-country",
    "address-postalcode",
    "address-state",
];

/// Parameters Cartella adds to the spec's, declared in the CapabilityStatement like the others:
/// the chart lists a patient's active alerts (R4 has no Flag `status` parameter), and imaging
/// studies are filtered by size.
const EXTRA: &[(&str, ParamRule)] = &[
    ("Flag", spec("status", Kind::Token, &["status"], None, &[])),
    (
        "ImagingStudy",
        spec(
            "number-of-series",
            Kind::Number,
            &["numberOfSeries"],
            None,
            &[],
        ),
    ),
    (
        "ImagingStudy",
        spec(
            "number-of-instances",
            Kind::Number,
            &["numberOfInstances"],
            None,
            &[],
        ),
    ),
];

/// Where the spec's expression is not a path: `Patient.deceased.exists() and … != false`
/// becomes the boolean choice (a recorded date of death is searched with `death-date`).
fn adjust(rtype: &str, rules: &mut Vec<ParamRule>) {
    if rtype == "Patient" {
        rules.push(spec(
            "deceased",
            Kind::Token,
            &["deceasedBoolean"],
            None,
            &[],
        ));
    }
    rules.extend(
        EXTRA
            .iter()
            .filter(|(t, _)| *t == rtype)
            .map(|(_, r)| r.clone()),
    );
    if PEOPLE.contains(&rtype) {
        for r in rules.iter_mut().filter(|r| IDENTIFYING.contains(&r.name)) {
            r.blind = true;
        }
    }
}

/// Marks the parameters that merge others (see [`ParamRule::union_of`]), so each value is
/// stored once: the combo-* parameters were a quarter of an Observation's index rows. Blind
/// parameters keep their own rows (their keyed tokens name the parameter).
fn find_unions(rules: &mut [ParamRule]) {
    find_reference_unions(rules);
    let stores_rows = |r: &ParamRule| r.kind != Kind::Reference && !r.blind;
    // Smaller parameters first: a part must already be known to keep its rows.
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by_key(|&i| rules[i].paths.len());
    for i in order {
        let (name, kind, paths) = (rules[i].name, rules[i].kind, rules[i].paths);
        if !stores_rows(&rules[i]) || paths.len() < 2 {
            continue;
        }
        // Parts: other parameters of the kind whose paths all belong to this one, the largest
        // first, none sharing a path with another.
        let mut parts: Vec<&ParamRule> = rules
            .iter()
            .filter(|c| {
                c.name != name
                    && c.kind == kind
                    && stores_rows(c)
                    && c.union_of.is_empty()
                    && c.paths.len() < paths.len()
                    && c.paths.iter().all(|p| paths.contains(p))
            })
            .collect();
        parts.sort_by_key(|c| std::cmp::Reverse(c.paths.len()));
        let mut covered: Vec<&str> = Vec::new();
        let mut names = Vec::new();
        for c in parts {
            if c.paths.iter().all(|p| !covered.contains(p)) {
                covered.extend_from_slice(c.paths);
                names.push(c.name);
            }
        }
        if paths.iter().all(|p| covered.contains(p)) {
            // Built once per process, with the rule table itself.
            rules[i].union_of = Box::leak(names.into_boxed_slice());
        }
    }
}

/// A reference parameter limited to one target type over the paths of an unlimited one
/// (`patient` = `subject` where the subject is a Patient, in some forty types) is searched over
/// that one's rows with the target type required: each such reference was stored twice, one
/// random index page more on every write of an Observation, Condition, Encounter…
fn find_reference_unions(rules: &mut [ParamRule]) {
    for i in 0..rules.len() {
        let (kind, paths) = (rules[i].kind, rules[i].paths);
        let Some(target) = rules[i].target.filter(|_| kind == Kind::Reference) else {
            continue;
        };
        let same_paths = |c: &ParamRule| {
            c.paths.len() == paths.len() && c.paths.iter().all(|p| paths.contains(p))
        };
        let whole = rules.iter().find(|c| {
            c.kind == Kind::Reference
                && c.target.is_none()
                && !c.blind
                && c.union_of.is_empty()
                && same_paths(c)
                && (c.targets.is_empty() || c.targets.contains(&target))
        });
        if let Some(whole) = whole {
            let name = whole.name;
            rules[i].union_of = Box::leak(vec![name].into_boxed_slice());
        }
    }
}

static RULES: LazyLock<HashMap<&'static str, Vec<ParamRule>>> = LazyLock::new(|| {
    cartella_core::resource_types::R4_RESOURCE_TYPES
        .iter()
        .map(|&rtype| {
            let mut rules = super::spec_rules::by_type(rtype)
                .unwrap_or_default()
                .to_vec();
            rules.extend_from_slice(super::spec_rules::COMMON);
            adjust(rtype, &mut rules);
            find_unions(&mut rules);
            (rtype, rules)
        })
        .collect()
});

/// The rules of a resource type (the Resource-level ones only for a type R4 does not define).
pub fn rules_for(rtype: &str) -> &'static [ParamRule] {
    RULES
        .get(rtype)
        .map_or(super::spec_rules::COMMON, Vec::as_slice)
}

/// Whether a parameter is Cartella's own rather than one of the R4 definitions.
pub fn cartella_defined(rtype: &str, name: &str) -> bool {
    EXTRA.iter().any(|(t, r)| *t == rtype && r.name == name)
}

pub fn rule(rtype: &str, name: &str) -> Option<&'static ParamRule> {
    rules_for(rtype).iter().find(|r| r.name == name)
}

/// Raise when the extraction code changes what it writes for the same rules.
const EXTRACTION_VERSION: u32 = 1;

/// What the index of a database built by this binary depends on: the extraction version and
/// every type's rules. A database indexed under another fingerprint needs `cartella reindex`.
pub fn fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(EXTRACTION_VERSION.to_be_bytes());
    for rtype in cartella_core::resource_types::R4_RESOURCE_TYPES {
        hash.update(format!("{rtype}:{:?};", rules_for(rtype)).as_bytes());
    }
    hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod union_tests {
    use super::*;

    fn sorted(mut v: Vec<&'static str>) -> Vec<&'static str> {
        v.sort_unstable();
        v
    }

    #[test]
    fn observation_combos_merge_the_value_and_component_parameters() {
        let union = |name| sorted(rule("Observation", name).unwrap().union_of.to_vec());
        assert_eq!(union("combo-code"), ["code", "component-code"]);
        assert_eq!(
            union("combo-value-quantity"),
            ["component-value-quantity", "value-quantity"]
        );
        assert_eq!(
            union("combo-value-concept"),
            ["component-value-concept", "value-concept"]
        );
        assert!(rule("Observation", "code").unwrap().union_of.is_empty());
        // Blind parameters always keep their own rows; a merged reference is limited to one
        // target type over an unlimited one.
        for t in cartella_core::resource_types::R4_RESOURCE_TYPES {
            for r in rules_for(t).iter().filter(|r| !r.union_of.is_empty()) {
                assert!(!r.blind, "{t}.{}", r.name);
                if r.kind == Kind::Reference {
                    let whole = rule(t, r.union_of[0]).unwrap();
                    assert!(
                        r.union_of.len() == 1 && r.target.is_some(),
                        "{t}.{}",
                        r.name
                    );
                    assert!(whole.target.is_none(), "{t}.{}", r.name);
                }
                let mut paths: Vec<&str> = r
                    .union_of
                    .iter()
                    .flat_map(|n| {
                        let part = rule(t, n).unwrap();
                        assert!(part.union_of.is_empty() && part.kind == r.kind);
                        part.paths.iter().copied()
                    })
                    .collect();
                paths.sort_unstable();
                assert_eq!(paths, sorted(r.paths.to_vec()), "{t}.{}", r.name);
            }
        }
    }

    #[test]
    fn patient_references_are_searched_over_the_subject_rows() {
        for t in [
            "Observation",
            "Condition",
            "Encounter",
            "DiagnosticReport",
            "Procedure",
        ] {
            let patient = rule(t, "patient").unwrap();
            assert_eq!(patient.union_of, ["subject"], "{t}");
            assert_eq!(patient.target, Some("Patient"), "{t}");
            assert!(rule(t, "subject").unwrap().union_of.is_empty(), "{t}");
        }
        // AllergyIntolerance.patient is its own element: it keeps its rows.
        assert!(
            rule("AllergyIntolerance", "patient")
                .unwrap()
                .union_of
                .is_empty()
        );
    }
}
