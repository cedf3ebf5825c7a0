//! The [`IdentityBackend`] implementation: users, memberships, sessions, tokens, API clients,
//! shares and practice settings. Each method delegates to the module that owns its SQL; the
//! tables come from migration 0002.
//!
//! Every method is one statement or one transaction. The "atomic" ones (consuming a one-time
//! token, a recovery code or a refresh token) are single conditional `UPDATE`s, which
//! PostgreSQL serialises on the row lock (see `tokens`).

mod clients;
mod memberships;
mod practice;
mod rows;
mod sessions;
mod tokens;
mod users;

use crate::PgBackend;
use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::error::Result;
use cartella_store::identity::*;

#[async_trait]
impl IdentityBackend for PgBackend {
    async fn insert_user(&self, user: &UserRecord, memberships: &[MembershipRecord]) -> Result<()> {
        self.insert_user_db(user, memberships).await
    }
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        self.user_by_id_db(id).await
    }
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        self.user_by_email_db(email).await
    }
    async fn update_user(&self, user: &UserRecord) -> Result<()> {
        self.update_user_db(user).await
    }
    async fn count_users(&self) -> Result<i64> {
        self.count_users_db().await
    }
    async fn users_changed_since(&self, since: i64) -> Result<Vec<UserInvalidation>> {
        self.users_changed_since_db(since).await
    }

    async fn memberships_of(&self, user_id: &str) -> Result<Vec<MembershipRecord>> {
        self.memberships_of_db(user_id).await
    }
    async fn members(&self, tenant: &TenantId) -> Result<Vec<(UserRecord, MembershipRecord)>> {
        self.members_db(tenant).await
    }
    async fn upsert_membership(&self, membership: &MembershipRecord) -> Result<()> {
        self.upsert_membership_db(membership).await
    }

    async fn replace_recovery_codes(&self, user_id: &str, hashes: &[Vec<u8>]) -> Result<()> {
        self.replace_recovery_codes_db(user_id, hashes).await
    }
    async fn use_recovery_code(&self, user_id: &str, hash: &[u8], at: i64) -> Result<bool> {
        self.use_recovery_code_db(user_id, hash, at).await
    }
    async fn unused_recovery_codes(&self, user_id: &str) -> Result<i64> {
        self.unused_recovery_codes_db(user_id).await
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        self.insert_session_db(session).await
    }
    async fn session(&self, id_hash: &[u8]) -> Result<Option<SessionRecord>> {
        self.session_db(id_hash).await
    }
    async fn update_session(&self, session: &SessionRecord) -> Result<()> {
        self.update_session_db(session).await
    }
    async fn revoke_session(&self, id_hash: &[u8], at: i64) -> Result<()> {
        self.revoke_session_db(id_hash, at).await
    }

    async fn insert_token(&self, token: &OneTimeToken) -> Result<()> {
        self.insert_token_db(token).await
    }
    async fn consume_token(
        &self,
        hash: &[u8],
        purpose: &str,
        now: i64,
    ) -> Result<Option<OneTimeToken>> {
        self.consume_token_db(hash, purpose, now).await
    }

    async fn insert_client(&self, client: &ApiClientRecord) -> Result<()> {
        self.insert_client_db(client).await
    }
    async fn client(&self, id: &str) -> Result<Option<ApiClientRecord>> {
        self.client_db(id).await
    }
    async fn clients(&self, tenant: &TenantId) -> Result<Vec<ApiClientRecord>> {
        self.clients_db(tenant).await
    }
    async fn update_client(&self, client: &ApiClientRecord) -> Result<()> {
        self.update_client_db(client).await
    }

    async fn insert_refresh(&self, token: &RefreshTokenRecord) -> Result<()> {
        self.insert_refresh_db(token).await
    }
    async fn use_refresh(&self, hash: &[u8], now: i64) -> Result<RefreshUse> {
        self.use_refresh_db(hash, now).await
    }
    async fn revoke_refresh_family(&self, family: &str, at: i64) -> Result<u64> {
        self.revoke_refresh_family_db(family, at).await
    }
    async fn revoke_refresh(&self, hash: &[u8], at: i64) -> Result<Option<RefreshTokenRecord>> {
        self.revoke_refresh_db(hash, at).await
    }

    async fn insert_share(&self, share: &ShareRecord) -> Result<()> {
        self.insert_share_db(share).await
    }
    async fn shared_patients(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: i64,
    ) -> Result<Vec<String>> {
        self.shared_patients_db(tenant, user_id, now).await
    }

    async fn tenant_settings(&self, tenant: &TenantId) -> Result<String> {
        self.tenant_settings_db(tenant).await
    }
    async fn put_tenant_settings(&self, tenant: &TenantId, json: &str) -> Result<()> {
        self.put_tenant_settings_db(tenant, json).await
    }
}
