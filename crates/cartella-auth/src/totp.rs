//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of clock drift),
//! with replay protection (a step is accepted once) and an SVG QR code for authenticator apps.

use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: u64 = 30;

/// A fresh 160-bit secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    rand::thread_rng().fill_bytes(&mut s);
    s
}

pub fn base32(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// The raw secret of a base32 string (as shown during enrolment).
pub fn from_base32(encoded: &str) -> Option<Vec<u8>> {
    Secret::Encoded(encoded.trim().to_owned()).to_bytes().ok()
}

/// The `otpauth://` URI authenticator apps import.
pub fn otpauth_uri(secret: &[u8], account: &str, issuer: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// The QR code of `uri` as a standalone SVG document.
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

fn totp(secret: &[u8]) -> Option<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, secret.to_vec()).ok()
}

/// The code for a Unix time (seconds).
pub fn code_at(secret: &[u8], unix: u64) -> String {
    totp(secret).map(|t| t.generate(unix)).unwrap_or_default()
}

/// Accept `code` if it matches the step of `unix` or a neighbour, and that step is later than
/// `last_step` (replays are refused). Returns the step to remember.
pub fn verify(secret: &[u8], code: &str, unix: u64, last_step: Option<i64>) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret)?;
    let now_step = (unix / STEP_SECONDS) as i64;
    for step in [now_step - 1, now_step, now_step + 1] {
        if step < 0 || last_step.is_some_and(|l| step <= l) {
            continue;
        }
        let expected = t.generate(step as u64 * STEP_SECONDS);
        if subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into() {
            return Some(step);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); 6 digits are its last six.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), "287082");
    }

    #[test]
    fn drift_and_replay() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        let step = verify(&secret, &code, now, None).expect("current code");
        assert!(
            verify(&secret, &code, now, Some(step)).is_none(),
            "replay refused"
        );
        assert!(
            verify(&secret, &code_at(&secret, now - 30), now, None).is_some(),
            "one step late is fine"
        );
        assert!(
            verify(&secret, &code_at(&secret, now - 90), now, None).is_none(),
            "three steps late is not"
        );
        assert!(verify(&secret, "abcdef", now, None).is_none());
        let uri = otpauth_uri(&secret, "anna@clinic.it", "Cartella");
        assert!(uri.starts_with("otpauth://totp/Cartella:anna@clinic.it?secret="));
        assert!(qr_svg(&uri).contains("<svg"));
    }
}
