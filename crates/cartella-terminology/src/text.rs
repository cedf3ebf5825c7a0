//! Text normalisation shared by every search and match: case- and accent-insensitive folding to
//! ASCII lower case, tokenising into words, and the language tag used for localised labels.

/// A display language. Terminologies are English first; other languages are used where a
/// translation is shipped and fall back to English otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    It,
    Fr,
    De,
}

impl Lang {
    /// Reads a BCP-47 tag (`it`, `it-IT`, `fr_CH`, `DE`); unknown languages fall back to English.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "it" => Lang::It,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            _ => Lang::En,
        }
    }
}

/// Appends `c` folded to lower-case ASCII (accents dropped, ligatures expanded) to `out`.
/// Characters with no ASCII reading become a space, i.e. a word separator.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    // Latin-1 and Latin Extended-A cover the accents of English, Italian, French and German
    // text; a full Unicode decomposition table would cost a dependency for no practical gain.
    let folded = match c {
        'à'..='å' | 'À'..='Å' | 'ā' | 'Ā' | 'ă' | 'Ă' | 'ą' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'ć' | 'Ć' | 'č' | 'Č' => "c",
        'ð' | 'Ð' | 'ď' | 'Ď' | 'đ' | 'Đ' => "d",
        'è'..='ë' | 'È'..='Ë' | 'ē' | 'Ē' | 'ė' | 'Ė' | 'ę' | 'Ę' | 'ě' | 'Ě' => "e",
        'ì'..='ï' | 'Ì'..='Ï' | 'ī' | 'Ī' | 'į' | 'Į' | 'ı' => "i",
        'ł' | 'Ł' | 'ľ' | 'Ľ' => "l",
        'ñ' | 'Ñ' | 'ń' | 'Ń' | 'ň' | 'Ň' => "n",
        'ò'..='ö' | 'Ò'..='Ö' | 'ø' | 'Ø' | 'ō' | 'Ō' | 'ő' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ß' => "ss",
        'ś' | 'Ś' | 'š' | 'Š' | 'ş' | 'Ş' => "s",
        'ť' | 'Ť' | 'ţ' | 'Ţ' => "t",
        'ù'..='ü' | 'Ù'..='Ü' | 'ū' | 'Ū' | 'ů' | 'Ů' | 'ű' | 'Ű' => "u",
        'ý' | 'Ý' | 'ÿ' | 'Ÿ' => "y",
        'ž' | 'Ž' | 'ź' | 'Ź' | 'ż' | 'Ż' => "z",
        'þ' | 'Þ' => "th",
        _ => " ",
    };
    out.push_str(folded);
}

/// Folds `s` to lower-case ASCII: `"Sézary Disease"` → `"sezary disease"`.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_folded(c, &mut out);
    }
    out
}

/// The folded words of `s`: maximal runs of ASCII letters and digits. `"Type 2 diabetes, w/o"` →
/// `["type", "2", "diabetes", "w", "o"]`.
pub(crate) fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A name normalised for matching free text against curated names: folded, words joined by one
/// space (`"Acido  Acetil-Salicilico"` → `"acido acetil salicilico"`).
pub(crate) fn normalise_name(s: &str) -> String {
    words(s).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("Sézary Ærø Straße CŒUR"), "sezary aero strasse coeur");
        assert_eq!(fold("Charcôt's"), "charcot's");
    }

    #[test]
    fn splits_words_on_punctuation() {
        assert_eq!(words("COVID-19, (primary)"), ["covid", "19", "primary"]);
        assert!(words("  ,; ").is_empty());
    }

    #[test]
    fn reads_language_tags() {
        assert_eq!(Lang::from_tag("it-IT"), Lang::It);
        assert_eq!(Lang::from_tag("FR_ch"), Lang::Fr);
        assert_eq!(Lang::from_tag("de"), Lang::De);
        assert_eq!(Lang::from_tag("es"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
