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

mod analyzer;
mod arabic;
mod arabizi;
mod lang;
mod normalize;
mod post;
pub mod publisher;
mod url;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TokenizerManager;

pub use self::analyzer::{ngram_analyzer, word_analyzer};
pub use self::arabic::{is_stop_word as is_arabic_stop_word, light_stem as arabic_light_stem};
pub use self::arabizi::looks_arabizi;
pub use self::post::{clean_post, without_signature, CleanPost};
pub use self::url::platform_of;

/// The languages debunk analyzes with their own rules; everything else is `Other`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    Fr,
    Es,
    En,
    #[default]
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
/// Which indexed field a term belongs to: the word field of a language
/// (that language's analyzer) or the language-neutral character n-grams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TermField {
    Words(Lang),
    Ngram,
}

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

/// Every language a text may be in, best guess first: the word fields a
/// post's terms are looked up in, so that matching does not hang on
/// guessing a short text's language.
pub fn plausible_langs(text: &str) -> Vec<Lang> {
    lang::plausible(text)
}

/// The language of a claim's text when it is clear (Arabic script, or
/// plain function words or trigrams); `Other` when it is not.
pub fn confident_lang(text: &str) -> Lang {
    lang::confident(text)
}

/// Whether a term is a stop word of one of the languages analyzed with
/// stop words: such a term is never evidence of a match.
pub fn is_stop_word(term: &str) -> bool {
    [Lang::Ar, Lang::Fr, Lang::Es, Lang::En]
        .into_iter()
        .any(|lang| analyze(lang, term).is_empty())
}

/// Like [`analyze_spans`] for the Arabic field of an Arabizi text: every
/// Latin word transliterated (as [`arabizi_to_arabic_all`] does), each term
/// with the byte range of the word it came from in `text` (without the
/// punctuation around it: `corona?` marks `corona`).
pub fn analyze_arabizi_spans(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut start = None;
    let bounds = text.char_indices().chain([(text.len(), ' ')]);
    for (i, c) in bounds {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(from)) => {
                let chunk = &text[from..i];
                let word = chunk.trim_matches(|c: char| !c.is_alphanumeric());
                let at = from + (word.as_ptr() as usize - chunk.as_ptr() as usize);
                let arabic = arabizi_to_arabic_all(word);
                for (term, _) in analyze_spans(Lang::Ar, &arabic) {
                    out.push((term, at..at + word.len()));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
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
        manager.register(lang.analyzer(), word_analyzer(lang));
    }
    manager.register(NGRAM_ANALYZER, ngram_analyzer());
}

/// The terms a language's word analyzer produces for a text, in order.
pub fn analyze(lang: Lang, text: &str) -> Vec<String> {
    let slot = Lang::ALL
        .iter()
        .position(|l| *l == lang)
        .unwrap_or(Lang::ALL.len() - 1);
    analyzer::run(slot, text)
}

/// Like [`analyze`], with each term's byte range in `text`.
pub fn analyze_spans(lang: Lang, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    analyzer::run_with(lang_slot(lang), text, |term, from, to| {
        out.push((term.to_string(), from..to))
    });
    out
}

/// Calls `each` with every term a language's word analyzer produces, without
/// allocating a list (the matcher's hot path).
pub fn for_each_term(lang: Lang, text: &str, mut each: impl FnMut(&str)) {
    analyzer::run_with(lang_slot(lang), text, |term, _, _| each(term));
}

/// Calls `each` with every character n-gram of a text.
pub fn for_each_ngram(text: &str, mut each: impl FnMut(&str)) {
    analyzer::run_with(Lang::ALL.len(), text, |term, _, _| each(term));
}

fn lang_slot(lang: Lang) -> usize {
    Lang::ALL
        .iter()
        .position(|l| *l == lang)
        .unwrap_or(Lang::ALL.len() - 1)
}

/// The character n-gram terms of a text, in order.
pub fn ngrams(text: &str) -> Vec<String> {
    analyzer::run(Lang::ALL.len(), text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{TextAnalyzer, TokenStream};

    const IRAQ_CLAIM: &str = "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا";

    #[test]
    fn arabizi_spans_mark_the_word_not_the_punctuation_around_it() {
        let text = "wach s7i7 (l9a7) dyal corona?!";
        let words: Vec<&str> = analyze_arabizi_spans(text)
            .into_iter()
            .map(|(_, r)| &text[r])
            .collect();
        assert!(words.contains(&"l9a7"), "{words:?}");
        assert!(words.contains(&"corona"), "{words:?}");
        assert!(
            words.iter().all(|w| w.chars().all(char::is_alphanumeric)),
            "{words:?}"
        );
    }

    fn registered(manager: &TokenizerManager, name: &str, text: &str) -> Vec<String> {
        let mut analyzer: TextAnalyzer = manager
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not registered"));
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    fn shares_term(a: &[String], b: &[String]) -> bool {
        a.iter().any(|t| b.contains(t))
    }

    #[test]
    fn language_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), lang);
        }
        assert_eq!(Lang::from_code("ar_MA"), Lang::Ar);
        assert_eq!(Lang::from_code("fr-FR"), Lang::Fr);
    }

    #[test]
    fn analyze_and_ngrams_match_the_registered_analyzers() {
        let manager = TokenizerManager::default();
        register_analyzers(&manager);
        let texts = [
            IRAQ_CLAIM,
            "L'élection présidentielle a été truquée",
            "wach l9a7 dyal corona khatar?",
            "#عاجل رسميًا.. واتساب يُزيل خاصية الظهور 😂 https://t.co/x",
        ];
        for text in texts {
            for lang in Lang::ALL {
                assert_eq!(
                    analyze(lang, text),
                    registered(&manager, lang.analyzer(), text),
                    "{lang:?} {text}"
                );
            }
            assert_eq!(
                ngrams(text),
                registered(&manager, NGRAM_ANALYZER, text),
                "{text}"
            );
        }
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
    fn arabizi_post_reaches_the_arabic_vaccine_claim() {
        let post = "wach l9a7 corona khatar?";
        assert!(detect(post).arabizi);
        let query = arabizi_to_arabic_all(post);
        let claim = analyze(Lang::Ar, IRAQ_CLAIM);
        let words = analyze(Lang::Ar, &query);
        assert!(words.contains(&"لقاح".to_string()), "{words:?}");
        assert!(words.contains(&"كورونا".to_string()), "{words:?}");
        assert!(
            claim.contains(&"لقاح".to_string()) && claim.contains(&"كورونا".to_string()),
            "{claim:?}"
        );
        assert!(shares_term(&ngrams(&query), &ngrams(IRAQ_CLAIM)));
    }

    #[test]
    fn arabic_analyzer_drops_stop_words_and_light_stems() {
        let terms = analyze(Lang::Ar, "اللقاحات في المغرب، و اللقاحات من الصين");
        assert_eq!(terms, ["لقاح", "مغرب", "لقاح", "صين"]);
    }

    #[test]
    fn harakat_do_not_split_words() {
        assert_eq!(analyze(Lang::Ar, "اللُّقَاحَاتُ"), ["لقاح"]);
    }

    #[test]
    fn arabic_analyzer_transliterates_arabizi_and_folds_other_latin_words() {
        assert_eq!(analyze(Lang::Ar, "l9a7 Pfizer"), ["لقاح", "pfizer"]);
    }

    #[test]
    fn french_elision_and_accents_do_not_change_the_term() {
        assert_eq!(
            analyze(Lang::Fr, "l'élection"),
            analyze(Lang::Fr, "election")
        );
        assert_eq!(
            analyze(Lang::Fr, "l’élection"),
            analyze(Lang::Fr, "élections")
        );
        assert_eq!(
            analyze(Lang::Fr, "la sécurité"),
            analyze(Lang::Fr, "securite")
        );
        assert_eq!(
            analyze(Lang::Fr, "qu'Ahmed lorsqu’Omar d'abord vacciné"),
            ["ahmed", "omar", "abord", "vaccin"]
        );
    }

    #[test]
    fn spanish_accented_words_match_their_unaccented_spelling() {
        assert_eq!(
            analyze(Lang::Es, "vacunación"),
            analyze(Lang::Es, "vacunacion")
        );
        assert_eq!(
            analyze(Lang::Es, "vacunación"),
            analyze(Lang::Es, "vacunaciones")
        );
        assert_eq!(
            analyze(Lang::Es, "la política"),
            analyze(Lang::Es, "politica")
        );
    }

    #[test]
    fn english_analyzer_stems_and_drops_clitics_and_stop_words() {
        assert_eq!(
            analyze(Lang::En, "The vaccines aren't what it's said"),
            ["vaccin", "aren", "what", "said"]
        );
    }

    #[test]
    fn european_analyzers_give_arabic_words_the_arabic_treatment() {
        assert_eq!(analyze(Lang::Fr, "le vaccin باللقاح"), ["vaccin", "لقاح"]);
    }

    #[test]
    fn tokens_keep_digits_and_split_hashtag_underscores() {
        assert_eq!(
            analyze(Lang::Other, "#Covid19 3lach #لقاح_كورونا"),
            ["covid19", "3lach", "لقاح", "كورونا"]
        );
    }

    #[test]
    fn other_analyzer_folds_without_stemming() {
        assert_eq!(
            analyze(Lang::Other, "Élections VACUNACIÓN"),
            ["elections", "vacunacion"]
        );
    }

    #[test]
    fn ngrams_of_arabizi_and_arabic_spellings_overlap() {
        let latin = ngrams("l9a7");
        assert_eq!(latin, ["^لق", "لقا", "قاح", "اح$"]);
        let arabic = ngrams("باللقاح");
        assert_eq!(arabic, latin);
    }

    #[test]
    fn ngrams_keep_short_words_and_numbers_whole() {
        assert_eq!(ngrams("5G 2021 ok"), ["5g", "2021", "ok"]);
    }

    #[test]
    fn ngram_term_count_stays_close_to_the_letter_count() {
        let grams = ngrams(IRAQ_CLAIM);
        let letters = IRAQ_CLAIM.chars().filter(|c| c.is_alphanumeric()).count();
        assert!(
            grams.len() <= letters,
            "{} grams for {letters} letters",
            grams.len()
        );
    }

    #[test]
    fn real_tweet_with_emojis_and_hashtags_is_analyzed() {
        let tweet = "رسميا 🚨 \n\nاللاعب نغولو كانتي يعتزل اللعب دوليا بسبب اسائة رئيس فرنسا للرسول صلى الله عليه وسلم 😍❤\n#نازلين_لأجل_النبي https://t.co/3VgApG6C2C";
        let terms = analyze(Lang::Ar, tweet);
        assert!(terms.contains(&"لاعب".to_string()), "{terms:?}");
        assert!(terms.contains(&"نبي".to_string()), "{terms:?}");
        assert!(
            !terms.iter().any(|t| t.contains("co") || t.contains('🚨')),
            "{terms:?}"
        );
    }

    #[test]
    fn canonical_url_and_platform_work_together() {
        let canonical = canonical_url("https://twitter.com/user/status/1?s=20").unwrap_or_default();
        assert_eq!(canonical, "https://x.com/user/status/1");
        assert_eq!(platform_of(&canonical), Some("x"));
    }

    #[test]
    fn every_function_accepts_any_slice_of_messy_text() {
        let messy = "L’OMS 3'ala l9a7 ﷺ #لقاح_كورونا ٢٠٢١ https://t.co/Ab9 www.x.com 😂\u{200F}é\u{301} ـ'3 '";
        let bounds: Vec<usize> = messy
            .char_indices()
            .map(|(i, _)| i)
            .chain([messy.len()])
            .collect();
        for &from in &bounds {
            let text = &messy[from..];
            let detection = detect(text);
            assert!(Lang::ALL.contains(&detection.lang));
            for lang in Lang::ALL {
                assert!(analyze(lang, text).iter().all(|t| !t.is_empty()));
            }
            assert!(ngrams(text).iter().all(|t| !t.is_empty()));
            assert!(!normalize(text).contains('\u{0640}'));
            let _ = (
                arabizi_to_arabic(text),
                arabizi_to_arabic_all(text),
                canonical_url(text),
            );
        }
    }
}
