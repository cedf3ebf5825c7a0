//! Rows of the identity tables as they cross the backend boundary.

use cartella_core::TenantId;

/// A person who can sign in. Users are global; what they may do is per practice (membership).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    /// Lower-cased login identifier.
    pub email: String,
    pub display_name: String,
    /// Argon2id PHC string; `None` until the user sets one (invitation).
    pub password_hash: Option<String>,
    pub language: Option<String>,
    /// TOTP secret sealed under the identity key; `None` when never enrolled.
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled: bool,
    /// Last accepted TOTP time step (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    pub failed_logins: i32,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
    /// Sessions and tokens issued before this instant are invalid ("log out everywhere").
    pub sessions_valid_after: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A user's place in one practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    pub user_id: String,
    pub tenant: TenantId,
    /// Comma-separated role names (see `cartella_core::access::RoleSet`).
    pub roles: String,
    /// For the patient role: the Patient resource that is theirs.
    pub patient_id: Option<String>,
    /// For external collaborators: access ends at this instant.
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value; the cookie itself is never stored.
    pub id_hash: Vec<u8>,
    pub user_id: String,
    pub tenant: TenantId,
    pub csrf: String,
    /// False until the second factor was given (when the user has one).
    pub mfa_done: bool,
    pub created_at: i64,
    pub last_seen: i64,
    /// Absolute end of the session.
    pub expires_at: i64,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub revoked_at: Option<i64>,
}

/// Single-use tokens: password reset, first-run setup, OAuth2 authorization codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimeToken {
    pub token_hash: Vec<u8>,
    pub purpose: String,
    pub user_id: Option<String>,
    pub tenant: Option<TenantId>,
    /// JSON with what the token carries (no secrets in clear).
    pub data: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClientRecord {
    pub id: String,
    pub tenant: TenantId,
    pub name: String,
    /// Argon2id hash of the secret; `None` for public clients (PKCE only).
    pub secret_hash: Option<String>,
    /// Space-separated scopes the client may be granted.
    pub scopes: String,
    /// Space-separated redirect URIs (authorization code flow).
    pub redirect_uris: String,
    /// Requests per hour: `None` = the server default, `Some(0)` = unlimited.
    pub rate_limit: Option<i64>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub token_hash: Vec<u8>,
    /// All tokens descending from one grant share a family; reuse revokes the family.
    pub family: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub tenant: TenantId,
    pub scopes: String,
    pub patient_id: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// Unused and valid: now marked used; rotate it.
    Fresh(RefreshTokenRecord),
    /// Already used or revoked: a replay. The caller revokes the family.
    Replayed(RefreshTokenRecord),
    /// Unknown or expired.
    Invalid,
}

/// A patient's record shared with an external user until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRecord {
    pub id: String,
    pub tenant: TenantId,
    pub user_id: String,
    pub patient_id: String,
    pub expires_at: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A change to a user that every node must apply within a second (disable, log out everywhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInvalidation {
    pub user_id: String,
    pub sessions_valid_after: i64,
    pub disabled_at: Option<i64>,
    pub updated_at: i64,
}
