//! The identity half of a backend. Every method is one transaction; "atomic" methods decide
//! under concurrency (a token is consumed once, a refresh token rotates once).

use super::records::*;
use crate::error::Result;
use async_trait::async_trait;
use cartella_core::TenantId;

#[async_trait]
pub trait IdentityBackend: Send + Sync {
    /// Insert a user with their memberships. A taken email is [`crate::StoreError::Conflict`].
    async fn insert_user(&self, user: &UserRecord, memberships: &[MembershipRecord]) -> Result<()>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>>;
    /// By lower-cased email.
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>>;
    /// Replace every column of the user row (matched by id); sets nothing else.
    async fn update_user(&self, user: &UserRecord) -> Result<()>;
    async fn count_users(&self) -> Result<i64>;
    /// Users whose `updated_at` is after `since`, for the per-node invalidation cache.
    async fn users_changed_since(&self, since: i64) -> Result<Vec<UserInvalidation>>;

    async fn memberships_of(&self, user_id: &str) -> Result<Vec<MembershipRecord>>;
    /// Members of a practice with their user rows.
    async fn members(&self, tenant: &TenantId) -> Result<Vec<(UserRecord, MembershipRecord)>>;
    /// Insert or replace the membership of (user, tenant).
    async fn upsert_membership(&self, membership: &MembershipRecord) -> Result<()>;

    /// Replace all recovery codes of a user with these hashes.
    async fn replace_recovery_codes(&self, user_id: &str, hashes: &[Vec<u8>]) -> Result<()>;
    /// Mark an unused code used; false when unknown or already used (atomic).
    async fn use_recovery_code(&self, user_id: &str, hash: &[u8], at: i64) -> Result<bool>;
    async fn unused_recovery_codes(&self, user_id: &str) -> Result<i64>;

    async fn insert_session(&self, session: &SessionRecord) -> Result<()>;
    async fn session(&self, id_hash: &[u8]) -> Result<Option<SessionRecord>>;
    /// Update `last_seen`, `mfa_done`, `tenant`, `csrf` and `expires_at` of a session (never
    /// `revoked_at`: a request in flight cannot undo a logout).
    async fn update_session(&self, session: &SessionRecord) -> Result<()>;
    async fn revoke_session(&self, id_hash: &[u8], at: i64) -> Result<()>;

    async fn insert_token(&self, token: &OneTimeToken) -> Result<()>;
    /// Consume a token of `purpose` that is unused and unexpired at `now` (atomic: once).
    async fn consume_token(
        &self,
        hash: &[u8],
        purpose: &str,
        now: i64,
    ) -> Result<Option<OneTimeToken>>;

    async fn insert_client(&self, client: &ApiClientRecord) -> Result<()>;
    async fn client(&self, id: &str) -> Result<Option<ApiClientRecord>>;
    async fn clients(&self, tenant: &TenantId) -> Result<Vec<ApiClientRecord>>;
    async fn update_client(&self, client: &ApiClientRecord) -> Result<()>;

    async fn insert_refresh(&self, token: &RefreshTokenRecord) -> Result<()>;
    /// Present a refresh token at `now` (atomic: only one caller gets `Fresh`).
    async fn use_refresh(&self, hash: &[u8], now: i64) -> Result<RefreshUse>;
    /// Revoke every token of a family; returns how many were not yet revoked.
    async fn revoke_refresh_family(&self, family: &str, at: i64) -> Result<u64>;
    async fn revoke_refresh(&self, hash: &[u8], at: i64) -> Result<Option<RefreshTokenRecord>>;

    async fn insert_share(&self, share: &ShareRecord) -> Result<()>;
    /// Patient ids shared with the user in the practice, unrevoked and unexpired at `now`.
    async fn shared_patients(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: i64,
    ) -> Result<Vec<String>>;

    /// A practice's settings as JSON (`{}` when never set).
    async fn tenant_settings(&self, tenant: &TenantId) -> Result<String>;
    async fn put_tenant_settings(&self, tenant: &TenantId, json: &str) -> Result<()>;
}
