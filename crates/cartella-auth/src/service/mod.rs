//! [`Auth`]: the identity service every surface uses. It holds the password hasher, the token
//! signer, the per-node caches and the rate limiters; the rules it applies are in its submodules.

mod login;
mod oauth;
mod password;
mod principal;
mod twofactor;
mod users;

pub use login::{LoginOutcome, LoginRequest, SessionInfo};
pub use oauth::{ClientRegistration, TokenResponse};
pub use principal::Authenticated;
pub use users::{JOB_PASSWORD_RESET, NewUser, PURPOSE_RESET, PURPOSE_SETUP};

use crate::cache::UserCache;
use crate::config::AuthConfig;
use crate::error::Result;
use crate::jwt::Signer;
use crate::passwords::Hasher;
use crate::ratelimit::Limiter;
use cartella_core::Timestamp;
use cartella_store::{AccessContext, Backend, Store};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

pub struct Auth {
    pub store: Arc<Store>,
    backend: Arc<dyn Backend>,
    pub config: AuthConfig,
    hasher: Hasher,
    signer: Signer,
    seal_key: [u8; 32],
    users: Arc<UserCache>,
    login_limiter: Limiter,
    api_limiter: Limiter,
    /// Access tokens revoked before they expire (jti → exp, seconds).
    revoked_jti: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl Auth {
    pub async fn new(store: Arc<Store>, config: AuthConfig) -> Result<Arc<Auth>> {
        let backend = store.backend().clone();
        let users = Arc::new(UserCache::default());
        users.start(backend.clone()).await?;
        let params = argon2::Params::new(config.argon2_memory_kib, 2, 1, None).map_err(|e| {
            crate::error::AuthError::Conflict(format!("invalid Argon2 settings: {e}"))
        })?;
        Ok(Arc::new(Auth {
            hasher: Hasher::with_params(config.hash_parallelism, params),
            signer: Signer::new(store.derive_system_key("cartella jwt v1").await?),
            seal_key: store.derive_system_key("cartella identity seal v1").await?,
            backend,
            store,
            config,
            users,
            login_limiter: Limiter::new(Duration::from_secs(60)),
            api_limiter: Limiter::new(Duration::from_secs(3600)),
            revoked_jti: Default::default(),
        }))
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// A context for events that belong to no practice yet (sign-in attempts).
    async fn system_context(
        &self,
        actor: &str,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<AccessContext> {
        let mut ctx = AccessContext::system(self.store.system_tenant().await?.id, actor);
        ctx.role = "anonymous".into();
        ctx.client_ip = ip.map(str::to_owned);
        ctx.user_agent = user_agent.map(|u| u.chars().take(200).collect());
        Ok(ctx)
    }

    /// Record an identity event (login, logout, 2FA, reset…) in the given context's chain.
    async fn audit(&self, ctx: &AccessContext, action: &str, outcome: &str) {
        if let Err(e) = self.store.audit_access(ctx, action, None, outcome).await {
            tracing::error!(error = %e, action, "could not audit an identity event");
        }
    }

    /// Count one API request of `client_id` against its hourly limit.
    pub fn check_api_rate(&self, client_id: &str, limit: Option<i64>) -> Result<()> {
        let limit = match limit {
            Some(l) => l.max(0) as u32,
            None => self.config.per_client_per_hour,
        };
        self.api_limiter
            .hit(client_id, limit)
            .map(drop)
            .map_err(|retry_after| crate::error::AuthError::RateLimited { retry_after })
    }
}

pub(crate) fn now_us() -> i64 {
    Timestamp::now().micros()
}

pub(crate) fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// A random URL-safe secret of 32 bytes.
pub(crate) fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// E-mail addresses are compared lower-cased and trimmed.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.contains(char::is_whitespace)
}
