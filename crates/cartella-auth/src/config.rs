//! Identity settings with secure defaults.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// A browser session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// …and after this many hours in any case.
    pub session_absolute_hours: i64,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    pub reset_link_minutes: i64,
    /// Failed logins before the account locks; each further failure doubles the lock.
    pub lockout_threshold: i32,
    pub lockout_base_seconds: i64,
    pub lockout_max_seconds: i64,
    /// Login attempts per minute per client address and per e-mail.
    pub login_per_ip_per_minute: u32,
    pub login_per_identifier_per_minute: u32,
    /// API requests per hour per client (0 = unlimited); clients may override.
    pub per_client_per_hour: u32,
    /// Argon2id hashes computed at once (the rest wait).
    pub hash_parallelism: usize,
    /// Argon2 memory in KiB (OWASP: 19456); tests may lower it.
    pub argon2_memory_kib: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            access_token_minutes: 60,
            refresh_token_days: 7,
            reset_link_minutes: 30,
            lockout_threshold: 5,
            lockout_base_seconds: 30,
            lockout_max_seconds: 3600,
            login_per_ip_per_minute: 30,
            login_per_identifier_per_minute: 10,
            per_client_per_hour: 1000,
            hash_parallelism: 1,
            argon2_memory_kib: 19 * 1024,
        }
    }
}
