//! Italian codice fiscale (persons): 16 characters, a check letter computed from the other 15,
//! and omocodia (digits replaced by letters when two people would share a code).

use std::fmt;

/// A structurally valid codice fiscale with a correct check letter, upper case, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodiceFiscale(String);

/// Letters that stand for the digits 0-9 under omocodia.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// Positions (0-based) of the digits that omocodia may replace.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Month letters January..December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd (1-based) positions, for 0-9 and A-Z alike (digit d = letter d).
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

impl CodiceFiscale {
    /// The FHIR identifier system (HL7 Italy).
    pub const SYSTEM: &'static str = "http://hl7.it/sid/codiceFiscale";

    /// Parse what the user typed: spaces are ignored and case does not matter.
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = code.as_bytes();
        if b.len() != 16 || !b.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        for (i, &c) in b.iter().enumerate() {
            let ok = if DIGIT_POSITIONS.contains(&i) {
                c.is_ascii_digit() || OMOCODIA.contains(&c)
            } else if i == 8 {
                MONTHS.contains(&c)
            } else {
                c.is_ascii_uppercase()
            };
            if !ok {
                return None;
            }
        }
        // Day of birth (+40 for women), read through omocodia.
        let day = digit(b[9]) * 10 + digit(b[10]);
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return None;
        }
        (check_letter(&b[..15]) == b[15]).then_some(CodiceFiscale(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The digit a position holds, whether written as a digit or as its omocodia letter.
fn digit(c: u8) -> u32 {
    if c.is_ascii_digit() {
        u32::from(c - b'0')
    } else {
        OMOCODIA.iter().position(|&l| l == c).unwrap_or(0) as u32
    }
}

fn check_letter(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let index = if c.is_ascii_digit() {
                c - b'0'
            } else {
                c - b'A'
            } as usize;
            if i % 2 == 0 { ODD[index] } else { index as u32 }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_codes_in_any_case_and_spacing() {
        for ok in [
            "RSSMRA85T10A562S",
            "rssmra85t10a562s",
            "RSS MRA 85T10 A562S",
            // Women: day + 40.
            "BNCGNN80A41H501X",
            "MRTMTT25D09F205Z",
        ] {
            assert!(CodiceFiscale::parse(ok).is_some(), "{ok} should be valid");
        }
        assert_eq!(
            CodiceFiscale::parse("rssmra85t10a562s").unwrap().as_str(),
            "RSSMRA85T10A562S"
        );
    }

    #[test]
    fn accepts_omocodia_substitutions() {
        // 2 -> N, then 6 -> R: each substitution has its own check letter.
        assert!(CodiceFiscale::parse("RSSMRA85T10A56NH").is_some());
        assert!(CodiceFiscale::parse("RSSMRA85T10A5RNS").is_some());
    }

    #[test]
    fn refuses_wrong_check_letter_structure_and_length() {
        for bad in [
            "RSSMRA85T10A562T", // wrong check letter
            "RSSMRA85T10A562",  // too short
            "RSSMRA85T10A562SS",
            "RSSMRA85Z10A562S", // Z is no month
            "RSSMRA85T99A562S", // day 99
            "RSSMRA85T10A56AS", // A is not an omocodia letter
            "1SSMRA85T10A562S",
            "",
        ] {
            assert!(
                CodiceFiscale::parse(bad).is_none(),
                "{bad} should be refused"
            );
        }
    }
}
