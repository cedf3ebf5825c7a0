//! Passwords: setting and changing them (policy checked, other sessions ended), and the reset
//! by e-mailed single-use link.

use super::users::{JOB_PASSWORD_RESET, PURPOSE_RESET};
use super::{Auth, normalize_email, now_us, random_token, sha256};
use crate::error::{AuthError, Result};
use crate::passwords;
use cartella_store::identity::{OneTimeToken, UserRecord};
use cartella_store::{Lane, NewJob};

impl Auth {
    /// Set a new password (checked against the policy); ends other sessions.
    pub async fn set_password(&self, user_id: &str, password: &str) -> Result<()> {
        let mut u = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let problems = passwords::check(password, &u.email);
        if !problems.is_empty() {
            return Err(AuthError::Invalid(
                problems
                    .into_iter()
                    .map(|p| ("password".to_owned(), p.message()))
                    .collect(),
            ));
        }
        u.password_hash = Some(self.hasher.hash(password).await);
        let now = now_us();
        u.failed_logins = 0;
        u.locked_until = None;
        u.sessions_valid_after = now;
        u.updated_at = now;
        self.backend.update_user(&u).await?;
        self.publish(&u);
        Ok(())
    }

    /// Change one's own password, proving the current one.
    pub async fn change_password(&self, user_id: &str, current: &str, new: &str) -> Result<()> {
        let u = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if !self
            .hasher
            .verify(current, u.password_hash.as_deref())
            .await
        {
            return Err(AuthError::field(
                "current_password",
                "the current password is not right",
            ));
        }
        self.set_password(user_id, new).await
    }

    /// Ask for a reset link. Always succeeds, whether or not the address is known; for a known
    /// one the outbox gets a job that creates the link and mails it.
    pub async fn request_password_reset(&self, email: &str, client_ip: Option<&str>) -> Result<()> {
        let email = normalize_email(email);
        if let Err(retry_after) = self.login_limiter.hit(&format!("reset:{email}"), 3) {
            return Err(AuthError::RateLimited { retry_after });
        }
        let sys = self.system_context("anonymous", client_ip, None).await?;
        if let Some(u) = self
            .backend
            .user_by_email(&email)
            .await?
            .filter(|u| u.disabled_at.is_none())
        {
            let job = NewJob {
                tenant: None,
                lane: Lane::Interactive,
                kind: JOB_PASSWORD_RESET.into(),
                payload: serde_json::json!({ "user_id": u.id }).to_string(),
                run_at: now_us(),
                max_attempts: 5,
                dedupe_key: None,
            };
            self.backend.enqueue(vec![job]).await?;
            let mut ctx = sys.clone();
            ctx.actor = u.id;
            self.audit(&ctx, "password.reset-request", "success").await;
        } else {
            self.audit(&sys, "password.reset-request", "unknown").await;
        }
        Ok(())
    }

    /// Create a single-use reset token (the job handler mails the link): `(user, token)`.
    pub async fn issue_reset_token(&self, user_id: &str) -> Result<(UserRecord, String)> {
        let user = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AuthError::Forbidden("unknown user".into()))?;
        let token = random_token();
        self.backend
            .insert_token(&OneTimeToken {
                token_hash: sha256(token.as_bytes()),
                purpose: PURPOSE_RESET.into(),
                user_id: Some(user.id.clone()),
                tenant: None,
                data: "{}".into(),
                expires_at: now_us() + self.config.reset_link_minutes * 60_000_000,
                used_at: None,
            })
            .await?;
        Ok((user, token))
    }

    /// Use a reset link: the new password must pass the policy; the link works once.
    pub async fn confirm_password_reset(&self, token: &str, password: &str) -> Result<()> {
        // Check the policy before spending the token, so a weak password can be corrected.
        let hash = sha256(token.as_bytes());
        let problems = passwords::check(password, "");
        if !problems.is_empty() {
            return Err(AuthError::Invalid(
                problems
                    .into_iter()
                    .map(|p| ("password".to_owned(), p.message()))
                    .collect(),
            ));
        }
        let t = self
            .backend
            .consume_token(&hash, PURPOSE_RESET, now_us())
            .await?
            .ok_or(AuthError::InvalidCode)?;
        let user_id = t.user_id.ok_or(AuthError::InvalidCode)?;
        self.set_password(&user_id, password).await?;
        let mut ctx = self.system_context(&user_id, None, None).await?;
        ctx.actor = user_id;
        self.audit(&ctx, "password.reset", "success").await;
        Ok(())
    }
}
