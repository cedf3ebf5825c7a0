//! What a user typed into the patient form (or sent to the JSON API): every field as text, so
//! a refused form can be shown again exactly as it was. [`PatientInput::validate`] turns it into
//! a [`crate::patient::ValidPatient`] or lists every problem at once.

use serde::{Deserialize, Serialize};

/// The patient form. Missing fields deserialize as empty (and `active` as true), so partial
/// bodies report `required` rather than a parse error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PatientInput {
    /// Given names, space-separated as typed ("Maria Luisa").
    pub given: String,
    pub family: String,
    /// `male`, `female`, `other` or `unknown`.
    pub sex: String,
    /// `YYYY-MM-DD`; `dd/mm/yyyy` and `dd.mm.yyyy` are accepted too.
    pub birth_date: String,
    /// Rows whose system and value are both empty are ignored (blank form rows).
    pub identifiers: Vec<IdentifierInput>,
    pub phone: String,
    pub email: String,
    pub address: AddressInput,
    pub emergency_contact: EmergencyContactInput,
    pub gp: GpInput,
    pub notes: String,
    /// Preferred language: `it`, `fr`, `de` or `en` (empty: not recorded).
    pub language: String,
    pub active: bool,
}

impl Default for PatientInput {
    fn default() -> Self {
        PatientInput {
            given: String::new(),
            family: String::new(),
            sex: String::new(),
            birth_date: String::new(),
            identifiers: Vec::new(),
            phone: String::new(),
            email: String::new(),
            address: AddressInput::default(),
            emergency_contact: EmergencyContactInput::default(),
            gp: GpInput::default(),
            notes: String::new(),
            language: String::new(),
            active: true,
        }
    }
}

/// One identifier row: `system` is a URI (`http://hl7.it/sid/codiceFiscale`, a practice's MRN
/// system…) or a known short key (`codice-fiscale`, `nir`, `kvnr`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentifierInput {
    pub system: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    pub line: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 (`IT`, `FR`, `DE`…).
    pub country: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmergencyContactInput {
    pub name: String,
    /// Free text ("sister", "mother").
    pub relationship: String,
    pub phone: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GpInput {
    pub name: String,
    pub phone: String,
}

impl AddressInput {
    pub fn is_empty(&self) -> bool {
        [&self.line, &self.city, &self.postal_code, &self.country]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

impl EmergencyContactInput {
    pub fn is_empty(&self) -> bool {
        [&self.name, &self.relationship, &self.phone]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

impl GpInput {
    pub fn is_empty(&self) -> bool {
        self.name.trim().is_empty() && self.phone.trim().is_empty()
    }
}
