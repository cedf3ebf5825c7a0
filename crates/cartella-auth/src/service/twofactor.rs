//! TOTP enrolment, the second-factor check, and recovery codes (10, single use, stored hashed).

use super::{Auth, now_us, sha256};
use crate::error::{AuthError, Result};
use crate::totp;
use cartella_store::crypto::aead;
use cartella_store::identity::UserRecord;
use rand::Rng;

/// What an authenticator app needs to enrol.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

const RECOVERY_CODES: usize = 10;

impl Auth {
    fn seal_secret(&self, user_id: &str, secret: &[u8]) -> Vec<u8> {
        aead::seal(&self.seal_key, format!("totp|{user_id}").as_bytes(), secret)
    }

    fn open_secret(&self, user: &UserRecord) -> Option<Vec<u8>> {
        let sealed = user.totp_secret.as_ref()?;
        aead::open(
            &self.seal_key,
            format!("totp|{}", user.id).as_bytes(),
            sealed,
        )
        .ok()
    }

    /// Start (or restart) enrolment: a new secret, not active until a code confirms it.
    pub async fn totp_begin(&self, user_id: &str) -> Result<Enrolment> {
        let mut user = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        if user.totp_enabled {
            return Err(AuthError::Conflict(
                "two-factor authentication is already on; turn it off first".into(),
            ));
        }
        let secret = totp::new_secret();
        user.totp_secret = Some(self.seal_secret(&user.id, &secret));
        user.updated_at = now_us();
        self.backend.update_user(&user).await?;
        let uri = totp::otpauth_uri(&secret, &user.email, "Cartella");
        Ok(Enrolment {
            secret: totp::base32(&secret),
            qr_svg: totp::qr_svg(&uri),
            otpauth_uri: uri,
        })
    }

    /// Confirm enrolment with a first code; returns the recovery codes (shown once).
    pub async fn totp_confirm(&self, user_id: &str, code: &str) -> Result<Vec<String>> {
        let mut user = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let secret = self
            .open_secret(&user)
            .ok_or_else(|| AuthError::Conflict("start enrolment first".into()))?;
        let step = totp::verify(
            &secret,
            code,
            (now_us() / 1_000_000) as u64,
            user.totp_last_step,
        )
        .ok_or(AuthError::InvalidCode)?;
        user.totp_enabled = true;
        user.totp_last_step = Some(step);
        user.updated_at = now_us();
        self.backend.update_user(&user).await?;
        self.new_recovery_codes(&user.id).await
    }

    /// Replace the recovery codes; the old ones stop working.
    pub async fn new_recovery_codes(&self, user_id: &str) -> Result<Vec<String>> {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        // The thread-local RNG must not live across an await (it is not Send).
        let codes: Vec<String> = {
            let mut rng = rand::thread_rng();
            (0..RECOVERY_CODES)
                .map(|_| {
                    let raw: String = (0..10)
                        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                        .collect();
                    format!("{}-{}", &raw[..5], &raw[5..])
                })
                .collect()
        };
        let hashes: Vec<Vec<u8>> = codes
            .iter()
            .map(|c| sha256(normalize_code(c).as_bytes()))
            .collect();
        self.backend
            .replace_recovery_codes(user_id, &hashes)
            .await?;
        Ok(codes)
    }

    /// Turn 2FA off (the user, with their password; or an administrator's reset).
    pub async fn totp_disable(&self, user_id: &str) -> Result<()> {
        let mut user = self
            .backend
            .user_by_id(user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        user.totp_enabled = false;
        user.totp_secret = None;
        user.totp_last_step = None;
        user.updated_at = now_us();
        self.backend.update_user(&user).await?;
        self.backend.replace_recovery_codes(user_id, &[]).await?;
        Ok(())
    }

    /// A TOTP code (not replayed) or an unused recovery code.
    pub(super) async fn check_second_factor(
        &self,
        user: &mut UserRecord,
        code: &str,
    ) -> Result<bool> {
        let Some(secret) = self.open_secret(user) else {
            return Ok(false);
        };
        if let Some(step) = totp::verify(
            &secret,
            code,
            (now_us() / 1_000_000) as u64,
            user.totp_last_step,
        ) {
            user.totp_last_step = Some(step);
            user.updated_at = now_us();
            self.backend.update_user(user).await?;
            return Ok(true);
        }
        let normalized = normalize_code(code);
        if normalized.len() == 10 {
            return Ok(self
                .backend
                .use_recovery_code(&user.id, &sha256(normalized.as_bytes()), now_us())
                .await?);
        }
        Ok(false)
    }
}

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
