//! `fhir.export`: run a Bulk Data export on the bulk lane (the store reads as the requester and
//! writes the sealed NDJSON files).

use async_trait::async_trait;
use cartella_store::jobs::JobHandler;
use cartella_store::{JobRecord, Store};
use std::sync::Arc;

pub struct FhirExport {
    pub store: Arc<Store>,
}

#[async_trait]
impl JobHandler for FhirExport {
    async fn run(&self, job: &JobRecord) -> Result<(), String> {
        self.store
            .run_export(&job.payload)
            .await
            .map_err(|e| e.to_string())
    }
}
