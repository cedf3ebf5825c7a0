//! What every node keeps in memory so that checking a session or token costs no query: each
//! user's "valid after" instant and disabled flag, refreshed from the database every half
//! second (so a disable or "log out everywhere" on any node applies everywhere within a
//! second), and memberships, dropped whenever their user changes.

use cartella_core::TenantId;
use cartella_store::Backend;
use cartella_store::identity::{MembershipRecord, UserInvalidation};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Default)]
pub struct UserCache {
    users: RwLock<HashMap<String, UserInvalidation>>,
    memberships: RwLock<HashMap<(String, TenantId), Arc<MembershipRecord>>>,
    seen_until: RwLock<i64>,
}

impl UserCache {
    /// Sessions and tokens issued at `issued_at` (µs) for `user_id` are still good?
    pub fn still_valid(&self, user_id: &str, issued_at: i64) -> bool {
        match self
            .users
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(user_id)
        {
            Some(u) => u.disabled_at.is_none() && issued_at >= u.sessions_valid_after,
            None => true,
        }
    }

    pub fn apply(&self, change: UserInvalidation) {
        let mut seen = self.seen_until.write().unwrap_or_else(|p| p.into_inner());
        *seen = (*seen).max(change.updated_at);
        self.memberships
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(u, _), _| *u != change.user_id);
        self.users
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(change.user_id.clone(), change);
    }

    pub fn membership(&self, user_id: &str, tenant: &TenantId) -> Option<Arc<MembershipRecord>> {
        self.memberships
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(user_id.to_owned(), tenant.clone()))
            .cloned()
    }

    pub fn remember_membership(&self, m: MembershipRecord) -> Arc<MembershipRecord> {
        let m = Arc::new(m);
        self.memberships
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert((m.user_id.clone(), m.tenant.clone()), m.clone());
        m
    }

    /// Load every user once, then poll for changes until the cache is dropped.
    pub async fn start(
        self: &Arc<Self>,
        backend: Arc<dyn Backend>,
    ) -> cartella_store::error::Result<()> {
        for u in backend.users_changed_since(i64::MIN).await? {
            self.apply(u);
        }
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let Some(cache) = weak.upgrade() else { return };
                // Overlap the window: a change stamped before our last poll may commit after it.
                let since = *cache.seen_until.read().unwrap_or_else(|p| p.into_inner()) - 5_000_000;
                match backend.users_changed_since(since).await {
                    Ok(changes) => changes.into_iter().for_each(|c| cache.apply(c)),
                    Err(e) => tracing::warn!(error = %e, "user invalidation poll failed"),
                }
            }
        });
        Ok(())
    }
}
