//! Small validated values of the patient record: sex, preferred language, e-mail, phone number
//! and birth date, each built by a fallible constructor.

use jiff::civil::Date;
use std::fmt;

/// Administrative sex, as FHIR `Patient.gender`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
    Other,
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Male, Sex::Female, Sex::Other, Sex::Unknown];
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }
    pub fn parse(raw: &str) -> Option<Sex> {
        let raw = raw.trim();
        Sex::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw))
    }
}

/// The languages Cartella speaks (BCP 47 primary tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    It,
    Fr,
    De,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::It, Language::Fr, Language::De, Language::En];
    pub fn as_str(self) -> &'static str {
        match self {
            Language::It => "it",
            Language::Fr => "fr",
            Language::De => "de",
            Language::En => "en",
        }
    }
    pub fn parse(raw: &str) -> Option<Language> {
        let raw = raw.trim();
        Language::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(raw))
    }
}

/// An e-mail address of plausible shape (one `@`, a dotted domain, no spaces), at most 254
/// characters; whether it exists is not ours to know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Option<Email> {
        let e = raw.trim();
        let (local, domain) = e.split_once('@')?;
        let ok = e.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !e.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then(|| Email(e.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number as people write it: digits with optional leading `+`, spaces, dots, dashes,
/// slashes and parentheses; 6 to 15 digits (E.164's maximum).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Option<PhoneNumber> {
        let p = raw.trim();
        let rest = p.strip_prefix('+').unwrap_or(p);
        let allowed = rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')'));
        let digits = rest.chars().filter(char::is_ascii_digit).count();
        (allowed && (6..=15).contains(&digits)).then(|| PhoneNumber(p.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date as typed: `YYYY-MM-DD`, `dd/mm/yyyy` or `dd.mm.yyyy` (the Italian, French
/// and German habits). `None` when it is not a real date.
pub fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let (y, m, d) = if raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-' {
        (&raw[..4], &raw[5..7], &raw[8..])
    } else {
        let sep = if raw.contains('/') { '/' } else { '.' };
        let mut parts = raw.split(sep);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || d.is_empty() || d.len() > 2 || m.len() > 2 {
            return None;
        }
        (y, m, d)
    };
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_three_habits() {
        let d = Date::new(1985, 12, 10).unwrap();
        assert_eq!(parse_date("1985-12-10"), Some(d));
        assert_eq!(parse_date("10/12/1985"), Some(d));
        assert_eq!(parse_date("10.12.1985"), Some(d));
        assert_eq!(parse_date("1.2.1985"), Date::new(1985, 2, 1).ok());
        for bad in [
            "1985-02-30",
            "31/04/1985",
            "1985",
            "10/12/85",
            "x",
            "",
            "1985-1-1",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn phones_and_emails() {
        assert!(PhoneNumber::parse("+39 02 1234 5678").is_some());
        assert!(PhoneNumber::parse("(030) 123-4567").is_some());
        assert!(PhoneNumber::parse("12345").is_none());
        assert!(PhoneNumber::parse("call me").is_none());
        assert!(PhoneNumber::parse("+39 02 1234 5678 9999 1").is_none());
        assert!(Email::parse("anna.rossi@example.it").is_some());
        for bad in [
            "anna",
            "anna@",
            "@example.it",
            "a@b",
            "a b@example.it",
            "a@@b.it",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad}");
        }
    }
}
