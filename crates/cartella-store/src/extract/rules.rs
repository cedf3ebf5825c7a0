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

static RULES: LazyLock<HashMap<&'static str, Vec<ParamRule>>> = LazyLock::new(|| {
    cartella_core::resource_types::R4_RESOURCE_TYPES
        .iter()
        .map(|&rtype| {
            let mut rules = super::spec_rules::by_type(rtype)
                .unwrap_or_default()
                .to_vec();
            rules.extend_from_slice(super::spec_rules::COMMON);
            adjust(rtype, &mut rules);
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
