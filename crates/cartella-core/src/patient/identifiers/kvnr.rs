//! German Krankenversichertennummer (the unchangeable part, KVID-10): a letter, eight digits
//! and a check digit (GKV algorithm: the letter as its two-digit position in the alphabet,
//! weights 1-2-1-2…, cross sums of the products, sum mod 10).

use std::fmt;

/// A KVNR with a correct check digit, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kvnr(String);

impl Kvnr {
    /// The FHIR identifier system (gematik / HL7 Germany).
    pub const SYSTEM: &'static str = "http://fhir.de/sid/gkv/kvid-10";

    pub fn parse(raw: &str) -> Option<Self> {
        let k: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = k.as_bytes();
        if b.len() != 10 || !b[0].is_ascii_uppercase() || !b[1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let letter = u32::from(b[0] - b'A' + 1);
        let digits = [letter / 10, letter % 10]
            .into_iter()
            .chain(b[1..9].iter().map(|d| u32::from(d - b'0')));
        let sum: u32 = digits
            .enumerate()
            .map(|(i, d)| {
                let p = d * if i % 2 == 0 { 1 } else { 2 };
                p / 10 + p % 10
            })
            .sum();
        (sum % 10 == u32::from(b[9] - b'0')).then_some(Kvnr(k))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kvnr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers() {
        // X110411675 is gematik's published example.
        for ok in ["X110411675", "A123456780", "t555555556", "M123456785"] {
            assert!(Kvnr::parse(ok).is_some(), "{ok} should be valid");
        }
    }

    #[test]
    fn refuses_wrong_check_digits_and_shapes() {
        for bad in [
            "X110411676",
            "A123456789",
            "A12345678",
            "1123456780",
            "AA23456780",
            "",
        ] {
            assert!(Kvnr::parse(bad).is_none(), "{bad} should be refused");
        }
    }
}
