//! The audit trail from the store's side: read events are batched by a background writer that
//! flushes within `audit_flush_ms` (a crash loses at most that window of reads, never a write's
//! event, which commits with the write); `verify_audit` walks every tenant's chain.

use super::{AccessContext, Store};
use crate::audit::{ChainBreak, ChainVerifier};
use crate::backend::Backend;
use crate::error::Result;
use crate::model::AuditDraft;
use cartella_core::{TenantId, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub(crate) enum AuditMsg {
    Event(Box<AuditDraft>),
    Flush(oneshot::Sender<()>),
}

pub(crate) type ReadAuditSender = mpsc::UnboundedSender<AuditMsg>;

/// Batch read events: write whatever arrived within `flush_ms` of the first one, in one go.
pub(crate) fn spawn_writer(backend: Arc<dyn Backend>, flush_ms: u64) -> ReadAuditSender {
    let (tx, mut rx) = mpsc::unbounded_channel::<AuditMsg>();
    tokio::spawn(async move {
        let mut pending: Vec<AuditDraft> = Vec::new();
        let mut waiters: Vec<oneshot::Sender<()>> = Vec::new();
        loop {
            let first = match rx.recv().await {
                Some(m) => m,
                None => break,
            };
            let deadline = tokio::time::Instant::now() + Duration::from_millis(flush_ms);
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    AuditMsg::Event(e) => pending.push(*e),
                    AuditMsg::Flush(w) => {
                        waiters.push(w);
                        break;
                    }
                }
                if pending.len() >= 2_000 {
                    break;
                }
                next = tokio::time::timeout_at(deadline, rx.recv())
                    .await
                    .ok()
                    .flatten();
            }
            // Drain what is already queued so a flush covers everything sent before it.
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    AuditMsg::Event(e) => pending.push(*e),
                    AuditMsg::Flush(w) => waiters.push(w),
                }
            }
            if !pending.is_empty() {
                let batch = std::mem::take(&mut pending);
                let n = batch.len();
                if let Err(e) = backend.append_audit(batch.clone()).await {
                    tracing::error!(error = %e, events = n, "writing read audit events failed; retrying once");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if let Err(e) = backend.append_audit(batch).await {
                        tracing::error!(error = %e, events = n, "read audit events lost");
                    }
                }
            }
            for w in waiters.drain(..) {
                let _ = w.send(());
            }
        }
    });
    tx
}

/// Outcome of verifying the audit chains.
#[derive(Debug, Clone)]
pub struct AuditReport {
    pub tenants: Vec<TenantAuditReport>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.tenants.iter().all(|t| t.broken.is_none())
    }
}

#[derive(Debug, Clone)]
pub struct TenantAuditReport {
    pub tenant: TenantId,
    pub checked: u64,
    pub broken: Option<ChainBreak>,
}

impl Store {
    /// Build an audit draft for this context (the MAC key is the tenant's).
    pub(crate) async fn audit_draft(
        &self,
        ctx: &AccessContext,
        action: &str,
        target: Option<(&str, &str, Option<i64>)>,
        patient_id: Option<&str>,
        outcome: &str,
        details: Option<String>,
    ) -> Result<AuditDraft> {
        let key = self
            .keys
            .tenant_key(self.backend.as_ref(), &ctx.tenant)
            .await?;
        Ok(AuditDraft {
            tenant: ctx.tenant.clone(),
            at: Timestamp::now().micros(),
            actor: ctx.actor.clone(),
            role: ctx.role.clone(),
            action: action.to_owned(),
            resource_type: target.map(|t| t.0.to_owned()),
            resource_id: target.map(|t| t.1.to_owned()),
            version: target.and_then(|t| t.2),
            patient_id: patient_id.map(str::to_owned),
            purpose: ctx.purpose.clone(),
            outcome: outcome.to_owned(),
            client_ip: ctx.client_ip.clone(),
            user_agent: ctx.user_agent.clone(),
            details,
            mac_key: key.audit_key(),
        })
    }

    /// Queue a read event for the batched writer.
    pub(crate) fn audit_read(&self, draft: AuditDraft) {
        if self.audit.send(AuditMsg::Event(Box::new(draft))).is_err() {
            tracing::error!("audit writer stopped; read event lost");
        }
    }

    /// Record an access decided outside the store (e.g. a denied request) in the audit trail.
    pub async fn audit_access(
        &self,
        ctx: &AccessContext,
        action: &str,
        target: Option<(&str, &str)>,
        outcome: &str,
    ) -> Result<()> {
        let draft = self
            .audit_draft(
                ctx,
                action,
                target.map(|(t, i)| (t, i, None)),
                None,
                outcome,
                None,
            )
            .await?;
        self.audit_read(draft);
        Ok(())
    }

    /// Wait until every read event queued so far is written (shutdown, tests).
    pub async fn flush_audit(&self) {
        let (tx, rx) = oneshot::channel();
        if self.audit.send(AuditMsg::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// At a clean stop, after the last request: write the queued read events, then let the
    /// backend tidy up (see [`crate::Backend::close`]).
    pub async fn close(&self) -> Result<()> {
        self.flush_audit().await;
        self.backend.close().await
    }

    /// Verify every tenant's chain from its first event.
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        self.flush_audit().await;
        let mut tenants = Vec::new();
        for tenant in self.backend.audit_tenants().await? {
            let key = self.keys.tenant_key(self.backend.as_ref(), &tenant).await?;
            let mut verifier = ChainVerifier::new(*key.audit_key());
            let mut broken = None;
            loop {
                let rows = self
                    .backend
                    .audit_rows(&tenant, verifier.last_seq(), 5_000)
                    .await?;
                if rows.is_empty() {
                    break;
                }
                if let Err(b) = verifier.feed(&rows) {
                    broken = Some(b);
                    break;
                }
            }
            tenants.push(TenantAuditReport {
                tenant,
                checked: verifier.checked,
                broken,
            });
        }
        Ok(AuditReport { tenants })
    }
}
