//! Turning a session cookie or a bearer token into an [`AccessContext`] the store can check:
//! the user's roles in the practice, their own patient, what is shared with them, and the
//! token's scopes. Tokens are verified in memory; sessions cost one point query.

use super::login::SessionInfo;
use super::{Auth, now_us, sha256};
use crate::error::{AuthError, Result};
use crate::jwt::Claims;
use cartella_core::TenantId;
use cartella_core::access::{Principal, Role, RoleSet, ScopeSet, Subject};
use cartella_store::AccessContext;
use cartella_store::identity::{MembershipRecord, SessionRecord};

/// A request's verified identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub ctx: AccessContext,
    /// Browser sessions must echo this token on state-changing requests.
    pub csrf: Option<String>,
    /// The API client behind a token (for rate limiting).
    pub client_id: Option<String>,
    pub user_id: Option<String>,
}

impl Auth {
    /// The live session behind a cookie. `allow_pending`: also a session still waiting for its
    /// second factor (only the 2FA endpoints accept those).
    pub async fn session(&self, cookie: &str, allow_pending: bool) -> Result<SessionInfo> {
        let record = self
            .backend
            .session(&sha256(cookie.as_bytes()))
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let mut info = self.session_info(record).await?;
        if !allow_pending && !info.session.mfa_done {
            return Err(AuthError::MfaRequired);
        }
        let now = now_us();
        // Write last_seen at most once a minute: idle timeouts need no finer grain.
        if now - info.session.last_seen > 60_000_000 {
            info.session.last_seen = now;
            self.backend.update_session(&info.session).await?;
        }
        Ok(info)
    }

    pub(super) async fn session_info(&self, s: SessionRecord) -> Result<SessionInfo> {
        let now = now_us();
        let idle = self.config.session_idle_minutes * 60_000_000;
        if s.revoked_at.is_some()
            || s.expires_at <= now
            || s.last_seen + idle <= now
            || !self.users.still_valid(&s.user_id, s.created_at)
        {
            return Err(AuthError::Unauthenticated);
        }
        let user = self
            .backend
            .user_by_id(&s.user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if user.disabled_at.is_some() {
            return Err(AuthError::Unauthenticated);
        }
        let membership = self
            .membership(&s.user_id, &s.tenant)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let enrol = !user.totp_enabled && self.mfa_required(&membership).await?;
        Ok(SessionInfo {
            session: s,
            user,
            membership: (*membership).clone(),
            mfa_enrolment_required: enrol,
        })
    }

    async fn membership(
        &self,
        user_id: &str,
        tenant: &TenantId,
    ) -> Result<Option<std::sync::Arc<MembershipRecord>>> {
        if let Some(m) = self.users.membership(user_id, tenant) {
            return Ok(Some(m));
        }
        let found = self
            .backend
            .memberships_of(user_id)
            .await?
            .into_iter()
            .find(|m| &m.tenant == tenant);
        Ok(found.map(|m| self.users.remember_membership(m)))
    }

    /// The store context of a signed-in user.
    pub async fn session_context(&self, info: &SessionInfo) -> Result<AccessContext> {
        let principal = self
            .user_principal(&info.user.id, &info.membership, None, None)
            .await?;
        Ok(AccessContext {
            tenant: info.membership.tenant.clone(),
            actor: info.user.id.clone(),
            role: info.membership.roles.clone(),
            principal,
            purpose: None,
            client_ip: info.session.client_ip.clone(),
            user_agent: info.session.user_agent.clone(),
        })
    }

    async fn user_principal(
        &self,
        user_id: &str,
        m: &MembershipRecord,
        scopes: Option<ScopeSet>,
        patient: Option<String>,
    ) -> Result<Principal> {
        let now = now_us();
        if m.expires_at.is_some_and(|e| e <= now) {
            return Err(AuthError::Unauthenticated);
        }
        let roles = RoleSet::parse(&m.roles)
            .map_err(|_| AuthError::Forbidden("no valid role in this practice".into()))?;
        let shared = if roles.contains(Role::External) {
            self.backend
                .shared_patients(&m.tenant, user_id, now)
                .await?
        } else {
            Vec::new()
        };
        Ok(Principal {
            subject: Subject::User(user_id.to_owned()),
            roles,
            scopes,
            patient: patient.or_else(|| m.patient_id.clone()),
            shared,
        })
    }

    /// Verify a bearer access token and build its context.
    pub async fn authenticate_token(
        &self,
        token: &str,
        client_ip: Option<String>,
        user_agent: Option<String>,
    ) -> Result<Authenticated> {
        let now_s = now_us() / 1_000_000;
        let claims = self
            .signer
            .verify(token, now_s)
            .map_err(|_| AuthError::Unauthenticated)?;
        if self
            .revoked_jti
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&claims.jti)
        {
            return Err(AuthError::Unauthenticated);
        }
        let tenant = TenantId::parse(&claims.tid).map_err(|_| AuthError::Unauthenticated)?;
        let scopes = ScopeSet::parse(&claims.scope).map_err(|_| AuthError::Unauthenticated)?;
        let client = self
            .backend
            .client(&claims.cid)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if client.disabled_at.is_some() || client.tenant != tenant {
            return Err(AuthError::Unauthenticated);
        }
        let (principal, role, user_id) = if claims.kind == "user" {
            if !self.users.still_valid(&claims.sub, claims.iat * 1_000_000) {
                return Err(AuthError::Unauthenticated);
            }
            let m = self
                .membership(&claims.sub, &tenant)
                .await?
                .ok_or(AuthError::Unauthenticated)?;
            let p = self
                .user_principal(&claims.sub, &m, Some(scopes), claims.patient.clone())
                .await?;
            (p, m.roles.clone(), Some(claims.sub.clone()))
        } else {
            (
                Principal::client(&claims.cid, scopes),
                "client".to_owned(),
                None,
            )
        };
        self.check_api_rate(&claims.cid, client.rate_limit)?;
        Ok(Authenticated {
            ctx: AccessContext {
                tenant,
                actor: claims.sub.clone(),
                role,
                principal,
                purpose: None,
                client_ip,
                user_agent,
            },
            csrf: None,
            client_id: Some(claims.cid.clone()),
            user_id,
        })
    }

    pub(super) fn sign(&self, claims: &Claims) -> String {
        self.signer.sign(claims)
    }
}
