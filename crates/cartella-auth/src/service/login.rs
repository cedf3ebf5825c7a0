//! Signing in: throttling, password check with lockout and backoff, the second factor, and
//! browser sessions (server-side rows, looked up by the hash of the cookie value).

use super::{Auth, normalize_email, now_us, random_token, sha256};
use crate::error::{AuthError, Result};
use cartella_core::TenantId;
use cartella_core::access::{Role, RoleSet};
use cartella_store::identity::{MembershipRecord, SessionRecord, UserRecord};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Practice slug; optional when the user belongs to one practice only.
    #[serde(default)]
    pub practice: Option<String>,
    #[serde(skip)]
    pub client_ip: Option<String>,
    #[serde(skip)]
    pub user_agent: Option<String>,
}

/// A session as the surfaces see it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub session: SessionRecord,
    pub user: UserRecord,
    pub membership: MembershipRecord,
    /// The practice requires 2FA for one of the user's roles and the user has none yet: the
    /// session may only enrol.
    pub mfa_enrolment_required: bool,
}

pub struct LoginOutcome {
    /// The cookie value (shown once; only its hash is stored).
    pub cookie: String,
    pub info: SessionInfo,
}

impl Auth {
    pub async fn login(&self, req: LoginRequest) -> Result<LoginOutcome> {
        let email = normalize_email(&req.email);
        let ip = req.client_ip.clone().unwrap_or_default();
        let sys = self
            .system_context(
                "anonymous",
                req.client_ip.as_deref(),
                req.user_agent.as_deref(),
            )
            .await?;
        for (key, limit) in [
            (format!("ip:{ip}"), self.config.login_per_ip_per_minute),
            (
                format!("id:{email}"),
                self.config.login_per_identifier_per_minute,
            ),
        ] {
            if let Err(retry_after) = self.login_limiter.hit(&key, limit) {
                self.audit(&sys, "login", "throttled").await;
                return Err(AuthError::RateLimited { retry_after });
            }
        }
        let user = self.backend.user_by_email(&email).await?;
        let now = now_us();
        let locked = user
            .as_ref()
            .is_some_and(|u| u.locked_until.is_some_and(|l| l > now));
        // Verify even for unknown or locked accounts, so every failure takes the same time.
        let hash = user
            .as_ref()
            .filter(|_| !locked)
            .and_then(|u| u.password_hash.as_deref());
        let password_ok = self.hasher.verify(&req.password, hash).await;
        let Some(mut user) = user else {
            self.audit(&sys, "login", "failure").await;
            return Err(AuthError::InvalidCredentials);
        };
        let mut user_ctx = sys.clone();
        user_ctx.actor = user.id.clone();
        if !password_ok || locked || user.disabled_at.is_some() {
            if !locked && !password_ok {
                self.record_failure(&mut user, now).await?;
            }
            self.audit(
                &user_ctx,
                "login",
                if locked { "locked" } else { "failure" },
            )
            .await;
            return Err(AuthError::InvalidCredentials);
        }
        if user.failed_logins != 0 || user.locked_until.is_some() {
            user.failed_logins = 0;
            user.locked_until = None;
            user.updated_at = now;
            self.backend.update_user(&user).await?;
        }
        let membership = self
            .choose_membership(&user, req.practice.as_deref(), now)
            .await?;
        let enrolment = !user.totp_enabled && self.mfa_required(&membership).await?;
        let cookie = random_token();
        let session = SessionRecord {
            id_hash: sha256(cookie.as_bytes()),
            user_id: user.id.clone(),
            tenant: membership.tenant.clone(),
            csrf: random_token(),
            mfa_done: !user.totp_enabled,
            created_at: now,
            last_seen: now,
            expires_at: now + self.config.session_absolute_hours * 3_600_000_000,
            client_ip: req.client_ip.clone(),
            user_agent: req
                .user_agent
                .as_ref()
                .map(|u| u.chars().take(200).collect()),
            revoked_at: None,
        };
        self.backend.insert_session(&session).await?;
        let mut ctx = user_ctx.clone();
        ctx.tenant = membership.tenant.clone();
        ctx.role = membership.roles.clone();
        self.audit(
            &ctx,
            "login",
            if user.totp_enabled {
                "password-ok-mfa-pending"
            } else {
                "success"
            },
        )
        .await;
        Ok(LoginOutcome {
            cookie,
            info: SessionInfo {
                session,
                user,
                membership,
                mfa_enrolment_required: enrolment,
            },
        })
    }

    /// One more failure: after the threshold, lock for base × 2^(failures − threshold), capped.
    async fn record_failure(&self, user: &mut UserRecord, now: i64) -> Result<()> {
        user.failed_logins += 1;
        let over = user.failed_logins - self.config.lockout_threshold;
        if over >= 0 {
            let secs = (self.config.lockout_base_seconds << over.min(20))
                .min(self.config.lockout_max_seconds);
            user.locked_until = Some(now + secs * 1_000_000);
        }
        user.updated_at = now;
        self.backend.update_user(user).await?;
        Ok(())
    }

    async fn choose_membership(
        &self,
        user: &UserRecord,
        practice: Option<&str>,
        now: i64,
    ) -> Result<MembershipRecord> {
        let live: Vec<MembershipRecord> = self
            .backend
            .memberships_of(&user.id)
            .await?
            .into_iter()
            .filter(|m| m.expires_at.is_none_or(|e| e > now))
            .collect();
        let wanted = match practice {
            Some(slug) => Some(
                self.store
                    .tenant_by_slug(slug)
                    .await
                    .map_err(|_| {
                        AuthError::Forbidden("you are not a member of this practice".into())
                    })?
                    .id,
            ),
            None => None,
        };
        let chosen = match wanted {
            Some(t) => live.into_iter().find(|m| m.tenant == t),
            None => live.into_iter().next(),
        };
        chosen.ok_or_else(|| AuthError::Forbidden("you are not a member of this practice".into()))
    }

    /// Does the practice require a second factor for any of the member's roles?
    pub async fn mfa_required(&self, m: &MembershipRecord) -> Result<bool> {
        let settings: serde_json::Value =
            serde_json::from_str(&self.backend.tenant_settings(&m.tenant).await?)
                .unwrap_or_default();
        let required: Vec<Role> = settings["mfa_required_roles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str())
                    .filter_map(|r| Role::parse(r).ok())
                    .collect()
            })
            .unwrap_or_default();
        let roles = RoleSet::parse(&m.roles).unwrap_or_default();
        Ok(required.iter().any(|r| roles.contains(*r)))
    }

    /// Give the second factor for a session waiting for it: a TOTP code or a recovery code.
    pub async fn complete_mfa(&self, cookie: &str, code: &str) -> Result<SessionInfo> {
        let mut info = self.session(cookie, true).await?;
        if info.session.mfa_done {
            return Ok(info);
        }
        let ctx = self.session_context(&info).await?;
        if !self.check_second_factor(&mut info.user, code).await? {
            self.audit(&ctx, "login.mfa", "failure").await;
            return Err(AuthError::InvalidCode);
        }
        info.session.mfa_done = true;
        // A new CSRF token once fully signed in.
        info.session.csrf = random_token();
        self.backend.update_session(&info.session).await?;
        self.audit(&ctx, "login.mfa", "success").await;
        Ok(info)
    }

    pub async fn logout(&self, cookie: &str) -> Result<()> {
        let hash = sha256(cookie.as_bytes());
        if let Some(s) = self.backend.session(&hash).await? {
            self.backend.revoke_session(&hash, now_us()).await?;
            if let Ok(info) = self.session_info(s).await {
                let ctx = self.session_context(&info).await?;
                self.audit(&ctx, "logout", "success").await;
            }
        }
        Ok(())
    }

    /// End every session and token of the user, on every node within a second.
    pub async fn logout_everywhere(&self, user_id: &str) -> Result<()> {
        let mut user = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let now = now_us();
        user.sessions_valid_after = now + 1;
        user.updated_at = now + 1;
        self.backend.update_user(&user).await?;
        self.publish(&user);
        Ok(())
    }

    /// Move a session to another practice the user belongs to.
    pub async fn switch_practice(&self, cookie: &str, slug: &str) -> Result<SessionInfo> {
        let mut info = self.session(cookie, false).await?;
        let m = self
            .choose_membership(&info.user, Some(slug), now_us())
            .await?;
        info.session.tenant = m.tenant.clone();
        info.mfa_enrolment_required = !info.user.totp_enabled && self.mfa_required(&m).await?;
        info.membership = m;
        self.backend.update_session(&info.session).await?;
        Ok(info)
    }

    /// The practices a user may sign in to.
    pub async fn practices_of(&self, user_id: &str) -> Result<Vec<(TenantId, String)>> {
        Ok(self
            .backend
            .memberships_of(user_id)
            .await?
            .into_iter()
            .map(|m| (m.tenant, m.roles))
            .collect())
    }
}
