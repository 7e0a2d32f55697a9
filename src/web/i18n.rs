//! Interface languages and their message catalogs.
//!
//! Catalogs are `web/i18n/{en,fr,ar}.ftl`, embedded in the binary. They use
//! a small subset of Fluent's syntax (`key = text`, `{ $name }` placeholders,
//! `#` comments) that our own reader below understands: the interface needs
//! no selectors, and a missing feature is a build-time test failure, not a
//! dependency. Like Fluent, every substituted value is wrapped in Unicode
//! isolation marks (FSI … PDI), so a Latin name inside an Arabic sentence
//! (or the reverse) keeps its own direction. Catalogs hold no HTML: the
//! templates escape everything they take from here.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The interface languages, in switcher order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Fr,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Fr, Locale::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::Ar => "ar",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fr => "Français",
            Locale::Ar => "العربية",
        }
    }

    /// The writing direction of the whole page.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            Locale::En | Locale::Fr => "ltr",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        let primary = code.split(['-', '_']).next().unwrap_or("");
        Locale::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The best of our languages for an `Accept-Language` header: highest
    /// weight first, then the header's order; `None` when none is offered.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(locale) = Locale::from_code(tag) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// This language's catalog.
    pub fn catalog(self) -> &'static Catalog {
        static CATALOGS: OnceLock<[Catalog; 3]> = OnceLock::new();
        let all = CATALOGS.get_or_init(|| {
            [
                Catalog::parse(include_str!("../../web/i18n/en.ftl")),
                Catalog::parse(include_str!("../../web/i18n/fr.ftl")),
                Catalog::parse(include_str!("../../web/i18n/ar.ftl")),
            ]
        });
        &all[self as usize]
    }
}

/// Messages by key.
#[derive(Debug, Default)]
pub struct Catalog {
    messages: HashMap<String, String>,
}

/// First Strong Isolate and Pop Directional Isolate: what Fluent puts
/// around a placeable.
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';

impl Catalog {
    /// Reads `key = text` lines; blank lines and `#` comments are skipped.
    pub fn parse(source: &str) -> Catalog {
        let messages = source
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Catalog { messages }
    }

    /// The message, or its key when the catalog lacks it (a test keeps
    /// every catalog complete, so this shows only during development).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map_or(key, String::as_str)
    }

    /// The message with `{ $name }` replaced by each value, isolated.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.get(key).to_string();
        for (name, value) in args {
            let placeholder = format!("{{ ${name} }}");
            out = out.replace(&placeholder, &format!("{FSI}{value}{PDI}"));
        }
        out
    }

    /// The message `prefix` + `value` (`verdict-false`, `lang-ar`), or
    /// the value itself when there is none (a language we have no name for).
    pub fn label(&self, prefix: &str, value: &str) -> String {
        self.messages
            .get(&format!("{prefix}{value}"))
            .map_or_else(|| value.to_string(), String::clone)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_offered_locale() {
        assert_eq!(
            Locale::negotiate("fr-FR,fr;q=0.9,en;q=0.8"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::negotiate("de,ar;q=0.5,en;q=0.4"), Some(Locale::Ar));
        assert_eq!(Locale::negotiate("en;q=0.2, ar-MA"), Some(Locale::Ar));
        assert_eq!(Locale::negotiate("de, es"), None);
        assert_eq!(Locale::negotiate("fr;q=0"), None);
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn every_catalog_has_every_key_of_the_english_one_and_no_html() {
        let en = Locale::En.catalog();
        for locale in Locale::ALL {
            let catalog = locale.catalog();
            for key in en.keys() {
                assert!(catalog.has(key), "{} lacks {key}", locale.code());
            }
            for key in catalog.keys() {
                assert!(
                    en.has(key),
                    "{} has a key English lacks: {key}",
                    locale.code()
                );
                let text = catalog.get(key);
                assert!(
                    !text.contains('<') && !text.contains('>'),
                    "{} {key} holds markup",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn every_key_a_template_or_page_uses_is_in_the_catalogs() {
        // Templates and page code name their keys through `tr` and `tr_with`.
        let sources = [
            include_str!("../../web/templates/base.html"),
            include_str!("../../web/templates/search.html"),
            include_str!("../../web/templates/claim.html"),
            include_str!("../../web/templates/match.html"),
            include_str!("../../web/templates/match_card.html"),
            include_str!("../../web/templates/sign_in.html"),
            include_str!("../../web/templates/sign_out.html"),
            include_str!("../../web/templates/claim_form.html"),
            include_str!("../../web/templates/import.html"),
            include_str!("../../web/templates/error.html"),
            include_str!("../../web/templates/review.html"),
            include_str!("../../web/templates/settings.html"),
            include_str!("../../web/templates/narratives.html"),
            include_str!("../../web/templates/narrative.html"),
            include_str!("../../web/templates/narrative_form.html"),
            include_str!("../../web/templates/narrative_delete.html"),
            include_str!("../../web/templates/timeline.html"),
            include_str!("../../web/templates/history.html"),
            include_str!("mod.rs"),
            include_str!("pages.rs"),
            include_str!("editor.rs"),
            include_str!("review.rs"),
            include_str!("narratives.rs"),
        ];
        let en = Locale::En.catalog();
        let mut checked = 0;
        for source in sources {
            for marker in ["tr(\"", "tr_with(\""] {
                for piece in source.split(marker).skip(1) {
                    let key = piece.split('"').next().unwrap_or("");
                    assert!(en.has(key), "no message {key:?}");
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 50,
            "only {checked} keys found: the scan is broken"
        );
    }

    #[test]
    fn placeholders_are_filled_and_isolated() {
        let catalog = Catalog::parse("# a comment\nhello = Hello { $name }, { $n } new\n");
        assert_eq!(
            catalog.format("hello", &[("name", "سارة"), ("n", "3")]),
            "Hello \u{2068}سارة\u{2069}, \u{2068}3\u{2069} new"
        );
        assert_eq!(catalog.get("missing"), "missing");
    }
}
