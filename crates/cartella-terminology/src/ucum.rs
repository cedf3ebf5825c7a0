//! UCUM.
