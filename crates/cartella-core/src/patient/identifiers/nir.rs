//! French NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale"): 13 characters
//! and a 2-digit key, 97 − (number mod 97); Corsican departments 2A and 2B count as 19 and 18.

use std::fmt;

/// A NIR with a correct key, 15 characters without spaces (`2A`/`2B` kept as written).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nir(String);

impl Nir {
    /// The FHIR identifier system (INS-NIR, the OID the French FHIR profiles use).
    pub const SYSTEM: &'static str = "urn:oid:1.2.250.1.213.1.4.8";

    /// Parse what the user typed: spaces, dots and dashes are ignored, case does not matter.
    pub fn parse(raw: &str) -> Option<Self> {
        let nir: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if nir.len() != 15 || !nir.is_ascii() {
            return None;
        }
        let (body, key) = nir.split_at(13);
        // Sex (1/2; 3/4 and 7/8 for provisional numbers), year, month, department.
        if !matches!(body.as_bytes()[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
            return None;
        }
        let month: u32 = body[3..5].parse().ok()?;
        // 20-42 and 50-99 are used when the month of birth is unknown.
        if !(1..=12).contains(&month) && !(20..=42).contains(&month) && month < 50 {
            return None;
        }
        let department = &body[5..7];
        let numeric = match department {
            "2A" => format!("{}19{}", &body[..5], &body[7..]),
            "2B" => format!("{}18{}", &body[..5], &body[7..]),
            _ => body.to_owned(),
        };
        if !numeric.bytes().all(|b| b.is_ascii_digit()) || !key.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let number: u64 = numeric.parse().ok()?;
        let key: u64 = key.parse().ok()?;
        (key == 97 - number % 97).then_some(Nir(nir))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_with_or_without_spaces() {
        for ok in [
            "185057800608491",
            "1 85 05 78 006 084 91",
            "269029934173285",
            "164059935012784",
        ] {
            assert!(Nir::parse(ok).is_some(), "{ok} should be valid");
        }
        assert_eq!(
            Nir::parse("1 85 05 78 006 084 91").unwrap().as_str(),
            "185057800608491"
        );
    }

    #[test]
    fn corsica_counts_2a_as_19_and_2b_as_18() {
        assert!(Nir::parse("285102B12345690").is_some());
        assert!(Nir::parse("2 85 10 2b 123 456 90").is_some());
        assert!(Nir::parse("285102A12345663").is_some());
        // The same digits under 2A need another key.
        assert!(Nir::parse("285102A12345690").is_none());
        assert!(Nir::parse("285102C12345690").is_none());
    }

    #[test]
    fn refuses_wrong_keys_and_shapes() {
        for bad in [
            "185057800608492", // wrong key
            "185057800608400",
            "18505780060849",  // too short
            "585057800608491", // no such sex digit
            "185137800608491", // month 13
            "18505780060849A",
            "",
        ] {
            assert!(Nir::parse(bad).is_none(), "{bad} should be refused");
        }
    }
}
