//! OAuth2 for API clients: client credentials, authorization code with PKCE (S256), refresh
//! tokens that rotate on every use with reuse detection (a replayed token revokes its whole
//! family), and revocation (RFC 7009). Client secrets are 256-bit random strings, so a SHA-256
//! of them is enough (Argon2 is for human passwords).

use super::{Auth, now_us, random_token, sha256};
use crate::error::{AuthError, Result};
use crate::jwt::Claims;
use base64::Engine;
use cartella_core::TenantId;
use cartella_core::access::ScopeSet;
use cartella_store::AccessContext;
use cartella_store::identity::{ApiClientRecord, OneTimeToken, RefreshTokenRecord, RefreshUse};
use serde::{Deserialize, Serialize};

pub const PURPOSE_CODE: &str = "oauth_code";

#[derive(Debug, Clone)]
pub struct ClientRegistration {
    pub name: String,
    pub scopes: String,
    pub redirect_uris: Vec<String>,
    /// Public clients (apps that cannot keep a secret) use PKCE only.
    pub public: bool,
    pub rate_limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CodeData {
    client_id: String,
    redirect_uri: String,
    scope: String,
    challenge: String,
    patient: Option<String>,
}

fn hash_secret(secret: &str) -> String {
    format!("sha256:{}", hex::encode(sha256(secret.as_bytes())))
}

impl Auth {
    /// Register a client in the practice of `ctx`; returns it and its secret (shown once).
    pub async fn register_client(
        &self,
        ctx: &AccessContext,
        reg: ClientRegistration,
    ) -> Result<(ApiClientRecord, Option<String>)> {
        self.store.authorize_admin(ctx).await?;
        let name = reg.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(AuthError::field("name", "enter a name of 1-200 characters"));
        }
        let scopes =
            ScopeSet::parse(&reg.scopes).map_err(|e| AuthError::field("scopes", e.to_string()))?;
        if scopes.is_empty() {
            return Err(AuthError::field(
                "scopes",
                "at least one scope, e.g. system/*.read",
            ));
        }
        for uri in &reg.redirect_uris {
            if !(uri.starts_with("https://")
                || uri.starts_with("http://127.0.0.1")
                || uri.starts_with("http://localhost"))
            {
                return Err(AuthError::field(
                    "redirect_uris",
                    "redirect URIs must use https (or http on localhost)",
                ));
            }
        }
        let secret = (!reg.public).then(random_token);
        let client = ApiClientRecord {
            id: format!("c-{}", uuid::Uuid::now_v7().simple()),
            tenant: ctx.tenant.clone(),
            name: name.to_owned(),
            secret_hash: secret.as_deref().map(hash_secret),
            scopes: scopes.to_string(),
            redirect_uris: reg.redirect_uris.join(" "),
            rate_limit: reg.rate_limit,
            created_at: now_us(),
            disabled_at: None,
        };
        self.backend.insert_client(&client).await?;
        self.audit(ctx, "client.create", "success").await;
        Ok((client, secret))
    }

    /// Authenticate a client; a confidential client must present its secret.
    async fn client_auth(&self, client_id: &str, secret: Option<&str>) -> Result<ApiClientRecord> {
        let client = self
            .backend
            .client(client_id)
            .await?
            .filter(|c| c.disabled_at.is_none())
            .ok_or(AuthError::InvalidClient)?;
        match (&client.secret_hash, secret) {
            (Some(h), Some(s))
                if subtle::ConstantTimeEq::ct_eq(h.as_bytes(), hash_secret(s).as_bytes())
                    .into() =>
            {
                Ok(client)
            }
            (None, None) => Ok(client),
            _ => Err(AuthError::InvalidClient),
        }
    }

    fn access_token(
        &self,
        sub: &str,
        kind: &str,
        tenant: &TenantId,
        client: &str,
        scope: &str,
        patient: Option<String>,
    ) -> (String, i64) {
        let now = now_us() / 1_000_000;
        let ttl = self.config.access_token_minutes * 60;
        let claims = Claims {
            sub: sub.to_owned(),
            tid: tenant.to_string(),
            cid: client.to_owned(),
            scope: scope.to_owned(),
            patient,
            kind: kind.to_owned(),
            iat: now,
            exp: now + ttl,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        (self.sign(&claims), ttl)
    }

    /// `grant_type=client_credentials`: a token for the client itself.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        secret: Option<&str>,
        scope: Option<&str>,
    ) -> Result<TokenResponse> {
        let client = self.client_auth(client_id, secret).await?;
        if client.secret_hash.is_none() {
            return Err(AuthError::OAuth(
                "unauthorized_client",
                "public clients cannot use client credentials".into(),
            ));
        }
        let granted = self.grant_scopes(&client, scope)?;
        let (access_token, expires_in) = self.access_token(
            &client.id,
            "client",
            &client.tenant,
            &client.id,
            &granted,
            None,
        );
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            scope: granted,
            refresh_token: None,
            patient: None,
        })
    }

    fn grant_scopes(&self, client: &ApiClientRecord, asked: Option<&str>) -> Result<String> {
        let allowed = ScopeSet::parse(&client.scopes).map_err(|_| AuthError::InvalidClient)?;
        let granted = match asked.filter(|s| !s.trim().is_empty()) {
            Some(s) => ScopeSet::parse(s)
                .map_err(|e| AuthError::OAuth("invalid_scope", e.to_string()))?
                .intersect(&allowed),
            None => allowed,
        };
        if granted.is_empty() {
            return Err(AuthError::OAuth(
                "invalid_scope",
                "none of the requested scopes is allowed for this client".into(),
            ));
        }
        Ok(granted.to_string())
    }

    /// Check an authorization request before showing the consent page.
    pub async fn authorize_request(
        &self,
        client_id: &str,
        redirect_uri: &str,
        challenge: &str,
        method: &str,
    ) -> Result<ApiClientRecord> {
        let client = self
            .backend
            .client(client_id)
            .await?
            .filter(|c| c.disabled_at.is_none())
            .ok_or(AuthError::InvalidClient)?;
        if !client.redirect_uris.split(' ').any(|u| u == redirect_uri) {
            return Err(AuthError::OAuth(
                "invalid_request",
                "redirect_uri is not registered for this client".into(),
            ));
        }
        if method != "S256" || challenge.len() < 43 || challenge.len() > 128 {
            return Err(AuthError::OAuth(
                "invalid_request",
                "PKCE with code_challenge_method=S256 is required".into(),
            ));
        }
        Ok(client)
    }

    /// The signed-in user consented: an authorization code (60 s, single use).
    pub async fn issue_code(
        &self,
        ctx: &AccessContext,
        client: &ApiClientRecord,
        redirect_uri: &str,
        scope: Option<&str>,
        challenge: &str,
    ) -> Result<String> {
        if client.tenant != ctx.tenant {
            return Err(AuthError::Forbidden(
                "this client belongs to another practice".into(),
            ));
        }
        let granted = self.grant_scopes(client, scope)?;
        let code = random_token();
        let data = CodeData {
            client_id: client.id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            scope: granted,
            challenge: challenge.to_owned(),
            patient: ctx.principal.patient.clone(),
        };
        self.backend
            .insert_token(&OneTimeToken {
                token_hash: sha256(code.as_bytes()),
                purpose: PURPOSE_CODE.into(),
                user_id: Some(ctx.actor.clone()),
                tenant: Some(ctx.tenant.clone()),
                data: serde_json::to_string(&data).unwrap_or_default(),
                expires_at: now_us() + 60_000_000,
                used_at: None,
            })
            .await?;
        self.audit(ctx, "oauth.authorize", "success").await;
        Ok(code)
    }

    /// `grant_type=authorization_code` with the PKCE verifier.
    pub async fn exchange_code(
        &self,
        client_id: &str,
        secret: Option<&str>,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse> {
        let client = self.client_auth(client_id, secret).await?;
        let t = self
            .backend
            .consume_token(&sha256(code.as_bytes()), PURPOSE_CODE, now_us())
            .await?;
        let t = t.ok_or_else(|| {
            AuthError::InvalidGrant("the code is invalid, expired or already used".into())
        })?;
        let data: CodeData = serde_json::from_str(&t.data)
            .map_err(|_| AuthError::InvalidGrant("corrupt code".into()))?;
        let computed =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
        if data.client_id != client.id
            || data.redirect_uri != redirect_uri
            || computed != data.challenge
        {
            return Err(AuthError::InvalidGrant(
                "code, client, redirect_uri or code_verifier do not match".into(),
            ));
        }
        let (user_id, tenant) = (
            t.user_id.ok_or(AuthError::InvalidGrant("no user".into()))?,
            t.tenant
                .ok_or(AuthError::InvalidGrant("no practice".into()))?,
        );
        self.tokens_for_user(
            &client,
            &user_id,
            &tenant,
            &data.scope,
            data.patient,
            uuid::Uuid::now_v7().to_string(),
        )
        .await
    }

    async fn tokens_for_user(
        &self,
        client: &ApiClientRecord,
        user_id: &str,
        tenant: &TenantId,
        scope: &str,
        patient: Option<String>,
        family: String,
    ) -> Result<TokenResponse> {
        let (access_token, expires_in) =
            self.access_token(user_id, "user", tenant, &client.id, scope, patient.clone());
        let refresh = random_token();
        let now = now_us();
        self.backend
            .insert_refresh(&RefreshTokenRecord {
                token_hash: sha256(refresh.as_bytes()),
                family,
                client_id: client.id.clone(),
                user_id: Some(user_id.to_owned()),
                tenant: tenant.clone(),
                scopes: scope.to_owned(),
                patient_id: patient.clone(),
                expires_at: now + self.config.refresh_token_days * 86_400_000_000,
                used_at: None,
                revoked_at: None,
                created_at: now,
            })
            .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            scope: scope.to_owned(),
            refresh_token: Some(refresh),
            patient,
        })
    }

    /// `grant_type=refresh_token`: rotate. A replayed token revokes its family.
    pub async fn refresh(
        &self,
        client_id: &str,
        secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<TokenResponse> {
        let client = self.client_auth(client_id, secret).await?;
        match self
            .backend
            .use_refresh(&sha256(refresh_token.as_bytes()), now_us())
            .await?
        {
            RefreshUse::Fresh(t) if t.client_id == client.id => {
                let user_id = t
                    .user_id
                    .clone()
                    .ok_or_else(|| AuthError::InvalidGrant("not a user token".into()))?;
                if !self.users.still_valid(&user_id, t.created_at) {
                    self.backend
                        .revoke_refresh_family(&t.family, now_us())
                        .await?;
                    return Err(AuthError::InvalidGrant("the grant was revoked".into()));
                }
                self.tokens_for_user(
                    &client,
                    &user_id,
                    &t.tenant,
                    &t.scopes,
                    t.patient_id.clone(),
                    t.family,
                )
                .await
            }
            RefreshUse::Fresh(t) | RefreshUse::Replayed(t) => {
                let n = self
                    .backend
                    .revoke_refresh_family(&t.family, now_us())
                    .await?;
                tracing::warn!(client = %client.id, revoked = n, "refresh token reuse detected; family revoked");
                let ctx = AccessContext::system(t.tenant.clone(), &client.id);
                self.audit(&ctx, "oauth.refresh-reuse", "denied").await;
                Err(AuthError::InvalidGrant(
                    "the refresh token was already used; the grant is revoked".into(),
                ))
            }
            RefreshUse::Invalid => Err(AuthError::InvalidGrant(
                "invalid or expired refresh token".into(),
            )),
        }
    }

    /// RFC 7009: revoke a refresh token (and its family) or an access token. Unknown tokens are
    /// not an error.
    pub async fn revoke(&self, client_id: &str, secret: Option<&str>, token: &str) -> Result<()> {
        let client = self.client_auth(client_id, secret).await?;
        if let Some(t) = self
            .backend
            .revoke_refresh(&sha256(token.as_bytes()), now_us())
            .await?
        {
            if t.client_id == client.id {
                self.backend
                    .revoke_refresh_family(&t.family, now_us())
                    .await?;
            }
            return Ok(());
        }
        if let Ok(claims) = self.signer.verify(token, now_us() / 1_000_000)
            && claims.cid == client.id
        {
            let mut map = self.revoked_jti.lock().unwrap_or_else(|p| p.into_inner());
            let now = now_us() / 1_000_000;
            map.retain(|_, exp| *exp > now);
            map.insert(claims.jti, claims.exp);
        }
        Ok(())
    }
}
