//! The identity tables on SQLite: writes go through the single writer, reads through the pool.

mod clients;
mod rows;
mod sessions;
mod users;

use crate::SqliteBackend;
use async_trait::async_trait;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::identity::*;

type Result<T> = std::result::Result<T, StoreError>;

#[async_trait]
impl IdentityBackend for SqliteBackend {
    async fn insert_user(&self, user: &UserRecord, memberships: &[MembershipRecord]) -> Result<()> {
        let (u, m) = (user.clone(), memberships.to_vec());
        self.writer
            .call(move |c, _| users::insert_user(c, &u, &m))
            .await
    }
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.readers
            .with(move |c| users::user_by(c, "id", &id))
            .await
    }
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let email = email.to_owned();
        self.readers
            .with(move |c| users::user_by(c, "email", &email))
            .await
    }
    async fn update_user(&self, user: &UserRecord) -> Result<()> {
        let u = user.clone();
        self.writer
            .call(move |c, _| users::update_user(c, &u))
            .await
    }
    async fn count_users(&self) -> Result<i64> {
        self.readers.with(users::count_users).await
    }
    async fn users_changed_since(&self, since: i64) -> Result<Vec<UserInvalidation>> {
        self.readers
            .with(move |c| users::users_changed_since(c, since))
            .await
    }
    async fn memberships_of(&self, user_id: &str) -> Result<Vec<MembershipRecord>> {
        let id = user_id.to_owned();
        self.readers
            .with(move |c| users::memberships_of(c, &id))
            .await
    }
    async fn members(&self, tenant: &TenantId) -> Result<Vec<(UserRecord, MembershipRecord)>> {
        let t = tenant.as_str().to_owned();
        self.readers.with(move |c| users::members(c, &t)).await
    }
    async fn upsert_membership(&self, membership: &MembershipRecord) -> Result<()> {
        let m = membership.clone();
        self.writer
            .call(move |c, _| users::upsert_membership(c, &m))
            .await
    }
    async fn replace_recovery_codes(&self, user_id: &str, hashes: &[Vec<u8>]) -> Result<()> {
        let (id, h) = (user_id.to_owned(), hashes.to_vec());
        self.writer
            .call(move |c, _| users::replace_recovery_codes(c, &id, &h))
            .await
    }
    async fn use_recovery_code(&self, user_id: &str, hash: &[u8], at: i64) -> Result<bool> {
        let (id, h) = (user_id.to_owned(), hash.to_vec());
        self.writer
            .call(move |c, _| users::use_recovery_code(c, &id, &h, at))
            .await
    }
    async fn unused_recovery_codes(&self, user_id: &str) -> Result<i64> {
        let id = user_id.to_owned();
        self.readers
            .with(move |c| users::unused_recovery_codes(c, &id))
            .await
    }
    async fn insert_session(&self, session: &SessionRecord) -> Result<()> {
        let s = session.clone();
        self.writer
            .call(move |c, _| sessions::insert_session(c, &s))
            .await
    }
    async fn session(&self, id_hash: &[u8]) -> Result<Option<SessionRecord>> {
        let h = id_hash.to_vec();
        self.readers.run(move |c| sessions::session(c, &h))
    }
    async fn update_session(&self, session: &SessionRecord) -> Result<()> {
        let s = session.clone();
        self.writer
            .call(move |c, _| sessions::update_session(c, &s))
            .await
    }
    async fn revoke_session(&self, id_hash: &[u8], at: i64) -> Result<()> {
        let h = id_hash.to_vec();
        self.writer
            .call(move |c, _| sessions::revoke_session(c, &h, at))
            .await
    }
    async fn insert_token(&self, token: &OneTimeToken) -> Result<()> {
        let t = token.clone();
        self.writer
            .call(move |c, _| sessions::insert_token(c, &t))
            .await
    }
    async fn consume_token(
        &self,
        hash: &[u8],
        purpose: &str,
        now: i64,
    ) -> Result<Option<OneTimeToken>> {
        let (h, p) = (hash.to_vec(), purpose.to_owned());
        self.writer
            .call(move |c, _| sessions::consume_token(c, &h, &p, now))
            .await
    }
    async fn insert_client(&self, client: &ApiClientRecord) -> Result<()> {
        let k = client.clone();
        self.writer
            .call(move |c, _| clients::insert_client(c, &k))
            .await
    }
    async fn client(&self, id: &str) -> Result<Option<ApiClientRecord>> {
        let id = id.to_owned();
        self.readers.run(move |c| clients::client(c, &id))
    }
    async fn clients(&self, tenant: &TenantId) -> Result<Vec<ApiClientRecord>> {
        let t = tenant.as_str().to_owned();
        self.readers.with(move |c| clients::clients(c, &t)).await
    }
    async fn update_client(&self, client: &ApiClientRecord) -> Result<()> {
        let k = client.clone();
        self.writer
            .call(move |c, _| clients::update_client(c, &k))
            .await
    }
    async fn insert_refresh(&self, token: &RefreshTokenRecord) -> Result<()> {
        let t = token.clone();
        self.writer
            .call(move |c, _| clients::insert_refresh(c, &t))
            .await
    }
    async fn use_refresh(&self, hash: &[u8], now: i64) -> Result<RefreshUse> {
        let h = hash.to_vec();
        self.writer
            .call(move |c, _| clients::use_refresh(c, &h, now))
            .await
    }
    async fn revoke_refresh_family(&self, family: &str, at: i64) -> Result<u64> {
        let f = family.to_owned();
        self.writer
            .call(move |c, _| clients::revoke_family(c, &f, at))
            .await
    }
    async fn revoke_refresh(&self, hash: &[u8], at: i64) -> Result<Option<RefreshTokenRecord>> {
        let h = hash.to_vec();
        self.writer
            .call(move |c, _| clients::revoke_refresh(c, &h, at))
            .await
    }
    async fn insert_share(&self, share: &ShareRecord) -> Result<()> {
        let s = share.clone();
        self.writer
            .call(move |c, _| clients::insert_share(c, &s))
            .await
    }
    async fn shared_patients(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: i64,
    ) -> Result<Vec<String>> {
        let (t, u) = (tenant.as_str().to_owned(), user_id.to_owned());
        self.readers
            .with(move |c| clients::shared_patients(c, &t, &u, now))
            .await
    }
    async fn tenant_settings(&self, tenant: &TenantId) -> Result<String> {
        let t = tenant.as_str().to_owned();
        self.readers
            .with(move |c| clients::tenant_settings(c, &t))
            .await
    }
    async fn put_tenant_settings(&self, tenant: &TenantId, json: &str) -> Result<()> {
        let (t, j) = (tenant.as_str().to_owned(), json.to_owned());
        self.writer
            .call(move |c, _| clients::put_tenant_settings(c, &t, &j))
            .await
    }
}
