//! Memberships: a user's place (roles, own patient, expiry) in one practice.

use super::rows::{self, MEMBERSHIP_COLUMNS, USER_COLUMN_COUNT, USER_COLUMNS, qualified};
use super::users::insert_membership;
use crate::PgBackend;
use cartella_core::TenantId;
use cartella_store::StoreError;
use cartella_store::identity::{MembershipRecord, UserRecord};

type Result<T> = std::result::Result<T, StoreError>;

/// "Insert or replace": every column takes the new value, `created_at` included, so what was put
/// is what is read back, as with SQLite's replace.
const UPSERT: &str = "ON CONFLICT (user_id, tenant_id) DO UPDATE SET roles = EXCLUDED.roles, \
     patient_id = EXCLUDED.patient_id, expires_at = EXCLUDED.expires_at, \
     created_at = EXCLUDED.created_at";

impl PgBackend {
    pub(crate) async fn memberships_of_db(&self, user_id: &str) -> Result<Vec<MembershipRecord>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM memberships WHERE user_id = $1 \
             ORDER BY created_at, tenant_id"
        );
        // Read on every sign-in and practice switch.
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let found = client.query(&stmt, &[&user_id]).await.map_err(crate::db)?;
        found.iter().map(|r| rows::membership(r, 0)).collect()
    }

    pub(crate) async fn members_db(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<(UserRecord, MembershipRecord)>> {
        let client = self.conn().await?;
        // `email` is COLLATE "C": the order is bytewise, as in SQLite. `id` breaks no real tie
        // (emails are unique) but keeps the order total should that ever change.
        let sql = format!(
            "SELECT {}, {} FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.tenant_id = $1 ORDER BY u.email, u.id",
            qualified("u", USER_COLUMNS),
            qualified("m", MEMBERSHIP_COLUMNS)
        );
        let found = client
            .query(&sql, &[&tenant.as_str()])
            .await
            .map_err(crate::db)?;
        found
            .iter()
            .map(|r| Ok((rows::user(r, 0)?, rows::membership(r, USER_COLUMN_COUNT)?)))
            .collect()
    }

    pub(crate) async fn upsert_membership_db(&self, membership: &MembershipRecord) -> Result<()> {
        let client = self.conn().await?;
        // One statement: two concurrent upserts of the same pair cannot both insert (the second
        // waits on the key and updates), so neither fails with a duplicate.
        insert_membership(&client, membership, UPSERT).await
    }
}
