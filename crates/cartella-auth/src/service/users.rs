//! Users and memberships: creation (CLI, first-run setup, administrators), disabling, roles,
//! passwords (change, reset by e-mailed link), shares for external users, practice settings.

use super::{Auth, normalize_email, now_us, random_token, sha256, valid_email};
use crate::error::{AuthError, Result};
use crate::passwords;
use cartella_core::access::{Role, RoleSet};
use cartella_core::{TenantId, TenantSlug};
use cartella_store::AccessContext;
use cartella_store::identity::{
    MembershipRecord, OneTimeToken, ShareRecord, UserInvalidation, UserRecord,
};

#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// Comma-separated roles in the practice.
    pub roles: String,
    /// Optional: without it the user sets one through a reset link.
    #[serde(default)]
    pub password: Option<String>,
    /// The patient role's own Patient resource.
    #[serde(default)]
    pub patient_id: Option<String>,
    /// External collaborators: access ends then (µs since epoch).
    #[serde(default)]
    pub expires_at: Option<i64>,
}

pub const PURPOSE_SETUP: &str = "setup";
pub const PURPOSE_RESET: &str = "password_reset";
/// Outbox job that mails a reset link (payload: the user id only).
pub const JOB_PASSWORD_RESET: &str = "mail.password_reset";

impl Auth {
    /// Create a user in the practice of `ctx` (administrators; or the system from the CLI).
    pub async fn create_user(&self, ctx: &AccessContext, new: NewUser) -> Result<UserRecord> {
        self.store.authorize_admin(ctx).await?;
        let email = normalize_email(&new.email);
        let mut problems = Vec::new();
        if !valid_email(&email) {
            problems.push((
                "email".to_owned(),
                "enter a valid e-mail address".to_owned(),
            ));
        }
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            problems.push(("name".into(), "enter a name of 1-200 characters".into()));
        }
        let roles = match RoleSet::parse(&new.roles) {
            Ok(r) => Some(r),
            Err(e) => {
                problems.push(("roles".into(), e.to_string()));
                None
            }
        };
        if roles.as_ref().is_some_and(|r| r.contains(Role::Patient)) && new.patient_id.is_none() {
            problems.push((
                "patient_id".into(),
                "a patient user needs the id of their Patient record".into(),
            ));
        }
        if let Some(pw) = &new.password {
            problems.extend(
                passwords::check(pw, &email)
                    .into_iter()
                    .map(|p| ("password".to_owned(), p.message())),
            );
        }
        if !problems.is_empty() {
            return Err(AuthError::Invalid(problems));
        }
        let now = now_us();
        let hash = match &new.password {
            Some(pw) => Some(self.hasher.hash(pw).await),
            None => None,
        };
        let user = UserRecord {
            id: uuid::Uuid::now_v7().to_string(),
            email,
            display_name: name,
            password_hash: hash,
            language: None,
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            disabled_at: None,
            sessions_valid_after: 0,
            created_at: now,
            updated_at: now,
        };
        let membership = MembershipRecord {
            user_id: user.id.clone(),
            tenant: ctx.tenant.clone(),
            roles: roles.map(|r| r.to_string()).unwrap_or_default(),
            patient_id: new.patient_id,
            expires_at: new.expires_at,
            created_at: now,
        };
        match self
            .backend
            .insert_user(&user, std::slice::from_ref(&membership))
            .await
        {
            Ok(()) => {}
            Err(cartella_store::StoreError::Conflict(_)) => {
                // Already a user elsewhere: add the membership instead of a second account.
                let existing = self
                    .backend
                    .user_by_email(&user.email)
                    .await?
                    .ok_or(AuthError::Conflict("e-mail in use".into()))?;
                let m = MembershipRecord {
                    user_id: existing.id.clone(),
                    ..membership
                };
                self.backend.upsert_membership(&m).await?;
                self.touch(&existing.id).await?;
                self.audit(ctx, "user.add-membership", "success").await;
                return Ok(existing);
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(ctx, "user.create", "success").await;
        Ok(user)
    }

    /// Apply a user change to this node at once (other nodes pick it up within a second).
    pub(super) fn publish(&self, u: &UserRecord) {
        self.users.apply(UserInvalidation {
            user_id: u.id.clone(),
            sessions_valid_after: u.sessions_valid_after,
            disabled_at: u.disabled_at,
            updated_at: u.updated_at,
        });
    }

    /// Bump `updated_at` so every node drops its cached memberships of the user.
    async fn touch(&self, user_id: &str) -> Result<()> {
        let mut u = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AuthError::Forbidden("unknown user".into()))?;
        u.updated_at = now_us();
        self.backend.update_user(&u).await?;
        self.publish(&u);
        Ok(())
    }

    /// Change a member's roles (administrators).
    pub async fn set_roles(&self, ctx: &AccessContext, user_id: &str, roles: &str) -> Result<()> {
        self.store.authorize_admin(ctx).await?;
        let roles = RoleSet::parse(roles).map_err(|e| AuthError::field("roles", e.to_string()))?;
        let mut m = self
            .backend
            .memberships_of(user_id)
            .await?
            .into_iter()
            .find(|m| m.tenant == ctx.tenant)
            .ok_or_else(|| AuthError::Forbidden("not a member of this practice".into()))?;
        m.roles = roles.to_string();
        self.backend.upsert_membership(&m).await?;
        self.touch(user_id).await?;
        self.audit(ctx, "user.roles", "success").await;
        Ok(())
    }

    /// Disable (or re-enable) a user: refused at once on every node, sessions and tokens too.
    pub async fn set_disabled(
        &self,
        ctx: &AccessContext,
        user_id: &str,
        disabled: bool,
    ) -> Result<()> {
        self.store.authorize_admin(ctx).await?;
        self.require_member(ctx, user_id).await?;
        let mut u = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AuthError::Forbidden("unknown user".into()))?;
        let now = now_us();
        if self.is_system(ctx) {
            // The operator (CLI) disables the account itself, everywhere.
            u.disabled_at = disabled.then_some(now);
            u.sessions_valid_after = now;
        } else {
            // A practice's administrator ends the membership in that practice only: an account
            // shared with other practices keeps working there.
            let mut m = self.membership_here(ctx, user_id).await?;
            m.expires_at = disabled.then_some(now);
            self.backend.upsert_membership(&m).await?;
        }
        u.updated_at = now;
        self.backend.update_user(&u).await?;
        self.publish(&u);
        self.audit(
            ctx,
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            "success",
        )
        .await;
        Ok(())
    }

    pub(super) fn is_system(&self, ctx: &AccessContext) -> bool {
        ctx.principal.subject == cartella_core::access::Subject::System
    }

    async fn membership_here(
        &self,
        ctx: &AccessContext,
        user_id: &str,
    ) -> Result<MembershipRecord> {
        self.backend
            .memberships_of(user_id)
            .await?
            .into_iter()
            .find(|m| m.tenant == ctx.tenant)
            .ok_or_else(|| AuthError::Forbidden("not a member of this practice".into()))
    }

    async fn require_member(&self, ctx: &AccessContext, user_id: &str) -> Result<()> {
        if ctx.principal.subject == cartella_core::access::Subject::System {
            return Ok(());
        }
        let member = self
            .backend
            .memberships_of(user_id)
            .await?
            .iter()
            .any(|m| m.tenant == ctx.tenant);
        if member {
            Ok(())
        } else {
            Err(AuthError::Forbidden("not a member of this practice".into()))
        }
    }

    /// An administrator turns off a member's 2FA (lost phone); they enrol again.
    pub async fn admin_reset_2fa(&self, ctx: &AccessContext, user_id: &str) -> Result<()> {
        self.store.authorize_admin(ctx).await?;
        self.require_member(ctx, user_id).await?;
        // The second factor protects the account in every practice: one practice's
        // administrator may reset it only for an account that belongs to that practice alone.
        let elsewhere = self
            .backend
            .memberships_of(user_id)
            .await?
            .iter()
            .any(|m| m.tenant != ctx.tenant);
        if elsewhere && !self.is_system(ctx) {
            return Err(AuthError::Forbidden(
                "this account also belongs to other practices: its two-factor setting can be reset by the operator (cartella CLI)".into(),
            ));
        }
        self.totp_disable(user_id).await?;
        self.audit(ctx, "user.reset-2fa", "success").await;
        Ok(())
    }

    /// First run: a one-time setup token (24 h) when no user exists yet.
    pub async fn setup_token(&self) -> Result<Option<String>> {
        if self.backend.count_users().await? > 0 {
            return Ok(None);
        }
        let token = random_token();
        self.backend
            .insert_token(&OneTimeToken {
                token_hash: sha256(token.as_bytes()),
                purpose: PURPOSE_SETUP.into(),
                user_id: None,
                tenant: None,
                data: "{}".into(),
                expires_at: now_us() + 24 * 3_600_000_000,
                used_at: None,
            })
            .await?;
        Ok(Some(token))
    }

    /// Complete first-run setup: the practice and its first administrator.
    pub async fn complete_setup(
        &self,
        token: &str,
        slug: &str,
        practice: &str,
        admin: NewUser,
    ) -> Result<(TenantId, UserRecord)> {
        let slug = TenantSlug::parse(slug)
            .map_err(|e| AuthError::field("practice_slug", e.to_string()))?;
        let problems = admin
            .password
            .as_deref()
            .map(|p| passwords::check(p, &admin.email))
            .unwrap_or_default();
        if !problems.is_empty() || admin.password.is_none() {
            let mut v: Vec<(String, String)> = problems
                .into_iter()
                .map(|p| ("password".to_owned(), p.message()))
                .collect();
            if admin.password.is_none() {
                v.push(("password".into(), "choose a password".into()));
            }
            return Err(AuthError::Invalid(v));
        }
        if self.backend.count_users().await? > 0 {
            return Err(AuthError::InvalidCode);
        }
        self.backend
            .consume_token(&sha256(token.as_bytes()), PURPOSE_SETUP, now_us())
            .await?
            .ok_or(AuthError::InvalidCode)?;
        let tenant = self.store.create_tenant(&slug, practice, "setup").await?;
        let ctx = AccessContext::system(tenant.id.clone(), "setup");
        let user = self
            .create_user(
                &ctx,
                NewUser {
                    roles: "administrator".into(),
                    ..admin
                },
            )
            .await?;
        Ok((tenant.id, user))
    }

    /// Share a patient's record with an external member until `expires_at` (µs).
    pub async fn share_patient(
        &self,
        ctx: &AccessContext,
        user_id: &str,
        patient_id: &str,
        expires_at: i64,
    ) -> Result<ShareRecord> {
        self.store.authorize_admin(ctx).await?;
        self.require_member(ctx, user_id).await?;
        let share = ShareRecord {
            id: uuid::Uuid::now_v7().to_string(),
            tenant: ctx.tenant.clone(),
            user_id: user_id.to_owned(),
            patient_id: patient_id.to_owned(),
            expires_at,
            created_at: now_us(),
            revoked_at: None,
        };
        self.backend.insert_share(&share).await?;
        self.audit(ctx, "share.create", "success").await;
        Ok(share)
    }

    /// Practice settings (administrators): e.g. `{"mfa_required_roles": ["doctor"]}`.
    pub async fn put_settings(
        &self,
        ctx: &AccessContext,
        settings: &serde_json::Value,
    ) -> Result<()> {
        self.store.authorize_admin(ctx).await?;
        if let Some(roles) = settings.get("mfa_required_roles") {
            let list = roles
                .as_array()
                .ok_or_else(|| AuthError::field("mfa_required_roles", "a list of roles"))?;
            for r in list {
                Role::parse(r.as_str().unwrap_or(""))
                    .map_err(|e| AuthError::field("mfa_required_roles", e.to_string()))?;
            }
        }
        self.backend
            .put_tenant_settings(&ctx.tenant, &settings.to_string())
            .await?;
        self.audit(ctx, "settings.update", "success").await;
        Ok(())
    }
}
