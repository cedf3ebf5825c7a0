//! Drug classes, allergy cross-reactivity and drug-drug interactions for alerts at prescribing
//! time. A curated starter set ships in `data/drug-classes.toml` and `data/drug-rules.toml`
//! (each rule naming its source); a practice adds its own with [`Rules::extend_from_toml`].

mod check;
mod model;
mod rules;

use std::sync::LazyLock;

pub use check::{Alert, AlertKind};
pub use model::Severity;
pub use rules::{Message, Rules};

const CLASSES_TOML: &str = include_str!("../../data/drug-classes.toml");
const RULES_TOML: &str = include_str!("../../data/drug-rules.toml");

static BUILTIN: LazyLock<Rules> = LazyLock::new(|| {
    let mut rules = Rules::default();
    rules
        .extend_from_toml(CLASSES_TOML)
        .expect("data/drug-classes.toml is valid");
    rules
        .extend_from_toml(RULES_TOML)
        .expect("data/drug-rules.toml is valid");
    rules
});

impl Rules {
    /// The shipped starter set. Clone it and extend the clone for a practice's own rules.
    pub fn builtin() -> &'static Rules {
        &BUILTIN
    }
}

/// [`Rules::check_prescription`] with the shipped rules.
pub fn check_prescription(drug: &str, allergies: &[&str], active_meds: &[&str]) -> Vec<Alert> {
    BUILTIN.check_prescription(drug, allergies, active_meds)
}

#[cfg(test)]
mod tests;
