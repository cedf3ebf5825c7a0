//! The one error type of the crate: every variant names the offending input so the server can
//! turn it into a precise per-field message (422 on the API, an inline form message in HTML).

/// A terminology input that could not be accepted. Maps to HTTP 422 at the API boundary.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TermError {
    /// The text is not shaped like an ICD-10-CM code (letter, two characters, optional `.` and up to
    /// four more).
    #[error(
        "`{0}` is not an ICD-10-CM code (expected a letter, a digit, a character, then optionally `.` and up to 4 characters, e.g. M54.50)"
    )]
    Icd10Format(String),
    /// Well-formed, but not a category or subcategory of the shipped ICD-10-CM release.
    #[error("`{0}` is not a code of ICD-10-CM 2026")]
    Icd10Unknown(String),
    /// The text is not shaped like a LOINC code (digits, `-`, one check digit).
    #[error("`{0}` is not a LOINC code (expected digits, a dash and a check digit, e.g. 8480-6)")]
    LoincFormat(String),
    /// The LOINC check digit (mod 10) does not match.
    #[error("`{0}` has a wrong LOINC check digit")]
    LoincCheckDigit(String),
    /// A measurement outside what is physically possible for the term (a typo or a wrong unit).
    #[error("{value} is not a possible value for LOINC {code} (expected {min} to {max})")]
    Implausible {
        code: String,
        value: f64,
        min: f64,
        max: f64,
    },
    /// Not a unit of the common UCUM list.
    #[error("`{0}` is not a known UCUM unit (e.g. kg, cm, mm[Hg], /min, Cel, %)")]
    UnknownUnit(String),
    /// No conversion between these two units.
    #[error("cannot convert from `{from}` to `{to}`")]
    NoConversion { from: String, to: String },
    /// A practice rule file was rejected; `path` locates the problem (e.g. `drug[3].classes`).
    #[error("rules: {path}: {message}")]
    Rules { path: String, message: String },
}
