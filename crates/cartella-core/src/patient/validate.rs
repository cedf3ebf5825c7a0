//! [`PatientInput::validate`]: every field is checked and every problem reported at once, so a
//! form can mark all its wrong fields in one round trip.

use super::errors::FieldError;
use super::identifiers::{Identifier, IdentifierError};
use super::input::PatientInput;
use super::values::{Email, Language, PhoneNumber, Sex, parse_date};
use jiff::civil::Date;
use std::collections::HashSet;

/// Longest accepted texts, in characters.
pub const MAX_NAME: usize = 100;
pub const MAX_LINE: usize = 200;
pub const MAX_IDENTIFIER: usize = 64;
pub const MAX_NOTES: usize = 4_000;
/// Births before this year are typing mistakes, not patients.
const EARLIEST_YEAR: i16 = 1880;

/// A patient record that passed validation: trimmed, canonical, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPatient {
    pub given: Vec<String>,
    pub family: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub identifiers: Vec<Identifier>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    pub address: Option<Address>,
    pub emergency_contact: Option<EmergencyContact>,
    pub gp: Option<GeneralPractitioner>,
    pub notes: Option<String>,
    pub language: Option<Language>,
    pub active: bool,
}

/// Empty parts are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub line: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    /// Upper-case ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyContact {
    pub name: String,
    pub relationship: Option<String>,
    pub phone: Option<PhoneNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralPractitioner {
    pub name: String,
    pub phone: Option<PhoneNumber>,
}

/// Collects problems while the fields are walked.
struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn fail(&mut self, field: impl Into<String>, code: &'static str) {
        self.errors.push(FieldError::new(field, code));
    }

    /// A trimmed text of at most `max` characters; empty is `None` (or `required`).
    fn text(&mut self, field: &str, raw: &str, max: usize, required: bool) -> Option<String> {
        let t = raw.trim();
        if t.is_empty() {
            if required {
                self.fail(field, "required");
            }
            return None;
        }
        if t.chars().count() > max {
            self.fail(field, "too_long");
            return None;
        }
        Some(t.to_owned())
    }

    fn phone(&mut self, field: &str, raw: &str) -> Option<PhoneNumber> {
        if raw.trim().is_empty() {
            return None;
        }
        let p = PhoneNumber::parse(raw);
        if p.is_none() {
            self.fail(field, "invalid_phone");
        }
        p
    }
}

impl PatientInput {
    /// Validate against today's date (UTC, with a day's grace for time zones east of it).
    pub fn validate(&self) -> Result<ValidPatient, Vec<FieldError>> {
        let today = jiff::tz::Offset::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        self.validate_on(today.tomorrow().unwrap_or(today))
    }

    /// Validate with `today` as the latest acceptable birth date.
    pub fn validate_on(&self, today: Date) -> Result<ValidPatient, Vec<FieldError>> {
        let mut c = Check { errors: Vec::new() };
        let given = c.text("given", &self.given, MAX_NAME, true);
        let family = c.text("family", &self.family, MAX_NAME, true);
        let sex = if self.sex.trim().is_empty() {
            c.fail("sex", "required");
            None
        } else {
            let s = Sex::parse(&self.sex);
            if s.is_none() {
                c.fail("sex", "invalid_choice");
            }
            s
        };
        let birth_date = birth_date(&mut c, &self.birth_date, today);
        let identifiers = self.identifiers(&mut c);
        let phone = c.phone("phone", &self.phone);
        let email = if self.email.trim().is_empty() {
            None
        } else {
            let e = Email::parse(&self.email);
            if e.is_none() {
                c.fail("email", "invalid_email");
            }
            e
        };
        let address = self.address(&mut c);
        let emergency_contact = self.emergency_contact(&mut c);
        let gp = self.gp(&mut c);
        let notes = c.text("notes", &self.notes, MAX_NOTES, false);
        let language = if self.language.trim().is_empty() {
            None
        } else {
            let l = Language::parse(&self.language);
            if l.is_none() {
                c.fail("language", "invalid_choice");
            }
            l
        };
        match (given, family, sex, birth_date) {
            (Some(given), Some(family), Some(sex), Some(birth_date)) if c.errors.is_empty() => {
                Ok(ValidPatient {
                    given: given.split_whitespace().map(str::to_owned).collect(),
                    family,
                    sex,
                    birth_date,
                    identifiers,
                    phone,
                    email,
                    address,
                    emergency_contact,
                    gp,
                    notes,
                    language,
                    active: self.active,
                })
            }
            _ => Err(c.errors),
        }
    }

    fn identifiers(&self, c: &mut Check) -> Vec<Identifier> {
        let mut out = Vec::new();
        let mut kinds = HashSet::new();
        let mut seen = HashSet::new();
        for (i, row) in self.identifiers.iter().enumerate() {
            let (system, value) = (row.system.trim(), row.value.trim());
            if system.is_empty() && value.is_empty() {
                continue;
            }
            let field = |part: &str| format!("identifiers[{i}].{part}");
            if system.is_empty() {
                c.fail(field("system"), "required");
            }
            if value.is_empty() {
                c.fail(field("value"), "required");
            } else if value.chars().count() > MAX_IDENTIFIER {
                c.fail(field("value"), "too_long");
            }
            if system.is_empty() || value.is_empty() || value.chars().count() > MAX_IDENTIFIER {
                continue;
            }
            match Identifier::parse(system, value) {
                Ok(id) => {
                    // One national number per kind; the same (system, value) twice is a slip.
                    let repeated_kind = id.kind().is_some_and(|k| !kinds.insert(k));
                    if repeated_kind || !seen.insert(id.clone()) {
                        c.fail(field("value"), "duplicate_identifier");
                    } else {
                        out.push(id);
                    }
                }
                Err(IdentifierError::InvalidSystem) => c.fail(field("system"), "invalid_system"),
                Err(e) => c.fail(field("value"), e.code()),
            }
        }
        out
    }

    fn address(&self, c: &mut Check) -> Option<Address> {
        let a = &self.address;
        if a.is_empty() {
            return None;
        }
        let line = c.text("address.line", &a.line, MAX_LINE, false);
        let city = c.text("address.city", &a.city, MAX_NAME, false);
        let postal_code = c.text("address.postal_code", &a.postal_code, 16, false);
        if let Some(p) = &postal_code
            && !p
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == ' ' || ch == '-')
        {
            c.fail("address.postal_code", "invalid_postal_code");
        }
        let country = c
            .text("address.country", &a.country, 2, false)
            .map(|s| s.to_ascii_uppercase());
        if let Some(k) = &country
            && (k.len() != 2 || !k.bytes().all(|b| b.is_ascii_uppercase()))
        {
            c.fail("address.country", "invalid_country");
        }
        Some(Address {
            line,
            city,
            postal_code,
            country,
        })
    }

    fn emergency_contact(&self, c: &mut Check) -> Option<EmergencyContact> {
        let e = &self.emergency_contact;
        if e.is_empty() {
            return None;
        }
        let name = c.text("emergency_contact.name", &e.name, MAX_NAME, true);
        let relationship = c.text(
            "emergency_contact.relationship",
            &e.relationship,
            MAX_NAME,
            false,
        );
        let phone = c.phone("emergency_contact.phone", &e.phone);
        Some(EmergencyContact {
            name: name?,
            relationship,
            phone,
        })
    }

    fn gp(&self, c: &mut Check) -> Option<GeneralPractitioner> {
        if self.gp.is_empty() {
            return None;
        }
        let name = c.text("gp.name", &self.gp.name, MAX_NAME, true);
        let phone = c.phone("gp.phone", &self.gp.phone);
        Some(GeneralPractitioner { name: name?, phone })
    }
}

fn birth_date(c: &mut Check, raw: &str, today: Date) -> Option<Date> {
    if raw.trim().is_empty() {
        c.fail("birth_date", "required");
        return None;
    }
    match parse_date(raw) {
        Some(d) if d.year() < EARLIEST_YEAR => c.fail("birth_date", "invalid_date"),
        Some(d) if d > today => c.fail("birth_date", "future_date"),
        Some(d) => return Some(d),
        None => c.fail("birth_date", "invalid_date"),
    }
    None
}
