//! Patient identifiers: national numbers with real check-digit validation (codice fiscale,
//! NIR, KVNR), each under its FHIR system URI, and free identifiers (a practice MRN, a passport)
//! under any other system, taken as typed.

mod codice_fiscale;
mod kvnr;
mod nir;

pub use codice_fiscale::CodiceFiscale;
pub use kvnr::Kvnr;
pub use nir::Nir;

/// The identifier kinds Cartella knows, for pickers: system URI, short key and check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    CodiceFiscale,
    Nir,
    Kvnr,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 3] = [Self::CodiceFiscale, Self::Nir, Self::Kvnr];

    pub fn system(self) -> &'static str {
        match self {
            Self::CodiceFiscale => CodiceFiscale::SYSTEM,
            Self::Nir => Nir::SYSTEM,
            Self::Kvnr => Kvnr::SYSTEM,
        }
    }

    /// A stable short key (for Fluent labels such as `identifier-codice-fiscale`).
    pub fn key(self) -> &'static str {
        match self {
            Self::CodiceFiscale => "codice-fiscale",
            Self::Nir => "nir",
            Self::Kvnr => "kvnr",
        }
    }

    /// The validation code reported when a value of this kind is refused.
    pub fn error_code(self) -> &'static str {
        match self {
            Self::CodiceFiscale => "invalid_codice_fiscale",
            Self::Nir => "invalid_nir",
            Self::Kvnr => "invalid_kvnr",
        }
    }

    /// The kind whose system URI (or short key) this is, if any.
    pub fn from_system(system: &str) -> Option<Self> {
        let s = system.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.system() == s || k.key().eq_ignore_ascii_case(s))
    }

    /// The canonical form of a value of this kind, or `None` when the check fails.
    pub fn canonical(self, value: &str) -> Option<String> {
        match self {
            Self::CodiceFiscale => CodiceFiscale::parse(value).map(|v| v.as_str().to_owned()),
            Self::Nir => Nir::parse(value).map(|v| v.as_str().to_owned()),
            Self::Kvnr => Kvnr::parse(value).map(|v| v.as_str().to_owned()),
        }
    }
}

/// A validated identifier: a known kind's value passed its check and is in canonical form;
/// any other system's value is kept as typed (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    system: String,
    value: String,
}

/// Why an identifier was refused; [`IdentifierError::code`] is the stable validation code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierError {
    /// The system is not a URI (`http…`, `urn:…`) nor a known short key.
    InvalidSystem,
    /// The value failed the check of its kind.
    Check(IdentifierKind),
}

impl IdentifierError {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidSystem => "invalid_system",
            Self::Check(kind) => kind.error_code(),
        }
    }
}

impl Identifier {
    /// Parse a system (a URI, or a known short key such as `codice-fiscale`) and a value.
    /// The caller checks that neither is empty.
    pub fn parse(system: &str, value: &str) -> Result<Self, IdentifierError> {
        let value = value.trim();
        if let Some(kind) = IdentifierKind::from_system(system) {
            return kind
                .canonical(value)
                .map(|value| Identifier {
                    system: kind.system().to_owned(),
                    value,
                })
                .ok_or(IdentifierError::Check(kind));
        }
        let system = system.trim();
        let uri = system.contains(':') && !system.chars().any(char::is_whitespace);
        if !uri {
            return Err(IdentifierError::InvalidSystem);
        }
        Ok(Identifier {
            system: system.to_owned(),
            value: value.to_owned(),
        })
    }

    pub fn system(&self) -> &str {
        &self.system
    }
    pub fn value(&self) -> &str {
        &self.value
    }
    pub fn kind(&self) -> Option<IdentifierKind> {
        IdentifierKind::from_system(&self.system)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_systems_are_checked_and_canonical() {
        let cf = Identifier::parse(CodiceFiscale::SYSTEM, " rssmra85t10a562s ").unwrap();
        assert_eq!(cf.value(), "RSSMRA85T10A562S");
        assert_eq!(cf.kind(), Some(IdentifierKind::CodiceFiscale));
        let by_key = Identifier::parse("kvnr", "X110411675").unwrap();
        assert_eq!(by_key.system(), Kvnr::SYSTEM);
        assert_eq!(
            Identifier::parse(Nir::SYSTEM, "185057800608492").unwrap_err(),
            IdentifierError::Check(IdentifierKind::Nir)
        );
        assert_eq!(
            Identifier::parse(Kvnr::SYSTEM, "X110411676")
                .unwrap_err()
                .code(),
            "invalid_kvnr"
        );
    }

    #[test]
    fn other_systems_need_a_uri_and_keep_the_value() {
        let mrn = Identifier::parse("http://clinic.example/mrn", " 00042 ").unwrap();
        assert_eq!(mrn.value(), "00042");
        assert_eq!(mrn.kind(), None);
        assert_eq!(
            Identifier::parse("my mrn", "1").unwrap_err().code(),
            "invalid_system"
        );
    }
}
