//! `Icd10Code`: a category or subcategory code of the shipped ICD-10-CM release, held in its
//! canonical spelling (`M54.50`). Parsing checks both the shape and that the code exists.

use std::fmt;

use super::{Icd10, Icd10Entry, Icd10Kind};
use crate::TermError;

/// A valid ICD-10-CM category or subcategory code, canonically spelled (upper case, with dot).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Icd10Code(String);

impl Icd10Code {
    /// Accepts any spelling (`m545`, ` M54.5 `) of an existing category or subcategory.
    pub fn parse(input: &str) -> Result<Icd10Code, TermError> {
        let trimmed = input.trim();
        if !well_formed(trimmed) {
            return Err(TermError::Icd10Format(input.to_owned()));
        }
        match Icd10::get(trimmed) {
            Some(e) if matches!(e.kind(), Icd10Kind::Category | Icd10Kind::Subcategory) => {
                Ok(Icd10Code(e.code().to_owned()))
            }
            _ => Err(TermError::Icd10Unknown(trimmed.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The classification row of this code (always present: parsing checked it).
    pub fn entry(&self) -> Icd10Entry {
        Icd10::get(&self.0).expect("an Icd10Code exists in the table")
    }

    pub fn is_billable(&self) -> bool {
        self.entry().is_billable()
    }

    pub fn description(&self) -> &'static str {
        self.entry().description()
    }
}

/// Letter, digit, alphanumeric, then optionally up to four alphanumerics; a dot is allowed only
/// after the third character.
fn well_formed(code: &str) -> bool {
    let (head, tail) = match code.split_once('.') {
        Some((head, tail)) => {
            if tail.is_empty() {
                return false;
            }
            (head, tail)
        }
        None if code.len() > 3 => code.split_at_checked(3).unwrap_or((code, "")),
        None => (code, ""),
    };
    let h = head.as_bytes();
    h.len() == 3
        && h[0].is_ascii_alphabetic()
        && h[1].is_ascii_digit()
        && h[2].is_ascii_alphanumeric()
        && tail.len() <= 4
        && tail.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl fmt::Display for Icd10Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Icd10Code {
    type Err = TermError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Icd10Code::parse(s)
    }
}

impl TryFrom<String> for Icd10Code {
    type Error = TermError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Icd10Code::parse(&s)
    }
}

impl From<Icd10Code> for String {
    fn from(code: Icd10Code) -> String {
        code.0
    }
}

impl serde::Serialize for Icd10Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Icd10Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Icd10Code::parse(&raw).map_err(serde::de::Error::custom)
    }
}
