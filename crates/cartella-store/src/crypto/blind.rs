//! Blind-index tokens: keyed HMAC-SHA256 of normalised identifying values, truncated to 128
//! bits. Without the tenant key they reveal nothing; with it the server can find exact values
//! and name prefixes of 3 to 8 characters, which is all the registry search needs.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Shortest and longest prefixes indexed for names.
pub const MIN_PREFIX: usize = 3;
pub const MAX_PREFIX: usize = 8;

pub fn token(key: &[u8; 32], param: &str, kind: &str, value: &str) -> [u8; 16] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(param.as_bytes());
    mac.update(&[0]);
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Tokens for one word of a name: the exact word and each prefix of 3..=8 characters.
pub fn word_tokens(key: &[u8; 32], param: &str, word: &str, out: &mut Vec<[u8; 16]>) {
    out.push(token(key, param, "word", word));
    let chars: Vec<char> = word.chars().collect();
    for len in MIN_PREFIX..=MAX_PREFIX.min(chars.len()) {
        let prefix: String = chars[..len].iter().collect();
        out.push(token(key, param, "prefix", &prefix));
    }
}

/// Token to search a word prefix: the caller must post-filter when the prefix is longer than
/// [`MAX_PREFIX`] (only its first 8 characters are matched by the index).
pub fn prefix_search_token(key: &[u8; 32], param: &str, prefix: &str) -> Option<[u8; 16]> {
    let chars: Vec<char> = prefix.chars().collect();
    if chars.len() < MIN_PREFIX {
        return None;
    }
    let cut: String = chars[..chars.len().min(MAX_PREFIX)].iter().collect();
    Some(token(key, param, "prefix", &cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_indexed_word() {
        let key = [9u8; 32];
        let mut toks = Vec::new();
        word_tokens(&key, "name", "rossini", &mut toks);
        assert_eq!(toks.len(), 1 + 5);
        assert!(toks.contains(&prefix_search_token(&key, "name", "ros").unwrap()));
        assert!(toks.contains(&prefix_search_token(&key, "name", "rossini").unwrap()));
        assert!(prefix_search_token(&key, "name", "ro").is_none());
        assert!(
            !toks.contains(&prefix_search_token(&key, "family", "ros").unwrap()),
            "param bound"
        );
        assert_ne!(
            token(&key, "name", "word", "a"),
            token(&[8u8; 32], "name", "word", "a")
        );
    }
}
