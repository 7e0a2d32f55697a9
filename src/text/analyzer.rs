//! The tantivy analyzers: one tokenizer that normalizes and splits, a few
//! per-language steps after it.
//!
//! Offsets: every token carries the byte span of the word it came from in the
//! ORIGINAL text, so highlighting works on what the user wrote. When one
//! original word yields several terms (an NFKC ligature that expands to
//! several words, a word glued across scripts like الcovid, n-grams of a
//! word) they all share that word's span.

use std::cell::RefCell;

use rust_stemmers::Algorithm;
use tantivy::tokenizer::{
    Language, StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use super::arabic::{is_stop_word, light_stem, strip_article};
use super::arabizi::{looks_arabizi, transliterate_word};
use super::normalize::{
    fold_into, is_alnum, is_arabic_letter, is_letter, is_word_char, needs_fold, normalize_into,
};
use super::Lang;

/// Terms longer than this (in bytes) are base64, hashes or run-on junk; they
/// only bloat the term dictionary.
const MAX_TERM_BYTES: usize = 64;

/// Words longer than this (in chars) get no n-grams.
const MAX_NGRAM_WORD: usize = 32;

/// French elided articles and pronouns (l'élection, qu'il, jusqu'à).
const ELISIONS: [&str; 13] = [
    "l", "d", "j", "n", "s", "t", "c", "m", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// English clitics after an apostrophe (it's, don't, we'll, they're).
const CLITICS: [&str; 7] = ["s", "t", "d", "ll", "re", "ve", "m"];

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// What the tokenizer emits for each word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Words(Lang),
    Ngram,
}

/// Normalizes and splits text; see the module comment for offsets. Arabic
/// words get their full treatment here (stop words, light stem); Latin words
/// in the French/Spanish/English analyzers are left lowercase for the stop
/// word and stemming filters that follow.
pub struct TextTokenizer {
    mode: Mode,
    buf: Buffers,
}

impl Clone for TextTokenizer {
    /// Scratch buffers are per instance; tantivy clones one analyzer per thread.
    fn clone(&self) -> Self {
        TextTokenizer::new(self.mode)
    }
}

#[derive(Default)]
struct Buffers {
    tokens: Vec<Token>,
    len: usize,
    word: String,
    scratch: String,
    padded: String,
    bounds: Vec<usize>,
}

impl Buffers {
    /// Appends a token, reusing the allocation of a previous call's token.
    fn push(&mut self, text: &str, from: usize, to: usize, position: usize) {
        if text.is_empty() || text.len() > MAX_TERM_BYTES {
            return;
        }
        if self.len == self.tokens.len() {
            self.tokens.push(Token::default());
        }
        let token = &mut self.tokens[self.len];
        token.text.clear();
        token.text.push_str(text);
        token.offset_from = from;
        token.offset_to = to;
        token.position = position;
        token.position_length = 1;
        self.len += 1;
    }
}

impl TextTokenizer {
    fn new(mode: Mode) -> Self {
        TextTokenizer {
            mode,
            buf: Buffers::default(),
        }
    }

    fn fill(&mut self, text: &str) {
        let mode = self.mode;
        let buf = &mut self.buf;
        buf.len = 0;
        let mut position = 0;
        let mut words = Words::new(text);
        while let Some(span) = words.next() {
            let word = &text[span.from..span.to];
            if span.apostrophe_after
                && word.is_ascii()
                && ELISIONS.iter().any(|e| e.eq_ignore_ascii_case(word))
            {
                continue;
            }
            if span.apostrophe_before
                && word.is_ascii()
                && CLITICS.iter().any(|e| e.eq_ignore_ascii_case(word))
            {
                continue;
            }
            let mut normalized = std::mem::take(&mut buf.word);
            normalized.clear();
            normalize_into(word, &mut normalized);
            for part in subwords(&normalized) {
                emit(mode, part, span.from, span.to, position, buf);
                position += 1;
            }
            buf.word = normalized;
        }
    }
}

/// Splits a normalized word where NFKC introduced separators and where the
/// script changes between Arabic and anything else (الcovid, كورونا19 stays).
fn subwords(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| is_alnum(c))?;
        rest = &rest[start..];
        let mut arabic: Option<bool> = None;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if !(is_alnum(c) || ('\u{0300}'..='\u{036F}').contains(&c)) {
                end = i;
                break;
            }
            if is_letter(c) {
                let is_ar = is_arabic_letter(c);
                match arabic {
                    Some(prev) if prev != is_ar => {
                        end = i;
                        break;
                    }
                    _ => arabic = Some(is_ar),
                }
            }
        }
        let (part, tail) = rest.split_at(end);
        rest = tail;
        Some(part)
    })
}

fn starts_arabic(word: &str) -> bool {
    word.chars()
        .find(|c| is_letter(*c))
        .is_some_and(is_arabic_letter)
}

fn emit(mode: Mode, word: &str, from: usize, to: usize, position: usize, buf: &mut Buffers) {
    if starts_arabic(word) {
        match mode {
            Mode::Words(Lang::Other) => buf.push(word, from, to, position),
            Mode::Words(_) => emit_arabic_word(word, from, to, position, buf),
            Mode::Ngram => {
                if !is_stop_word(word) {
                    emit_ngrams(strip_article(word), from, to, position, buf);
                }
            }
        }
        return;
    }
    let mut scratch = std::mem::take(&mut buf.scratch);
    scratch.clear();
    match mode {
        Mode::Words(Lang::Ar) | Mode::Ngram if looks_arabizi(word) => {
            transliterate_word(word, &mut scratch);
            for part in scratch.split(' ') {
                if mode == Mode::Ngram {
                    if !is_stop_word(part) {
                        emit_ngrams(strip_article(part), from, to, position, buf);
                    }
                } else {
                    emit_arabic_word(part, from, to, position, buf);
                }
            }
        }
        Mode::Words(Lang::Fr | Lang::Es | Lang::En) => buf.push(word, from, to, position),
        _ => {
            let folded = if needs_fold(word) {
                fold_into(word, &mut scratch);
                scratch.as_str()
            } else {
                word
            };
            if mode == Mode::Ngram {
                emit_ngrams(folded, from, to, position, buf);
            } else {
                buf.push(folded, from, to, position);
            }
        }
    }
    buf.scratch = scratch;
}

/// One-letter Arabic words are detached conjunctions and prepositions (و, ب)
/// or a transliterated French article (l'): never worth a term.
fn emit_arabic_word(word: &str, from: usize, to: usize, position: usize, buf: &mut Buffers) {
    if word.chars().nth(1).is_some() && !is_stop_word(word) {
        buf.push(light_stem(word), from, to, position);
    }
}

/// Character 3-grams of `^word$`; words under three characters and numbers
/// are emitted whole, since their grams would match everything, except single
/// letters, which carry nothing.
fn emit_ngrams(word: &str, from: usize, to: usize, position: usize, buf: &mut Buffers) {
    let chars = word.chars().count();
    if chars == 1 && !word.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    if chars < 3 || word.bytes().all(|b| b.is_ascii_digit()) {
        buf.push(word, from, to, position);
        return;
    }
    if chars > MAX_NGRAM_WORD {
        return;
    }
    let mut padded = std::mem::take(&mut buf.padded);
    let mut bounds = std::mem::take(&mut buf.bounds);
    padded.clear();
    padded.push('^');
    padded.push_str(word);
    padded.push('$');
    bounds.clear();
    bounds.extend(padded.char_indices().map(|(i, _)| i));
    bounds.push(padded.len());
    for window in bounds.windows(4) {
        buf.push(&padded[window[0]..window[3]], from, to, position);
    }
    buf.padded = padded;
    buf.bounds = bounds;
}

/// A word of the original text and whether an apostrophe touches it.
struct Span {
    from: usize,
    to: usize,
    apostrophe_before: bool,
    apostrophe_after: bool,
}

/// Words of the original text: runs of letters, digits and marks, with the
/// Arabizi 3' kept inside a word; links are skipped whole (they are matched
/// by URL, and their path segments are noise as terms).
struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words { text, pos: 0 }
    }

    fn next(&mut self) -> Option<Span> {
        let text = self.text;
        loop {
            let rest = &text[self.pos..];
            let offset = rest.find(is_word_char)?;
            let from = self.pos + offset;
            let mut to = text.len();
            let mut prev = '\0';
            let mut iter = text[from..].char_indices().peekable();
            while let Some((i, c)) = iter.next() {
                if is_word_char(c) {
                    prev = c;
                    continue;
                }
                let glued = c == '\''
                    && prev == '3'
                    && iter.peek().is_some_and(|(_, n)| n.is_ascii_alphabetic());
                if glued {
                    prev = c;
                    continue;
                }
                to = from + i;
                break;
            }
            self.pos = to;
            let word = &text[from..to];
            let after = &text[to..];
            if (word.eq_ignore_ascii_case("http") || word.eq_ignore_ascii_case("https"))
                && after.starts_with("://")
                || word.eq_ignore_ascii_case("www") && after.starts_with('.')
            {
                self.pos = after
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| to + i);
                continue;
            }
            let apostrophe_before = text[..from].chars().next_back().is_some_and(is_apostrophe)
                && text[..from].chars().rev().nth(1).is_some_and(is_alnum);
            let mut after_chars = after.chars();
            let apostrophe_after = after_chars.next().is_some_and(is_apostrophe)
                && after_chars.next().is_some_and(is_letter);
            return Some(Span {
                from,
                to,
                apostrophe_before,
                apostrophe_after,
            });
        }
    }
}

/// Streams the tokens `TextTokenizer` computed for one text.
pub struct BufferedStream<'a> {
    tokens: &'a mut [Token],
    current: Option<usize>,
    empty: Token,
}

impl TokenStream for BufferedStream<'_> {
    fn advance(&mut self) -> bool {
        let next = self.current.map_or(0, |i| i + 1);
        if next < self.tokens.len() {
            self.current = Some(next);
            true
        } else {
            self.current = Some(self.tokens.len());
            false
        }
    }

    fn token(&self) -> &Token {
        match self.current {
            Some(i) if i < self.tokens.len() => &self.tokens[i],
            _ => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.empty,
        }
    }
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = BufferedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedStream<'a> {
        self.fill(text);
        let len = self.buf.len;
        BufferedStream {
            tokens: &mut self.buf.tokens[..len],
            current: None,
            empty: Token::default(),
        }
    }
}

/// Snowball-stems Latin tokens, then folds their accents; Arabic tokens,
/// already stemmed by the tokenizer, pass through.
///
/// For French and Spanish, stemming comes first because their Snowball
/// stemmers read the accents: French `truquée`
/// loses its verb ending `ée` only while it has the accent. A word written
/// without any accent gets back the accent of the few suffixes Snowball
/// only recognises with one (`vacunacion` stems like `vacunación`,
/// `truquee` like `truquée`), and a French stem loses the final `e`/`i`
/// that an accent's absence leaves behind (`falsifie`, `falsifié`), so that
/// the accented and the unaccented spelling meet.
#[derive(Clone, Copy)]
struct LatinStem(Lang);

impl TokenFilter for LatinStem {
    type Tokenizer<T: Tokenizer> = LatinStemTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> LatinStemTokenizer<T> {
        LatinStemTokenizer {
            inner,
            lang: self.0,
            scratch: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct LatinStemTokenizer<T> {
    inner: T,
    lang: Lang,
    scratch: String,
}

impl<T: Tokenizer> Tokenizer for LatinStemTokenizer<T> {
    type TokenStream<'a> = LatinStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let algorithm = match self.lang {
            Lang::Fr => Algorithm::French,
            Lang::Es => Algorithm::Spanish,
            _ => Algorithm::English,
        };
        LatinStemStream {
            tail: self.inner.token_stream(text),
            lang: self.lang,
            stemmer: rust_stemmers::Stemmer::create(algorithm),
            scratch: &mut self.scratch,
        }
    }
}

pub struct LatinStemStream<'a, S> {
    tail: S,
    lang: Lang,
    stemmer: rust_stemmers::Stemmer,
    scratch: &'a mut String,
}

impl<S: TokenStream> TokenStream for LatinStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        loop {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token_mut();
            if starts_arabic(&token.text) {
                return true;
            }
            let scratch = &mut *self.scratch;
            scratch.clear();
            fold_into(&token.text, scratch);
            if is_folded_stop_word(self.lang, scratch) {
                continue;
            }
            // English Snowball ignores accents (it would leave `beyoncé`
            // whole but stem `beyonce`): English folds first.
            if self.lang != Lang::En && needs_fold(&token.text) {
                scratch.clear();
                scratch.push_str(&token.text);
            } else {
                restore_accented_suffix(self.lang, scratch);
            }
            let stemmed = self.stemmer.stem(scratch);
            token.text.clear();
            if needs_fold(&stemmed) {
                fold_into(&stemmed, &mut token.text);
            } else {
                token.text.push_str(&stemmed);
            }
            if self.lang == Lang::Fr {
                trim_french_stem(&mut token.text);
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Stop words the Snowball lists miss (French a, est, été) or only carry
/// with their accents, which posts often leave out (meme, etait, mas).
fn is_folded_stop_word(lang: Lang, word: &str) -> bool {
    let extra: &[&str] = match lang {
        Lang::Fr => &[
            "a", "as", "ca", "est", "etaient", "etais", "etait", "etant", "ete", "etes", "etiez",
            "etions", "etre", "meme", "ou",
        ],
        Lang::Es => &[
            "alli", "aqui", "asi", "esta", "estan", "estas", "mas", "segun", "tambien",
        ],
        _ => &[],
    };
    extra.contains(&word)
}

/// A French stem's final `e` or `i` is what Snowball leaves when a word's
/// accent is missing (`falsifiee` → `falsifie`, `falsifiée` → `falsifi`,
/// `falsifies` → `falsif`): dropping them makes the spellings meet.
fn trim_french_stem(stem: &mut String) {
    while stem.len() > 4 && (stem.ends_with('e') || stem.ends_with('i')) {
        stem.pop();
    }
}

fn restore_accented_suffix(lang: Lang, word: &mut String) {
    let rules: &[(&str, &str)] = match lang {
        Lang::Es => &[("cion", "ción"), ("sion", "sión")],
        Lang::Fr => &[
            ("ite", "ité"),
            ("ites", "ités"),
            ("ee", "ée"),
            ("ees", "ées"),
        ],
        _ => &[],
    };
    for (plain, accented) in rules {
        if word.len() > plain.len() + 2 && word.ends_with(plain) {
            word.truncate(word.len() - plain.len());
            word.push_str(accented);
            return;
        }
    }
}

/// The word analyzer of a language, as registered under `lang.analyzer()`.
pub fn word_analyzer(lang: Lang) -> TextAnalyzer {
    let tokenizer = TextTokenizer::new(Mode::Words(lang));
    let snowball = match lang {
        Lang::Fr => Language::French,
        Lang::Es => Language::Spanish,
        Lang::En => Language::English,
        Lang::Ar | Lang::Other => return TextAnalyzer::from(tokenizer),
    };
    let stop_words =
        StopWordFilter::new(snowball).unwrap_or_else(|| StopWordFilter::remove(Vec::new()));
    TextAnalyzer::builder(tokenizer)
        .filter(stop_words)
        .filter(LatinStem(lang))
        .build()
}

/// The character n-gram analyzer, as registered under `NGRAM_ANALYZER`.
pub fn ngram_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(TextTokenizer::new(Mode::Ngram))
}

thread_local! {
    /// Built once per thread: the stop word sets and buffers are not free.
    static ANALYZERS: RefCell<Option<[TextAnalyzer; 6]>> = const { RefCell::new(None) };
}

/// Runs the analyzer at `slot` and hands each term with its byte range in
/// `text` to `each`.
pub fn run_with(slot: usize, text: &str, mut each: impl FnMut(&str, usize, usize)) {
    ANALYZERS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let analyzers = cell.get_or_insert_with(all_analyzers);
        if let Some(analyzer) = analyzers.get_mut(slot) {
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                each(&token.text, token.offset_from, token.offset_to);
            }
        }
    })
}

fn all_analyzers() -> [TextAnalyzer; 6] {
    [
        word_analyzer(Lang::ALL[0]),
        word_analyzer(Lang::ALL[1]),
        word_analyzer(Lang::ALL[2]),
        word_analyzer(Lang::ALL[3]),
        word_analyzer(Lang::ALL[4]),
        ngram_analyzer(),
    ]
}

/// Runs the analyzer at `slot` (0–4: `Lang::ALL` order, 5: n-grams).
pub fn run(slot: usize, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    run_with(slot, text, |term, _, _| out.push(term.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.clone());
        }
        out
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "قامَ باللقاحِ #لقاح_كورونا";
        let found = tokens(&mut word_analyzer(Lang::Ar), text);
        let spans: Vec<&str> = found
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(spans, ["قامَ", "باللقاحِ", "لقاح", "كورونا"]);
    }

    #[test]
    fn positions_count_words_including_removed_stop_words() {
        let found = tokens(&mut word_analyzer(Lang::En), "the vaccine of death");
        let positions: Vec<usize> = found.iter().map(|t| t.position).collect();
        assert_eq!(positions, [1, 3]);
    }

    #[test]
    fn links_are_skipped_whole() {
        let found = tokens(
            &mut word_analyzer(Lang::Other),
            "voir https://t.co/AbC123 et www.site.com/x fin",
        );
        let texts: Vec<&str> = found.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["voir", "et", "fin"]);
    }

    #[test]
    fn subwords_split_at_script_changes_but_keep_digits() {
        let parts: Vec<&str> = subwords("الcovid").collect();
        assert_eq!(parts, ["ال", "covid"]);
        let parts: Vec<&str> = subwords("covid19").collect();
        assert_eq!(parts, ["covid19"]);
    }

    #[test]
    fn ngrams_mark_word_edges() {
        let found = tokens(&mut ngram_analyzer(), "laq");
        let texts: Vec<&str> = found.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["^la", "laq", "aq$"]);
    }

    #[test]
    fn tokenizer_clones_start_with_empty_buffers() {
        let mut first = TextTokenizer::new(Mode::Ngram);
        let _ = first.token_stream("quelque chose");
        let mut clone = first.clone();
        let mut stream = clone.token_stream("");
        assert!(!stream.advance());
    }

    #[test]
    fn french_stop_words_are_removed_with_or_without_accents() {
        let found = tokens(
            &mut word_analyzer(Lang::Fr),
            "il a été, il etait, c'est même",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    fn stems(lang: Lang, words: &str) -> Vec<String> {
        tokens(&mut word_analyzer(lang), words)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn all_meet(lang: Lang, words: &str) {
        let found = stems(lang, words);
        assert!(
            found.len() == words.split(' ').count() && found.windows(2).all(|w| w[0] == w[1]),
            "{words}: {found:?}"
        );
    }

    #[test]
    fn french_forms_meet_with_or_without_their_accents() {
        all_meet(Lang::Fr, "truquée truquee truqué truque truquées truqués");
        all_meet(Lang::Fr, "manipulée manipulé manipulee manipule manipulés");
        all_meet(Lang::Fr, "falsifiés falsifiée falsifies falsifiee falsifié");
        all_meet(Lang::Fr, "sécurité securite");
        all_meet(Lang::Fr, "élection election élections");
    }

    #[test]
    fn english_words_meet_with_or_without_their_accents() {
        all_meet(Lang::En, "Beyoncé Beyonce");
        all_meet(Lang::En, "café cafe cafés");
    }

    #[test]
    fn spanish_forms_meet_with_or_without_their_accents() {
        all_meet(Lang::Es, "vacunación vacunacion vacunaciones");
        all_meet(Lang::Es, "manipulación manipulacion");
        all_meet(Lang::Es, "médico medico médicos");
        all_meet(Lang::Es, "elección eleccion elecciones");
        all_meet(Lang::Es, "política politica políticas");
    }

    #[test]
    fn reused_buffers_do_not_leak_tokens_between_texts() {
        let mut analyzer = word_analyzer(Lang::Other);
        let _ = tokens(&mut analyzer, "un deux trois quatre");
        let texts: Vec<String> = tokens(&mut analyzer, "cinq")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["cinq"]);
    }
}
