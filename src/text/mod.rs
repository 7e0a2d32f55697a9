//! Text analysis: the only place text is normalized, tokenized or stemmed.
//! Language identification, Arabic normalization and light stemming, Arabizi
//! transliteration, Snowball stemming for French/Spanish/English, character
//! n-grams, URL canonicalization, and the tantivy analyzers built from them.
//! Every other module goes through this one; nobody normalizes ad hoc.

//!
//! How the pieces fit for matching a post:
//!
//! 1. [`detect`] the language; an Arabizi post comes back as `Ar` with
//!    `arabizi: true`.
//! 2. For such a post, query the `words_ar` and `ngram` fields with
//!    [`arabizi_to_arabic_all`] of the text (every Latin word transliterated);
//!    otherwise query with the text as is. The analyzers themselves only
//!    transliterate words that look Arabizi on their own (digits, lexicon),
//!    because they cannot know that `corona` in a Darija post is كورونا.
//! 3. [`analyze`] and [`ngrams`] give exactly the terms the registered
//!    analyzers index, so query terms can be built from them.

mod arabic;
mod arabizi;
mod lang;
mod normalize;
mod url;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer, TokenizerManager};

pub use self::arabic::{is_stop_word as is_arabic_stop_word, light_stem as arabic_light_stem};
pub use self::arabizi::looks_arabizi;
pub use self::url::platform_of;

/// The languages debunk analyzes with their own rules; everything else is `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    Fr,
    Es,
    En,
    Other,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::Ar, Lang::Fr, Lang::Es, Lang::En, Lang::Other];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::En => "en",
            Lang::Other => "xx",
        }
    }

    /// Reads an ISO 639-1 code or a locale (`ar`, `fr-FR`, `ar_MA`); unknown → `Other`.
    pub fn from_code(code: &str) -> Lang {
        let base = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "ar" | "ary" | "arz" | "ara" => Lang::Ar,
            "fr" | "fra" | "fre" => Lang::Fr,
            "es" | "spa" => Lang::Es,
            "en" | "eng" => Lang::En,
            _ => Lang::Other,
        }
    }

    /// Name of the word analyzer registered for this language.
    pub fn analyzer(self) -> &'static str {
        match self {
            Lang::Ar => "words_ar",
            Lang::Fr => "words_fr",
            Lang::Es => "words_es",
            Lang::En => "words_en",
            Lang::Other => "words_xx",
        }
    }
}

/// Name of the character n-gram analyzer.
pub const NGRAM_ANALYZER: &str = "ngram";

/// What `detect` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Arabizi counts as `Ar`.
    pub lang: Lang,
    /// Latin-script Arabic (digits 2/3/5/7/9 inside words, Darija words).
    pub arabizi: bool,
}

/// Identifies the language of a text: the script with most letters wins;
/// Latin text is Arabizi, French, Spanish, English or `Other`.
pub fn detect(text: &str) -> Detection {
    lang::detect(text)
}

/// The canonical form of a text: NFKC, lowercase, Arabic normalized (no
/// harakat or tatweel; أ إ آ ٱ→ا, ى→ي, ة→ه, ؤ→و, ئ→ي), Arabic-Indic and
/// Persian digits as ASCII. Latin accents are kept; the analyzers fold them.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize::normalize_into(text, &mut out);
    out
}

/// Transliterates the Arabizi words of a text into Arabic script, leaving
/// other words as they are. A word is Arabizi if it has 2/3/5/7/9 next to a
/// letter (l9a7, 3lach) or is a very common Darija word (wach, dyal, bzaf).
pub fn arabizi_to_arabic(text: &str) -> String {
    arabizi::rewrite_latin_words(text, |word, out| {
        if looks_arabizi(word) {
            arabizi::transliterate_word(word, out);
        } else {
            out.push_str(word);
        }
    })
}

/// Transliterates every Latin word of a text into Arabic script, for text
/// already known to be Arabizi (`detect(text).arabizi`): there `corona` is
/// كورونا too. Numbers and Arabic words are kept.
pub fn arabizi_to_arabic_all(text: &str) -> String {
    arabizi::rewrite_latin_words(text, |word, out| {
        if word.bytes().any(|b| b.is_ascii_alphabetic()) {
            arabizi::transliterate_word(word, out);
        } else {
            out.push_str(word);
        }
    })
}

/// Canonical form of a URL, for matching appearances: `None` if it is not an
/// http(s) URL. Lowercase https scheme and host without `www.`/`m.`/`mobile.`,
/// twitter.com as x.com, YouTube short forms as `watch?v=`, no fragment, no
/// trailing slash, no tracking parameters, remaining parameters sorted.
pub fn canonical_url(url: &str) -> Option<String> {
    url::canonical_url(url)
}

/// Registers every analyzer named by `Lang::analyzer` and `NGRAM_ANALYZER`.
pub fn register_analyzers(manager: &TokenizerManager) {
    for lang in Lang::ALL {
        manager.register(lang.analyzer(), simple());
    }
    manager.register(NGRAM_ANALYZER, simple());
}

fn simple() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// The terms a language's word analyzer produces for a text, in order.
pub fn analyze(lang: Lang, text: &str) -> Vec<String> {
    let _ = lang;
    collect(&mut simple(), text)
}

/// The character n-gram terms of a text, in order.
pub fn ngrams(text: &str) -> Vec<String> {
    collect(&mut simple(), text)
}

fn collect(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), lang);
        }
        assert_eq!(Lang::from_code("ar_MA"), Lang::Ar);
        assert_eq!(Lang::from_code("fr-FR"), Lang::Fr);
    }

    #[test]
    fn normalize_applies_every_arabic_rule() {
        assert_eq!(
            normalize("إِنَّ الصِّحَّةَ في مُسْتَشْفَى ٢٠٢١"),
            "ان الصحه في مستشفي 2021"
        );
    }

    #[test]
    fn arabizi_words_are_transliterated_and_others_kept() {
        assert_eq!(arabizi_to_arabic("wach l9a7 corona"), "واش لقاح corona");
        assert_eq!(
            arabizi_to_arabic_all("L9a7 Corona 2021"),
            "لقاح كورونا 2021"
        );
    }

    #[test]
    fn canonical_url_and_platform_work_together() {
        let canonical = canonical_url("https://twitter.com/user/status/1?s=20").unwrap_or_default();
        assert_eq!(canonical, "https://x.com/user/status/1");
        assert_eq!(platform_of(&canonical), Some("x"));
    }
}
