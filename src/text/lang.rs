//! Language identification for posts and claims.
//!
//! One pass over the characters counts letters per script and, for Latin
//! words, Arabizi evidence and function words of French, Spanish and English.
//! whatlang (trigrams) is consulted only when the function words do not
//! settle it, which keeps a typical tweet well under 50 µs.

use std::sync::OnceLock;

use super::arabizi::looks_arabizi;
use super::normalize::{is_arabic_letter, is_arabic_mark, is_letter};
use super::{Detection, Lang};

const FR: u8 = 1;
const ES: u8 = 2;
const EN: u8 = 4;

/// Longest word (in bytes) worth checking against the word lists.
const MAX_WORD: usize = 24;

/// Function words and which of fr/es/en they belong to; short, frequent and
/// mostly unambiguous, so a handful of them identify even a short post.
fn function_word(word: &str) -> u8 {
    match word {
        "de" | "la" | "que" | "en" | "un" | "se" => FR | ES,
        "no" => ES | EN,
        "a" => FR | ES | EN,
        "le" | "les" | "des" | "est" | "et" | "une" | "du" | "pour" | "dans" | "qui" | "pas"
        | "sur" | "avec" | "ce" | "il" | "elle" | "au" | "aux" | "ont" | "sont" | "mais"
        | "cette" | "nous" | "vous" | "je" | "ne" | "ses" | "leur" | "été" | "être" | "très"
        | "ça" | "où" | "plus" => FR,
        "el" | "los" | "las" | "del" | "es" | "y" | "por" | "para" | "con" | "una" | "lo"
        | "como" | "pero" | "más" | "está" | "son" | "su" | "sus" | "al" | "fue" | "ha"
        | "este" | "esta" | "muy" | "sin" | "sobre" | "también" | "ya" | "hay" | "qué" => ES,
        "the" | "and" | "is" | "are" | "of" | "to" | "that" | "for" | "with" | "it" | "this"
        | "was" | "on" | "be" | "have" | "has" | "you" | "from" | "by" | "at" | "they" | "he"
        | "she" | "we" | "an" | "or" | "but" | "his" | "her" | "will" | "been" | "were"
        | "what" | "who" | "in" => EN,
        _ => 0,
    }
}

/// Letters that only one of fr/es uses.
fn letter_hint(c: char) -> u8 {
    match c {
        'ñ' | '¿' | '¡' | 'á' | 'í' | 'ó' | 'ú' => ES,
        'ç' | 'è' | 'ê' | 'à' | 'ù' | 'œ' | 'â' | 'î' | 'ô' | 'û' | 'ë' | 'ï' => FR,
        _ => 0,
    }
}

fn whatlang_detector() -> &'static whatlang::Detector {
    static DETECTOR: OnceLock<whatlang::Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        whatlang::Detector::with_allowlist(vec![
            whatlang::Lang::Fra,
            whatlang::Lang::Spa,
            whatlang::Lang::Eng,
        ])
    })
}

#[derive(Default)]
struct Evidence {
    arabic: usize,
    latin: usize,
    other: usize,
    latin_words: usize,
    arabizi_words: usize,
    votes: [usize; 3],
}

impl Evidence {
    fn vote(&mut self, mask: u8, weight: usize) {
        for (i, bit) in [FR, ES, EN].into_iter().enumerate() {
            if mask & bit != 0 {
                self.votes[i] += weight;
            }
        }
    }

    fn end_word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        self.latin_words += 1;
        if looks_arabizi(word) {
            self.arabizi_words += 1;
        } else {
            self.vote(function_word(word), 2);
        }
    }
}

/// A fixed buffer for the lowercase current word, so the scan never allocates.
struct WordBuf {
    bytes: [u8; MAX_WORD],
    len: usize,
    overflow: bool,
}

impl WordBuf {
    fn push(&mut self, c: char) {
        for lower in c.to_lowercase() {
            let width = lower.len_utf8();
            if self.len + width > MAX_WORD {
                self.overflow = true;
                return;
            }
            lower.encode_utf8(&mut self.bytes[self.len..]);
            self.len += width;
        }
    }

    fn take(&mut self) -> &str {
        let len = std::mem::take(&mut self.len);
        if std::mem::take(&mut self.overflow) {
            return "";
        }
        std::str::from_utf8(&self.bytes[..len]).unwrap_or("")
    }
}

fn gather(text: &str) -> Evidence {
    let mut ev = Evidence::default();
    let mut word = WordBuf {
        bytes: [0; MAX_WORD],
        len: 0,
        overflow: false,
    };
    // Mentions and links are names, not language: skip them whole.
    let mut skipping = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if skipping {
            if c.is_whitespace() {
                skipping = false;
            }
            continue;
        }
        if c == '@' || (c == ':' && text[i..].starts_with("://")) {
            if c == '@' {
                let w = word.take();
                ev.end_word(w);
            } else {
                // The scheme (http, https) before "://" is not a word either.
                word.take();
            }
            skipping = true;
            continue;
        }
        if is_arabic_letter(c) {
            ev.arabic += 1;
            let w = word.take();
            ev.end_word(w);
        } else if is_letter(c) {
            if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
                ev.latin += 1;
                ev.vote(letter_hint(c), 1);
                word.push(c);
            } else {
                ev.other += 1;
            }
        } else if c.is_ascii_digit()
            && (word.len > 0 || chars.peek().is_some_and(|(_, n)| n.is_ascii_alphabetic()))
            || c == '\'' && word.len > 0 && word.bytes[word.len - 1] == b'3'
        {
            // Digits inside words and the apostrophe of 3' are Arabizi letters.
            word.push(c);
        } else if !is_arabic_mark(c) {
            ev.vote(letter_hint(c), 1);
            let w = word.take();
            ev.end_word(w);
        }
    }
    let w = word.take();
    ev.end_word(w);
    ev
}

pub fn detect(text: &str) -> Detection {
    let ev = gather(text);
    let plain = |lang| Detection {
        lang,
        arabizi: false,
    };
    if ev.arabic == 0 && ev.latin == 0 {
        return plain(Lang::Other);
    }
    if ev.arabic >= ev.latin && ev.arabic >= ev.other {
        return plain(Lang::Ar);
    }
    if ev.other > ev.latin {
        return plain(Lang::Other);
    }
    // Arabizi wins when at least a quarter of the Latin words look like it
    // and the function words of the European languages do not outnumber it.
    let best_vote = ev.votes.iter().copied().max().unwrap_or(0);
    if ev.arabizi_words > 0
        && ev.arabizi_words * 4 >= ev.latin_words
        && ev.arabizi_words * 2 >= best_vote
    {
        return Detection {
            lang: Lang::Ar,
            arabizi: true,
        };
    }
    plain(european(text, &ev))
}

/// The languages a text may be in, by script: Arabic-script text is Arabic;
/// Latin-script text may be any of French, Spanish, English or another
/// language (a short post rarely says which), and Arabic too when one of its
/// words looks Arabizi. The best guess comes first.
pub fn plausible(text: &str) -> Vec<Lang> {
    let ev = gather(text);
    let best = detect(text).lang;
    let mut langs = vec![best];
    let mut add = |lang: Lang| {
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    };
    if ev.latin > 0 && ev.latin >= ev.arabic {
        for lang in [Lang::Fr, Lang::Es, Lang::En, Lang::Other] {
            add(lang);
        }
        if ev.arabizi_words > 0 {
            add(Lang::Ar);
        }
    }
    langs
}

/// A claim's language when its source gave none, or when the text plainly
/// contradicts the tag: Arabic by its script; French, Spanish or English
/// only when the function words or trigrams say so clearly; else `Other`
/// (indexed language-neutrally), never a weak guess.
pub fn confident(text: &str) -> Lang {
    let ev = gather(text);
    match detect(text).lang {
        Lang::Ar => Lang::Ar,
        Lang::Other => Lang::Other,
        lang => {
            let best = ev.votes.iter().copied().max().unwrap_or(0);
            let mut sorted = ev.votes;
            sorted.sort_unstable();
            // Two function words ahead of the runner-up by 2:1, or a long
            // text the trigrams read with confidence.
            let clear = best >= 4 && best >= 2 * sorted[1];
            let long = ev.latin >= 60
                && whatlang_detector()
                    .detect(text)
                    .is_some_and(|info| info.confidence() >= 0.8);
            if clear || long {
                lang
            } else {
                Lang::Other
            }
        }
    }
}

fn european(text: &str, ev: &Evidence) -> Lang {
    const LANGS: [Lang; 3] = [Lang::Fr, Lang::Es, Lang::En];
    let mut ranked = [(ev.votes[0], 0), (ev.votes[1], 1), (ev.votes[2], 2)];
    // Stable, so that ties keep the fr, es, en order.
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let (best, best_i) = ranked[0];
    let second = ranked[1].0;
    // Votes are 2 per function word and 1 per telltale letter: two clear
    // function words ahead of the runner-up by 2:1 settle it without trigrams.
    if best >= 4 && best >= 2 * second {
        return LANGS[best_i];
    }
    let trigram = whatlang_detector().detect(text).and_then(|info| {
        let lang = match info.lang() {
            whatlang::Lang::Fra => Lang::Fr,
            whatlang::Lang::Spa => Lang::Es,
            whatlang::Lang::Eng => Lang::En,
            _ => return None,
        };
        Some((lang, info.confidence()))
    });
    match trigram {
        Some((lang, confidence)) if best > 0 || confidence >= 0.5 || ev.latin >= 40 => lang,
        _ if best > second => LANGS[best_i],
        _ => Lang::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> Lang {
        detect(text).lang
    }

    #[test]
    fn arabic_tweet_with_mentions_and_link_is_arabic() {
        let tweet = "@Elysee @EmmanuelMacron فرنسا لم تعتبر هذه الصورة من حرية التعبير! https://t.co/7HJf3i8Jm8";
        assert_eq!(
            detect(tweet),
            Detection {
                lang: Lang::Ar,
                arabizi: false
            }
        );
    }

    #[test]
    fn arabizi_post_is_arabic_and_flagged() {
        for post in [
            "wach had l9a7 dyal corona fih chi mochkil?",
            "3lach kayn bzaf dyal nass ma bghawch y9ado",
            "khouya daba ghadi ndir l9a7",
            "l9a7 corona khatar",
        ] {
            assert_eq!(
                detect(post),
                Detection {
                    lang: Lang::Ar,
                    arabizi: true
                },
                "{post}"
            );
        }
    }

    #[test]
    fn french_spanish_and_english_posts_are_told_apart() {
        assert_eq!(
            lang("Le vaccin contre la covid provoque des effets graves selon cette vidéo"),
            Lang::Fr
        );
        assert_eq!(
            lang("La vacuna contra el covid provoca efectos graves según este video"),
            Lang::Es
        );
        assert_eq!(
            lang("The vaccine against covid causes serious side effects, says this video"),
            Lang::En
        );
    }

    #[test]
    fn short_posts_are_identified_by_function_words() {
        assert_eq!(lang("c'est faux et dangereux"), Lang::Fr);
        assert_eq!(lang("es falso y peligroso"), Lang::Es);
        assert_eq!(lang("this is fake"), Lang::En);
    }

    #[test]
    fn ordinals_and_product_names_do_not_make_french_arabizi() {
        let post = "Le 3eme vaccin arrive avec la 5G et le covid19 pour tous les enfants";
        assert_eq!(
            detect(post),
            Detection {
                lang: Lang::Fr,
                arabizi: false
            }
        );
    }

    #[test]
    fn mixed_post_takes_the_majority_script() {
        assert_eq!(
            lang("شاهد الفيديو الكامل للقاح كورونا في المغرب vaccin"),
            Lang::Ar
        );
        assert_eq!(
            lang("Regardez cette vidéo sur le vaccin au Maroc لقاح"),
            Lang::Fr
        );
    }

    #[test]
    fn text_without_letters_or_in_other_scripts_is_other() {
        assert_eq!(lang("😂😂 123 !!! https://t.co/abc"), Lang::Other);
        assert_eq!(lang(""), Lang::Other);
        assert_eq!(
            lang("Вакцина вызывает серьёзные побочные эффекты"),
            Lang::Other
        );
    }
}
