//! Errors of identity and access. Messages are safe to show: they never say whether an account
//! exists. Each variant notes its HTTP status.

use cartella_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// 401: wrong e-mail or password, unknown, locked or disabled account: one answer for all.
    #[error("invalid e-mail or password, or too many attempts: try again later")]
    InvalidCredentials,
    /// 401: the password was right; a second factor is needed next.
    #[error("a code from your authenticator app is required")]
    MfaRequired,
    /// 401: wrong, expired or replayed TOTP / recovery code / link.
    #[error("the code is invalid or has expired")]
    InvalidCode,
    /// 401: no valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// 403
    #[error("{0}")]
    Forbidden(String),
    /// 429
    #[error("too many requests: retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// 400 with a message per field.
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    /// 409
    #[error("{0}")]
    Conflict(String),
    /// OAuth2 `invalid_grant` (400).
    #[error("{0}")]
    InvalidGrant(String),
    /// OAuth2 `invalid_client` (401).
    #[error("client authentication failed")]
    InvalidClient,
    /// OAuth2 `invalid_request` / `unsupported_grant_type` / `invalid_scope` (400).
    #[error("{1}")]
    OAuth(&'static str, String),
    /// Store failures (status per StoreError).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AuthError::Invalid(vec![(field.to_owned(), message.into())])
    }
}

pub type Result<T, E = AuthError> = std::result::Result<T, E>;
