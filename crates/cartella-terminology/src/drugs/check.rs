//! Prescribing checks: a drug against the patient's documented allergies (same drug, same
//! class, known cross-reactivity) and active medications (interaction rules).

use serde::Serialize;

use super::model::Severity;
use super::rules::{Message, Rule, Rules, Target};
use crate::text::normalise_name;

/// Why an alert was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The drug, or its class, is a documented allergy.
    Allergy,
    /// A documented allergy is known to cross-react with the drug's class.
    CrossReactivity,
    /// The drug interacts with an active medication.
    Interaction,
}

/// One prescribing alert. Overriding it is the caller's business (reason + audit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// The prescribed drug: its INN when known, else the text as given.
    pub drug: String,
    /// The allergy or active medication that triggered the alert, as given.
    pub trigger: String,
    pub message: Message,
    pub source: String,
}

const ALLERGY_SOURCE: &str =
    "Patient allergy record; drug classes from the WHO ATC classification and the BNF";

impl Rules {
    /// Alerts for prescribing `drug` to a patient with `allergies` who takes `active_meds`, most
    /// severe first. Names are free text, matched by INN, synonym or class, case- and
    /// accent-insensitively; unknown names only match themselves.
    pub fn check_prescription(
        &self,
        drug: &str,
        allergies: &[&str],
        active_meds: &[&str],
    ) -> Vec<Alert> {
        let prescribed = self.resolve(drug);
        let drug_label = prescribed.map_or_else(|| drug.trim().to_owned(), |t| self.label(t));
        let mut alerts = Vec::new();
        for allergy in allergies {
            if let Some(alert) = self.allergy_alert(drug, prescribed, &drug_label, allergy) {
                alerts.push(alert);
            }
        }
        if let Some(prescribed) = prescribed {
            let ours = self.memberships(prescribed);
            for med in active_meds {
                let Some(theirs) = self.resolve(med) else {
                    continue;
                };
                if theirs == prescribed {
                    continue; // the same drug again is a duplicate, not an interaction
                }
                let theirs = self.memberships(theirs);
                let fires = |r: &&Rule| {
                    (ours.contains(&r.a) && theirs.contains(&r.b))
                        || (ours.contains(&r.b) && theirs.contains(&r.a))
                };
                // Overlapping rules (VKA + NSAID, anticoagulant + NSAID) give one alert per pair:
                // the most severe, the more specific (earlier) rule on a tie.
                if let Some(rule) = self
                    .interactions
                    .iter()
                    .filter(fires)
                    .min_by_key(|r| std::cmp::Reverse(r.severity))
                {
                    alerts.push(Alert {
                        kind: AlertKind::Interaction,
                        severity: rule.severity,
                        drug: drug_label.clone(),
                        trigger: med.trim().to_owned(),
                        message: rule.message.clone(),
                        source: rule.source.clone(),
                    });
                }
            }
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.severity));
        alerts
    }

    fn allergy_alert(
        &self,
        drug: &str,
        prescribed: Option<Target>,
        drug_label: &str,
        allergy: &str,
    ) -> Option<Alert> {
        let allergen = self.resolve(allergy);
        let alert = |kind, severity, message, source: &str| Alert {
            kind,
            severity,
            drug: drug_label.to_owned(),
            trigger: allergy.trim().to_owned(),
            message,
            source: source.to_owned(),
        };
        let (Some(prescribed), Some(allergen)) = (prescribed, allergen) else {
            // Uncoded names can still match each other literally.
            let same = !normalise_name(allergy).is_empty()
                && normalise_name(allergy) == normalise_name(drug);
            return same.then(|| {
                alert(
                    AlertKind::Allergy,
                    Severity::Contraindicated,
                    same_drug(drug_label, allergy),
                    ALLERGY_SOURCE,
                )
            });
        };
        let ours = self.memberships(prescribed);
        if allergen == prescribed {
            return Some(alert(
                AlertKind::Allergy,
                Severity::Contraindicated,
                same_drug(drug_label, allergy),
                ALLERGY_SOURCE,
            ));
        }
        if let Target::Class(c) = allergen
            && ours.contains(&allergen)
        {
            return Some(alert(
                AlertKind::Allergy,
                Severity::Contraindicated,
                in_class(drug_label, &self.classes[c].name),
                ALLERGY_SOURCE,
            ));
        }
        let theirs = self.memberships(allergen);
        // An allergy to one member of an allergy group (penicillins, NSAIDs, ...) covers the group.
        let shared_group = theirs.iter().find_map(|t| match t {
            Target::Class(c) if self.classes[*c].allergy_group && ours.contains(t) => Some(*c),
            _ => None,
        });
        if let Some(c) = shared_group {
            return Some(alert(
                AlertKind::Allergy,
                Severity::Major,
                same_class(drug_label, allergy, &self.classes[c].name),
                ALLERGY_SOURCE,
            ));
        }
        let rule = self
            .cross
            .iter()
            .filter(|r| theirs.contains(&r.a) && ours.contains(&r.b))
            .min_by_key(|r| std::cmp::Reverse(r.severity))?;
        Some(alert(
            AlertKind::CrossReactivity,
            rule.severity,
            rule.message.clone(),
            &rule.source,
        ))
    }
}

fn same_drug(drug: &str, allergy: &str) -> Message {
    let allergy = allergy.trim();
    Message {
        en: format!(
            "Documented allergy to {allergy}: do not prescribe {drug} without a documented reason."
        ),
        it: Some(format!(
            "Allergia documentata a {allergy}: non prescrivere {drug} senza una motivazione documentata."
        )),
        fr: Some(format!(
            "Allergie documentée à {allergy} : ne pas prescrire {drug} sans motif documenté."
        )),
        de: Some(format!(
            "Dokumentierte Allergie gegen {allergy}: {drug} nicht ohne dokumentierte Begründung verordnen."
        )),
    }
}

fn in_class(drug: &str, class: &Message) -> Message {
    let name = |lang| class.get(lang).to_owned();
    use crate::text::Lang::{De, En, Fr, It};
    Message {
        en: format!(
            "Documented allergy ({}): {drug} belongs to this class.",
            name(En)
        ),
        it: Some(format!(
            "Allergia documentata ({}): {drug} appartiene a questa classe.",
            name(It)
        )),
        fr: Some(format!(
            "Allergie documentée ({}) : {drug} appartient à cette classe.",
            name(Fr)
        )),
        de: Some(format!(
            "Dokumentierte Allergie ({}): {drug} gehört zu dieser Klasse.",
            name(De)
        )),
    }
}

fn same_class(drug: &str, allergy: &str, class: &Message) -> Message {
    let allergy = allergy.trim();
    let name = |lang| class.get(lang).to_owned();
    use crate::text::Lang::{De, En, Fr, It};
    Message {
        en: format!(
            "Documented allergy to {allergy} ({}): {drug} is in the same class; cross-sensitivity is likely.",
            name(En)
        ),
        it: Some(format!(
            "Allergia documentata a {allergy} ({}): {drug} è della stessa classe; probabile sensibilità crociata.",
            name(It)
        )),
        fr: Some(format!(
            "Allergie documentée à {allergy} ({}) : {drug} est de la même classe ; sensibilité croisée probable.",
            name(Fr)
        )),
        de: Some(format!(
            "Dokumentierte Allergie gegen {allergy} ({}): {drug} gehört zur selben Klasse; Kreuzallergie wahrscheinlich.",
            name(De)
        )),
    }
}
