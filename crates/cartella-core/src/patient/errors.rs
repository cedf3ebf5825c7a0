//! Field-level validation problems with stable codes. The web UI translates a code with the
//! Fluent key `field-error-<code>`; the JSON API sends the code and [`FieldError::message_en`].

use serde::Serialize;

/// One problem with one field. `field` is a stable path the form can attach the message to:
/// `family`, `birth_date`, `identifiers[0].value`, `address.postal_code`, `gp.phone`…
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        FieldError {
            field: field.into(),
            code,
        }
    }

    /// Every code validation can report (a test checks each has an English message, and the
    /// UI can check each has a Fluent key).
    pub const CODES: &'static [&'static str] = &[
        "required",
        "too_long",
        "invalid_choice",
        "invalid_date",
        "future_date",
        "invalid_email",
        "invalid_phone",
        "invalid_postal_code",
        "invalid_country",
        "invalid_system",
        "duplicate_identifier",
        "invalid_codice_fiscale",
        "invalid_nir",
        "invalid_kvnr",
    ];

    /// The message in English, for the JSON API and logs (it never contains the value).
    pub fn message_en(&self) -> &'static str {
        match self.code {
            "required" => "This field is required.",
            "too_long" => "This is too long.",
            "invalid_choice" => "Choose one of the listed values.",
            "invalid_date" => "Enter a valid date (YYYY-MM-DD or DD/MM/YYYY).",
            "future_date" => "The date cannot be in the future.",
            "invalid_email" => "Enter a valid e-mail address.",
            "invalid_phone" => "Enter a valid phone number (digits, spaces, + - ( ) allowed).",
            "invalid_postal_code" => "Enter a valid postal code.",
            "invalid_country" => "Enter a two-letter country code (e.g. IT, FR, DE).",
            "invalid_system" => "The identifier system must be a URI or a known identifier type.",
            "duplicate_identifier" => "This identifier type is given twice.",
            "invalid_codice_fiscale" => {
                "This is not a valid codice fiscale (16 characters; check letter)."
            }
            "invalid_nir" => "This is not a valid NIR (13 characters and a 2-digit key).",
            "invalid_kvnr" => "This is not a valid KVNR (a letter, 8 digits and a check digit).",
            _ => "This value is not valid.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_message() {
        for code in FieldError::CODES {
            assert_ne!(
                FieldError::new("x", code).message_en(),
                "This value is not valid.",
                "{code} has no message"
            );
        }
    }
}
