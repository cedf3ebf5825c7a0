//! The compiled rule tables: classes (with parents), drugs (with the closure of their classes),
//! a name index (INN, synonyms, class ids and names, all normalised) and the rules, built from
//! TOML and validated with a path to every error. Extending is all-or-nothing.

use std::collections::HashMap;

use super::model::{Names, RuleFile, Severity};
use crate::TermError;
use crate::text::{Lang, normalise_name};

/// A drug or a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Drug(usize),
    Class(usize),
}

/// An English text with optional translations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Message {
    pub en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub it: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
}

impl Message {
    pub(crate) fn new(en: String, names: Names) -> Message {
        Message {
            en,
            it: names.it,
            fr: names.fr,
            de: names.de,
        }
    }

    /// The text in `lang`, English where no translation exists.
    pub fn get(&self, lang: Lang) -> &str {
        let translated = match lang {
            Lang::En => None,
            Lang::It => self.it.as_deref(),
            Lang::Fr => self.fr.as_deref(),
            Lang::De => self.de.as_deref(),
        };
        translated.unwrap_or(&self.en)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Class {
    pub id: String,
    pub name: Message,
    /// This class and all its ancestors.
    pub closure: Vec<usize>,
    pub allergy_group: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Drug {
    pub inn: String,
    pub atc: Option<String>,
    /// Every class the drug belongs to, ancestors included.
    pub classes: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub a: Target,
    pub b: Target,
    pub severity: Severity,
    pub message: Message,
    pub source: String,
}

/// Drug classes, drugs, allergy cross-reactivity and interaction rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub(crate) classes: Vec<Class>,
    pub(crate) drugs: Vec<Drug>,
    pub(crate) cross: Vec<Rule>,
    pub(crate) interactions: Vec<Rule>,
    pub(crate) names: HashMap<String, Target>,
}

fn err(path: String, message: impl Into<String>) -> TermError {
    TermError::Rules {
        path,
        message: message.into(),
    }
}

impl Rules {
    /// Adds the classes, drugs and rules of a TOML document (the format of
    /// `data/drug-classes.toml` and `data/drug-rules.toml`). Nothing is added unless the whole
    /// document is valid; the error names the first problem by path (`drug[2].classes[0]`,
    /// 0-based) or, for TOML syntax and types, by line and column.
    pub fn extend_from_toml(&mut self, source: &str) -> Result<(), TermError> {
        let file: RuleFile =
            toml::from_str(source).map_err(|e| err("toml".into(), e.to_string().trim_end()))?;
        let mut next = self.clone();
        next.add(file)?;
        *self = next;
        Ok(())
    }

    fn add(&mut self, file: RuleFile) -> Result<(), TermError> {
        for (i, def) in file.class.into_iter().enumerate() {
            let at = |field: &str| format!("class[{i}].{field}");
            if normalise_name(&def.id).is_empty() || def.name.trim().is_empty() {
                return Err(err(at("id"), "a class needs an id and a name"));
            }
            let idx = self.classes.len();
            let mut closure = vec![idx];
            for (j, parent) in def.parents.iter().enumerate() {
                match self.lookup(parent) {
                    Some(Target::Class(p)) => {
                        closure.extend(self.classes[p].closure.iter().copied())
                    }
                    _ => {
                        return Err(err(
                            at(&format!("parents[{j}]")),
                            format!("unknown class `{parent}` (parents must be defined first)"),
                        ));
                    }
                }
            }
            closure.sort_unstable();
            closure.dedup();
            self.claim(&def.id, Target::Class(idx), at("id"))?;
            for (field, name) in [
                ("name", Some(&def.name)),
                ("names.it", def.names.it.as_ref()),
                ("names.fr", def.names.fr.as_ref()),
                ("names.de", def.names.de.as_ref()),
            ] {
                if let Some(name) = name {
                    self.claim(name, Target::Class(idx), at(field))?;
                }
            }
            for (j, synonym) in def.synonyms.iter().enumerate() {
                self.claim(synonym, Target::Class(idx), at(&format!("synonyms[{j}]")))?;
            }
            let name = Message::new(def.name, def.names);
            self.classes.push(Class {
                id: def.id,
                name,
                closure,
                allergy_group: def.allergy_group,
            });
        }
        for (i, def) in file.drug.into_iter().enumerate() {
            let at = |field: &str| format!("drug[{i}].{field}");
            if let Some(atc) = &def.atc
                && !is_atc(atc)
            {
                return Err(err(
                    at("atc"),
                    format!("`{atc}` is not a 7-character ATC code (e.g. J01CA04)"),
                ));
            }
            let idx = self.drugs.len();
            let mut classes = Vec::new();
            for (j, class) in def.classes.iter().enumerate() {
                match self.lookup(class) {
                    Some(Target::Class(c)) => {
                        classes.extend(self.classes[c].closure.iter().copied())
                    }
                    _ => {
                        return Err(err(
                            at(&format!("classes[{j}]")),
                            format!("unknown class `{class}`"),
                        ));
                    }
                }
            }
            classes.sort_unstable();
            classes.dedup();
            self.claim(&def.inn, Target::Drug(idx), at("inn"))?;
            for (j, synonym) in def.synonyms.iter().enumerate() {
                self.claim(synonym, Target::Drug(idx), at(&format!("synonyms[{j}]")))?;
            }
            self.drugs.push(Drug {
                inn: def.inn,
                atc: def.atc,
                classes,
            });
        }
        for (i, def) in file.cross_reactivity.into_iter().enumerate() {
            let rule = self.rule(
                format!("cross_reactivity[{i}]"),
                [("allergy", &def.allergy), ("drug", &def.drug)],
                def.severity,
                def.message,
                def.messages,
                def.source,
            )?;
            self.cross.push(rule);
        }
        for (i, def) in file.interaction.into_iter().enumerate() {
            let rule = self.rule(
                format!("interaction[{i}]"),
                [("a", &def.a), ("b", &def.b)],
                def.severity,
                def.message,
                def.messages,
                def.source,
            )?;
            self.interactions.push(rule);
        }
        Ok(())
    }

    fn rule(
        &self,
        at: String,
        sides: [(&str, &String); 2],
        severity: Severity,
        message: String,
        messages: Names,
        source: String,
    ) -> Result<Rule, TermError> {
        let mut targets = [Target::Drug(0); 2];
        for (k, (field, name)) in sides.into_iter().enumerate() {
            targets[k] = self.lookup(name).ok_or_else(|| {
                err(
                    format!("{at}.{field}"),
                    format!("unknown drug or class `{name}`"),
                )
            })?;
        }
        if message.trim().is_empty() {
            return Err(err(format!("{at}.message"), "a rule needs a message"));
        }
        if source.trim().is_empty() {
            return Err(err(
                format!("{at}.source"),
                "a rule needs its source (e.g. BNF Appendix 1)",
            ));
        }
        Ok(Rule {
            a: targets[0],
            b: targets[1],
            severity,
            message: Message::new(message, messages),
            source,
        })
    }

    /// Registers a name for a target; the same name for another target is an error.
    fn claim(&mut self, name: &str, target: Target, path: String) -> Result<(), TermError> {
        let key = normalise_name(name);
        if key.is_empty() {
            return Err(err(path, "a name cannot be empty"));
        }
        match self.names.get(&key) {
            Some(existing) if *existing != target => Err(err(
                path,
                format!("`{name}` already names {}", self.label(*existing)),
            )),
            _ => {
                self.names.insert(key, target);
                Ok(())
            }
        }
    }

    /// The drug or class a name (INN, synonym, class id or name) stands for, exactly.
    pub(crate) fn lookup(&self, name: &str) -> Option<Target> {
        self.names.get(&normalise_name(name)).copied()
    }

    /// The drug or class free text refers to: an exact name, else the longest known name that
    /// appears in it as whole words (`"Amoxicillina 1 g cpr"` → amoxicillin).
    pub(crate) fn resolve(&self, text: &str) -> Option<Target> {
        let norm = normalise_name(text);
        if let Some(t) = self.names.get(&norm) {
            return Some(*t);
        }
        self.names
            .iter()
            .filter(|(name, _)| contains_words(&norm, name))
            .max_by_key(|(name, _)| (name.len(), std::cmp::Reverse(*name)))
            .map(|(_, t)| *t)
    }

    /// A target and everything it belongs to: a drug with its classes, a class with its ancestors.
    pub(crate) fn memberships(&self, target: Target) -> Vec<Target> {
        match target {
            Target::Drug(d) => std::iter::once(target)
                .chain(self.drugs[d].classes.iter().map(|&c| Target::Class(c)))
                .collect(),
            Target::Class(c) => self.classes[c]
                .closure
                .iter()
                .map(|&c| Target::Class(c))
                .collect(),
        }
    }

    /// The canonical English label of a target: the INN or the class name.
    pub(crate) fn label(&self, target: Target) -> String {
        match target {
            Target::Drug(d) => self.drugs[d].inn.clone(),
            Target::Class(c) => self.classes[c].name.en.clone(),
        }
    }

    /// The canonical INN of a drug named in free text, if it is known.
    pub fn canonical_drug(&self, text: &str) -> Option<&str> {
        match self.resolve(text)? {
            Target::Drug(d) => Some(&self.drugs[d].inn),
            Target::Class(_) => None,
        }
    }

    /// The ATC code of a drug named in free text, if known.
    pub fn atc(&self, text: &str) -> Option<&str> {
        match self.resolve(text)? {
            Target::Drug(d) => self.drugs[d].atc.as_deref(),
            Target::Class(_) => None,
        }
    }

    /// The class ids a drug named in free text belongs to (ancestors included).
    pub fn classes_of(&self, text: &str) -> Vec<&str> {
        match self.resolve(text) {
            Some(Target::Drug(d)) => self.drugs[d]
                .classes
                .iter()
                .map(|&c| self.classes[c].id.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether free text names a known drug or class (to tell the user an entry is not coded).
    pub fn recognises(&self, text: &str) -> bool {
        self.resolve(text).is_some()
    }

    /// Counts for diagnostics: (classes, drugs, cross-reactivity rules, interaction rules).
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.classes.len(),
            self.drugs.len(),
            self.cross.len(),
            self.interactions.len(),
        )
    }
}

/// Whether `needle` occurs in `haystack` as whole words (both normalised: words joined by one
/// space). Allocation-free: this runs for every known name on every unresolved text.
fn contains_words(haystack: &str, needle: &str) -> bool {
    let bytes = haystack.as_bytes();
    haystack.match_indices(needle).any(|(at, _)| {
        let end = at + needle.len();
        (at == 0 || bytes[at - 1] == b' ') && (end == bytes.len() || bytes[end] == b' ')
    })
}

/// A full WHO ATC code: letter, 2 digits, 2 letters, 2 digits (`J01CA04`).
fn is_atc(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 7
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3..5].iter().all(u8::is_ascii_uppercase)
        && b[5..7].iter().all(u8::is_ascii_digit)
}
