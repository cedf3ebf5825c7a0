//! Access tokens: compact JWTs signed with HMAC-SHA256 under a key derived from the master key.
//! Verified in memory without a query (ARCHITECTURE: an asymmetric signature would cost more than
//! a whole read); hand-written because HS256 with a fixed header is a few lines and the crates
//! that do it pull in every other algorithm.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id, or client id for client-credentials tokens.
    pub sub: String,
    /// Practice id.
    pub tid: String,
    /// The client the token was issued to.
    pub cid: String,
    pub scope: String,
    /// Patient in context (patient-scoped tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// "user" or "client".
    pub kind: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("bad signature")]
    Signature,
    #[error("token expired")]
    Expired,
}

pub struct Signer {
    key: zeroize::Zeroizing<[u8; 32]>,
}

impl Signer {
    pub fn new(key: [u8; 32]) -> Self {
        Signer {
            key: zeroize::Zeroizing::new(key),
        }
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&*self.key).expect("HMAC takes any key");
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let body = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(body));
        let sig = B64.encode(self.mac(signing_input.as_bytes()));
        format!("{signing_input}.{sig}")
    }

    /// Check signature and expiry at `now` (seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(b), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        if h != B64.encode(HEADER) {
            return Err(TokenError::Malformed);
        }
        let sig = B64.decode(s).map_err(|_| TokenError::Malformed)?;
        let expected = self.mac(format!("{h}.{b}").as_bytes());
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            sig.as_slice(),
            expected.as_slice(),
        )) {
            return Err(TokenError::Signature);
        }
        let claims: Claims =
            serde_json::from_slice(&B64.decode(b).map_err(|_| TokenError::Malformed)?)
                .map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u".into(),
            tid: "t".into(),
            cid: "c".into(),
            scope: "user/*.read".into(),
            patient: None,
            kind: "user".into(),
            iat: 0,
            exp,
            jti: "j".into(),
        }
    }

    #[test]
    fn sign_verify_tamper_expire() {
        let s = Signer::new([1; 32]);
        let t = s.sign(&claims(100));
        assert_eq!(s.verify(&t, 50).unwrap(), claims(100));
        assert_eq!(s.verify(&t, 100), Err(TokenError::Expired));
        assert_eq!(
            Signer::new([2; 32]).verify(&t, 50),
            Err(TokenError::Signature)
        );
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(
            serde_json::to_vec(&Claims {
                sub: "admin".into(),
                ..claims(100)
            })
            .unwrap(),
        );
        parts[1] = &forged;
        assert_eq!(s.verify(&parts.join("."), 50), Err(TokenError::Signature));
        assert_eq!(s.verify("a.b", 50), Err(TokenError::Malformed));
        let none_alg = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), B64.encode("{}"));
        assert_eq!(s.verify(&none_alg, 50), Err(TokenError::Malformed));
    }
}
