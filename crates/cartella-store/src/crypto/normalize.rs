//! Normalisation of search strings: lower case, accents removed, whitespace collapsed, so that
//! "Müller" matches "muller" and "Nicolò" matches "nicolo".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'ß' => 's',
            'ø' | 'Ø' => 'o',
            'æ' | 'Æ' => 'a',
            'ł' | 'Ł' => 'l',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The words of a normalised string, split on spaces and punctuation (for name tokens).
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    normalized
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == ',' || c == '.')
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(normalize("  Müller  Nicolò "), "muller nicolo");
        assert_eq!(normalize("STRAßE"), "strase");
        assert_eq!(
            words("d'angelo-rossi").collect::<Vec<_>>(),
            ["d", "angelo", "rossi"]
        );
    }
}
