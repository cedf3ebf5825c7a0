//! The [`Backend`] implementation: each method delegates to the module that owns its SQL.

use crate::PgBackend;
use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::error::Result;
use cartella_store::search::SearchPlan;
use cartella_store::*;

#[async_trait]
impl Backend for PgBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<SchemaStatus> {
        self.migrate_db().await
    }
    async fn schema_status(&self) -> Result<SchemaStatus> {
        self.schema_status_db().await
    }
    async fn ping(&self) -> Result<()> {
        self.ping_db().await
    }
    fn pool_stats(&self) -> (u64, u64) {
        self.stats()
    }

    async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.get_meta_db(key).await
    }
    async fn put_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        self.put_meta_db(key, value).await
    }

    async fn insert_tenant(
        &self,
        tenant: &TenantRecord,
        key: &DataKeyRecord,
        audit: AuditDraft,
    ) -> Result<()> {
        self.insert_tenant_db(tenant, key, audit).await
    }
    async fn list_tenants(&self) -> Result<Vec<TenantRecord>> {
        self.list_tenants_db().await
    }

    async fn data_key(&self, tenant: &TenantId, key_id: &str) -> Result<Option<DataKeyRecord>> {
        self.data_key_db(tenant, key_id).await
    }
    async fn patient_key(
        &self,
        tenant: &TenantId,
        patient_id: &str,
    ) -> Result<Option<DataKeyRecord>> {
        self.patient_key_db(tenant, patient_id).await
    }
    async fn tenant_keys(&self) -> Result<Vec<DataKeyRecord>> {
        self.tenant_keys_db().await
    }
    async fn rewrap_keys(&self, keys: &[DataKeyRecord], meta: &[(String, Vec<u8>)]) -> Result<()> {
        self.rewrap_keys_db(keys, meta).await
    }

    async fn write(&self, batch: WriteBatch) -> Result<()> {
        match &self.group {
            Some(group) if crate::group_commit::GroupCommit::takes(&batch) => {
                group.write(batch).await
            }
            _ => self.write_alone(batch).await,
        }
    }
    async fn current(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<RawResource>> {
        self.current_db(tenant, rtype, id).await
    }
    async fn current_version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<i64>> {
        self.current_version_db(tenant, rtype, id).await
    }
    async fn version(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<RawResource>> {
        self.version_db(tenant, rtype, id, version).await
    }
    async fn reindex(&self, rows: Vec<(i64, WriteOp)>) -> Result<u64> {
        self.reindex_db(rows).await
    }
    async fn history(&self, query: &HistoryQuery) -> Result<Vec<RawResource>> {
        self.history_db(query).await
    }
    async fn search(&self, plan: &SearchPlan) -> Result<Vec<RawResource>> {
        self.search_db(plan).await
    }
    async fn count(&self, plan: &SearchPlan) -> Result<u64> {
        self.count_db(plan).await
    }

    async fn compartment(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        after_row: Option<i64>,
        limit: usize,
    ) -> Result<Vec<RawResource>> {
        self.compartment_db(tenant, patient_id, after_row, limit)
            .await
    }

    async fn bookings(
        &self,
        tenant: &TenantId,
        actors: &[String],
        from: i64,
        to: i64,
    ) -> Result<Vec<cartella_store::Booking>> {
        let client = self.conn().await?;
        crate::bookings::list(&client, tenant, actors, from, to).await
    }

    async fn erase_patient(
        &self,
        tenant: &TenantId,
        patient_id: &str,
        at: i64,
        audit: AuditDraft,
    ) -> Result<ErasureReport> {
        self.erase_patient_db(tenant, patient_id, at, audit).await
    }

    async fn append_audit(&self, events: Vec<AuditDraft>) -> Result<()> {
        self.append_audit_db(events).await
    }
    async fn audit_rows(
        &self,
        tenant: &TenantId,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        self.audit_rows_db(tenant, after_seq, limit).await
    }
    async fn audit_tenants(&self) -> Result<Vec<TenantId>> {
        self.audit_tenants_db().await
    }
    async fn audit_search(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        before_seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        self.audit_search_db(tenant, filter, before_seq, limit)
            .await
    }

    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<()> {
        self.enqueue_db(jobs).await
    }
    async fn claim_jobs(
        &self,
        lane: Lane,
        limit: usize,
        now: i64,
        lease_us: i64,
    ) -> Result<Vec<JobRecord>> {
        self.claim_jobs_db(lane, limit, now, lease_us).await
    }
    async fn complete_job(&self, id: i64) -> Result<()> {
        self.complete_job_db(id).await
    }
    async fn fail_job(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        self.fail_job_db(id, error, retry_at).await
    }
    async fn job(&self, id: i64) -> Result<Option<JobRecord>> {
        self.job_db(id).await
    }
    async fn job_counts(&self) -> Result<Vec<JobCount>> {
        self.job_counts_db().await
    }
}
