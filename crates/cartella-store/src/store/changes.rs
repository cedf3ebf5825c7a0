//! The change feed: every committed write is announced in-process (type, id, version, who,
//! when, never content), so open pages can show that a record changed. Receivers that fall
//! behind lose the oldest announcements, never block a write.

use super::{AccessContext, Store};
use cartella_core::{TenantId, Timestamp};
use tokio::sync::broadcast;

/// Announcements kept for slow receivers.
pub(super) const CAPACITY: usize = 1_024;

#[derive(Debug, Clone)]
pub struct Change {
    pub tenant: TenantId,
    pub rtype: String,
    pub id: String,
    pub version: i64,
    pub deleted: bool,
    /// The actor as recorded in the audit trail (a user id, a client id, `system`).
    pub actor: String,
    pub at: Timestamp,
}

pub(super) fn channel() -> broadcast::Sender<Change> {
    broadcast::channel(CAPACITY).0
}

impl Store {
    /// Listen to committed changes (of every tenant: filter on `Change::tenant`).
    pub fn subscribe_changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    pub(super) fn announce(
        &self,
        ctx: &AccessContext,
        rtype: &str,
        id: &str,
        version: i64,
        deleted: bool,
    ) {
        // No receiver is not an error: nobody is looking.
        let _ = self.changes.send(Change {
            tenant: ctx.tenant.clone(),
            rtype: rtype.to_owned(),
            id: id.to_owned(),
            version,
            deleted,
            actor: ctx.actor.clone(),
            at: Timestamp::now(),
        });
    }
}
