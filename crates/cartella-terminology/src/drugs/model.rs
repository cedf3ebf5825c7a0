//! The TOML format of the drug tables (`data/drug-classes.toml`, `data/drug-rules.toml`) and of a
//! practice's extension file: classes, drugs, allergy cross-reactivity and interaction rules.
//! Unknown keys are refused so a typo cannot silently disable a rule.

use serde::{Deserialize, Serialize};

/// How serious an alert is, least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Moderate,
    Major,
    Contraindicated,
}

/// Translations of a label or message; English lives beside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Names {
    pub it: Option<String>,
    pub fr: Option<String>,
    pub de: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub class: Vec<ClassDef>,
    #[serde(default)]
    pub drug: Vec<DrugDef>,
    #[serde(default)]
    pub cross_reactivity: Vec<CrossDef>,
    #[serde(default)]
    pub interaction: Vec<InteractionDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassDef {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub names: Names,
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Classes this one belongs to; they must be defined before it.
    #[serde(default)]
    pub parents: Vec<String>,
    /// An allergy to one member counts as an allergy to every member.
    #[serde(default)]
    pub allergy_group: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DrugDef {
    pub inn: String,
    pub atc: Option<String>,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrossDef {
    /// The documented allergy (drug or class) ...
    pub allergy: String,
    /// ... and the drug or class it cross-reacts with.
    pub drug: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub messages: Names,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InteractionDef {
    pub a: String,
    pub b: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub messages: Names,
    pub source: String,
}
