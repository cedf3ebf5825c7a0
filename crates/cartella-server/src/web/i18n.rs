//! The four languages of the UI: Fluent bundles compiled into the binary, the choice of language
//! for a request, and text lookup with English as the fallback for a missing message.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Lang {
    En,
    It,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::It, Lang::Fr, Lang::De, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// Accepts `it`, `it-IT`, `IT`, …; `None` for languages the UI does not speak.
    pub fn parse(raw: &str) -> Option<Lang> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "it" => Some(Lang::It),
            "fr" => Some(Lang::Fr),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The language's own name, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::It => "Italiano",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The first supported language of an `Accept-Language` header, honouring q-values.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut ranked: Vec<(f32, Lang)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let lang = Lang::parse(it.next()?)?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    // Stable sort keeps the header's order among equal weights.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, l)| *l)
}

/// Pick the language: the user's own choice, then the practice's, then the browser's, then English.
pub fn negotiate(
    user: Option<&str>,
    practice: Option<&str>,
    accept_language: Option<&str>,
) -> Lang {
    user.and_then(Lang::parse)
        .or_else(|| practice.and_then(Lang::parse))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Lang::En)
}

/// One Fluent file per feature and language; every feature has all four languages.
macro_rules! ftl {
    ($($file:literal),* $(,)?) => {
        [
            (Lang::En, &[$(($file, include_str!(concat!("../../locales/en/", $file)))),*]),
            (Lang::It, &[$(($file, include_str!(concat!("../../locales/it/", $file)))),*]),
            (Lang::Fr, &[$(($file, include_str!(concat!("../../locales/fr/", $file)))),*]),
            (Lang::De, &[$(($file, include_str!(concat!("../../locales/de/", $file)))),*]),
        ]
    };
}

type Files = &'static [(&'static str, &'static str)];

const SOURCES: [(Lang, Files); 4] = ftl![
    "main.ftl",
    "clinical.ftl",
    "exams.ftl",
    "labs.ftl",
    "anamnesis.ftl",
    "scheduling.ftl",
    "reminders.ftl"
];

pub struct Locales {
    bundles: Vec<FluentBundle<FluentResource>>,
}

impl Locales {
    /// Parse the embedded Fluent files; an error names the file and the broken entries.
    pub fn load() -> Result<Locales, String> {
        let mut bundles = Vec::with_capacity(4);
        for (lang, files) in SOURCES {
            let id: LanguageIdentifier = lang.code().parse().map_err(|e| format!("{e:?}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around arguments: they would show up in input values.
            bundle.set_use_isolating(false);
            for (file, source) in files {
                let res = FluentResource::try_new((*source).to_owned())
                    .map_err(|(_, errs)| format!("locales/{}/{file}: {errs:?}", lang.code()))?;
                // A message defined twice (in two files) is an error, not a silent override.
                bundle
                    .add_resource(res)
                    .map_err(|e| format!("locales/{}/{file}: {e:?}", lang.code()))?;
            }
            debug_assert_eq!(bundles.len(), lang.index());
            bundles.push(bundle);
        }
        Ok(Locales { bundles })
    }

    /// The text of `key` in `lang` (English when that language lacks it; the key itself when
    /// no language has it, so a gap shows on the page instead of an empty label).
    pub fn text(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        for l in [lang, Lang::En] {
            let bundle = &self.bundles[l.index()];
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_owned()
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundles[lang.index()].has_message(key)
    }

    /// Every message id of one language, in file order.
    pub fn keys(lang: Lang) -> Vec<String> {
        let mut keys = Vec::new();
        for (_, source) in SOURCES[lang.index()].1 {
            let res = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
            keys.extend(res.entries().filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            }));
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_parses_and_has_every_key() {
        let locales = Locales::load().expect("fluent files parse");
        let mut all: std::collections::BTreeSet<String> = Default::default();
        for lang in Lang::ALL {
            all.extend(Locales::keys(lang));
        }
        let mut missing = vec![];
        for lang in Lang::ALL {
            for key in &all {
                if !locales.has(lang, key) {
                    missing.push(format!("{}: {key}", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "messages missing: {missing:#?}");
        assert!(all.len() > 100, "only {} messages", all.len());
    }

    #[test]
    fn accept_language_honours_weights_and_skips_unknown() {
        assert_eq!(
            from_accept_language("es-ES,de;q=0.5,fr;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            from_accept_language("it-IT,it;q=0.9,en;q=0.8"),
            Some(Lang::It)
        );
        assert_eq!(from_accept_language("es,pt"), None);
        assert_eq!(from_accept_language("de;q=0,en"), Some(Lang::En));
    }

    #[test]
    fn user_choice_beats_practice_beats_browser() {
        assert_eq!(negotiate(Some("de"), Some("it"), Some("fr")), Lang::De);
        assert_eq!(negotiate(None, Some("it"), Some("fr")), Lang::It);
        assert_eq!(negotiate(None, None, Some("fr-CH")), Lang::Fr);
        assert_eq!(negotiate(Some("xx"), None, None), Lang::En);
    }

    #[test]
    fn missing_message_falls_back_to_english_then_key() {
        let locales = Locales::load().unwrap();
        assert_eq!(locales.text(Lang::It, "no-such-key", None), "no-such-key");
        assert_ne!(
            locales.text(Lang::It, "nav-patients", None),
            locales.text(Lang::En, "nav-patients", None)
        );
    }
}
