//! The audit view for administrators: events of their practice, newest first, filtered (e.g.
//! "who accessed this patient's record"). Looking at the audit trail is itself audited.

use super::{AccessContext, Store};
use crate::error::Result;
use crate::model::{AuditFilter, AuditRow};

/// At most this many events per page of the audit view.
pub const MAX_AUDIT_PAGE: usize = 1_000;

impl Store {
    /// Events matching `filter` with `seq < before` (the previous page's last `seq`), newest first.
    pub async fn audit_events(
        &self,
        ctx: &AccessContext,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>> {
        self.authorize_admin(ctx).await?;
        // Reads are written in batches: flush so the view includes the latest ones.
        self.flush_audit().await;
        let rows = self
            .backend
            .audit_search(&ctx.tenant, filter, before, limit.clamp(1, MAX_AUDIT_PAGE))
            .await?;
        let target = filter.patient_id.as_deref().map(|p| ("Patient", p, None));
        let draft = self
            .audit_draft(
                ctx,
                "audit.read",
                target,
                filter.patient_id.as_deref(),
                "success",
                Some(format!("{{\"count\":{}}}", rows.len())),
            )
            .await?;
        self.audit_read(draft);
        Ok(rows)
    }
}
