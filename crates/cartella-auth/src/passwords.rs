//! Password policy and hashing. Argon2id at OWASP's parameters (19 MiB, 2 passes), run on the
//! blocking pool behind a semaphore so a burst of logins cannot starve other requests.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// One broken rule; the message is shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    TooShort,
    TooLong,
    NoUppercase,
    NoLowercase,
    NoDigit,
    NoSymbol,
    Common,
    ContainsEmail,
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::TooShort => format!("use at least {MIN_LENGTH} characters"),
            Problem::TooLong => format!("use at most {MAX_LENGTH} characters"),
            Problem::NoUppercase => "add an upper-case letter".into(),
            Problem::NoLowercase => "add a lower-case letter".into(),
            Problem::NoDigit => "add a digit".into(),
            Problem::NoSymbol => "add a symbol such as ! ? # or %".into(),
            Problem::Common => {
                "this password is too common: it appears in lists of leaked passwords".into()
            }
            Problem::ContainsEmail => "do not use your e-mail address in the password".into(),
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            Problem::TooShort => "too_short",
            Problem::TooLong => "too_long",
            Problem::NoUppercase => "no_uppercase",
            Problem::NoLowercase => "no_lowercase",
            Problem::NoDigit => "no_digit",
            Problem::NoSymbol => "no_symbol",
            Problem::Common => "common",
            Problem::ContainsEmail => "contains_email",
        }
    }
}

fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// How many entries the shipped list of common passwords holds.
pub fn common_list_len() -> usize {
    common().len()
}

/// Every rule the password breaks (empty: acceptable).
pub fn check(password: &str, email: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        out.push(Problem::TooShort);
    }
    if chars > MAX_LENGTH {
        out.push(Problem::TooLong);
    }
    if !password.chars().any(char::is_uppercase) {
        out.push(Problem::NoUppercase);
    }
    if !password.chars().any(char::is_lowercase) {
        out.push(Problem::NoLowercase);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        out.push(Problem::NoDigit);
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        out.push(Problem::NoSymbol);
    }
    let lower = password.to_lowercase();
    // "Password2024!" is "password" with decoration: check the core too.
    let core: String = lower.trim_matches(|c: char| !c.is_alphabetic()).to_owned();
    if common().contains(lower.as_str()) || (core.len() >= 4 && common().contains(core.as_str())) {
        out.push(Problem::Common);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        out.push(Problem::ContainsEmail);
    }
    out
}

/// Hashes and verifies on a bounded blocking pool.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    params: Params,
    /// A hash of a random password, verified against when the user is unknown, so an unknown
    /// e-mail costs the same time as a wrong password.
    dummy: Arc<String>,
}

impl Hasher {
    /// Production parameters: m = 19 MiB, t = 2, p = 1; `parallel` hashes at a time.
    pub fn new(parallel: usize) -> Self {
        Self::with_params(
            parallel,
            Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
        )
    }

    pub fn with_params(parallel: usize, params: Params) -> Self {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Hasher {
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            params,
            dummy: Arc::new(dummy),
        }
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub async fn hash(&self, password: &str) -> String {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closes");
        let (argon, pw) = (self.argon(), zeroize::Zeroizing::new(password.to_owned()));
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(pw.as_bytes(), &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .await
        .unwrap_or_default()
    }

    /// Verify `password` against `hash`; with no hash, burn the same time and fail.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore never closes");
        let known = hash.is_some();
        let hash = hash
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy.as_ref().clone());
        let (argon, pw) = (self.argon(), zeroize::Zeroizing::new(password.to_owned()));
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| argon.verify_password(pw.as_bytes(), &h).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        ok && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_every_broken_rule() {
        assert!(check("Correct-Horse-7-Battery", "anna@example.org").is_empty());
        assert_eq!(
            check("short", "a@b.c"),
            vec![
                Problem::TooShort,
                Problem::NoUppercase,
                Problem::NoDigit,
                Problem::NoSymbol
            ]
        );
        assert!(check("Password2024!", "a@b.c").contains(&Problem::Common));
        assert!(check("Qwertyuiop1!", "a@b.c").contains(&Problem::Common));
        assert!(
            check("Rossi.Maria-2024!", "rossi.maria@clinic.it").contains(&Problem::ContainsEmail)
        );
        assert!(common_list_len() >= 10_000);
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = Hasher::with_params(1, Params::new(1024, 1, 1, None).unwrap());
        let hash = h.hash("Correct-Horse-7").await;
        assert!(hash.starts_with("$argon2id$"));
        assert!(h.verify("Correct-Horse-7", Some(&hash)).await);
        assert!(!h.verify("wrong", Some(&hash)).await);
        assert!(!h.verify("Correct-Horse-7", None).await);
        assert!(!h.verify("x", Some("not a hash")).await);
    }
}
