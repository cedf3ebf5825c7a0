//! LOINC.
