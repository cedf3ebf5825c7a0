//! What the examination service needs beyond the clinical record's shared helpers (re-exported
//! from `clinical::common`, so both features check access, read and author records one way).

pub use crate::clinical::common::{
    Result, as_system, author, ensure_may, json_of, new_id, patient, patient_of, patient_ref, read,
    search_all,
};

/// A visit given with an examination must exist and be this patient's (else a field error).
pub async fn check_encounter(
    store: &cartella_store::Store,
    ctx: &cartella_store::AccessContext,
    encounter: &str,
    patient: &str,
) -> Result<()> {
    crate::clinical::common::encounter_of_patient(store, ctx, encounter, patient)
        .await
        .map(|_| ())
}

pub fn now_fhir() -> String {
    cartella_core::clinical::time::fhir(jiff::Timestamp::now())
}
