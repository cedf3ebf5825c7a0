//! `LoincCode`: a LOINC code whose shape and mod-10 check digit are valid (`8480-6`). Whether
//! Cartella ships the term is a separate question: see [`super::get`].

use std::fmt;

use crate::TermError;

/// A well-formed LOINC code with a correct check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LoincCode(String);

impl LoincCode {
    pub fn parse(input: &str) -> Result<LoincCode, TermError> {
        let code = input.trim();
        let Some((body, check)) = code.split_once('-') else {
            return Err(TermError::LoincFormat(input.to_owned()));
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(body) || body.len() > 7 || check.len() != 1 || !digits(check) {
            return Err(TermError::LoincFormat(input.to_owned()));
        }
        if check_digit(body) != check.as_bytes()[0] - b'0' {
            return Err(TermError::LoincCheckDigit(input.to_owned()));
        }
        Ok(LoincCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// LOINC's mod-10 check digit (the Luhn algorithm): from the right, every other digit starting
/// with the last is doubled, the digits of all terms are summed, and the check digit brings the
/// sum up to a multiple of ten.
pub(crate) fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                (2 * d) / 10 + (2 * d) % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for LoincCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for LoincCode {
    type Err = TermError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LoincCode::parse(s)
    }
}

impl serde::Serialize for LoincCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for LoincCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        LoincCode::parse(&raw).map_err(serde::de::Error::custom)
    }
}
