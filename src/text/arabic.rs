//! Arabic stop words and light stemming, both on normalized text.
//!
//! Light stemming (Larkey et al., "light10") strips one article/conjunction
//! prefix and a few suffixes. It beats root extraction for retrieval: roots
//! conflate too much (كتب, مكتب, كاتب), and the claims we match are short.

/// Prefixes, longest first so that وال wins over و.
const PREFIXES: [&str; 7] = ["وال", "بال", "كال", "فال", "ال", "لل", "و"];

/// Suffixes in the order light10 tries them, each at most once.
const SUFFIXES: [&str; 8] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/// Function words of MSA and common Darija, in normalized spelling (ى→ي, ة→ه,
/// أ→ا). A linear scan is fine: slices compare lengths first.
const STOP_WORDS: [&str; 83] = [
    "اذا",
    "الا",
    "التي",
    "الذي",
    "الذين",
    "الي",
    "الان",
    "ان",
    "انا",
    "انت",
    "انه",
    "انها",
    "او",
    "اي",
    "ايضا",
    "باش",
    "بان",
    "بعد",
    "بعض",
    "بل",
    "به",
    "بها",
    "بين",
    "تلك",
    "ثم",
    "حتي",
    "حيث",
    "حيت",
    "ذلك",
    "راه",
    "ضد",
    "عبر",
    "علي",
    "عليه",
    "عليها",
    "عن",
    "عند",
    "غير",
    "فان",
    "في",
    "فيه",
    "فيها",
    "قبل",
    "قد",
    "كان",
    "كانت",
    "كل",
    "كما",
    "كيف",
    "لا",
    "لان",
    "لدي",
    "لقد",
    "لكن",
    "لم",
    "لن",
    "له",
    "لها",
    "لي",
    "ما",
    "مع",
    "مما",
    "من",
    "منذ",
    "منه",
    "منها",
    "نحن",
    "هاد",
    "هذا",
    "هذه",
    "هل",
    "هم",
    "هنا",
    "هناك",
    "هو",
    "هي",
    "واش",
    "وان",
    "وهو",
    "وهي",
    "يا",
    "ديال",
    "شي",
];

/// Whether a normalized Arabic token is a function word.
pub fn is_stop_word(token: &str) -> bool {
    STOP_WORDS.contains(&token)
}

/// The light stem of a normalized Arabic word. Prefix and suffix removal stop
/// when fewer than two letters would remain; و needs three, since many nouns
/// start with it (وزير), and so do the one-letter suffixes ه and ي, which
/// would otherwise cut نبي or صحه to two letters.
pub fn light_stem(word: &str) -> &str {
    let mut stem = word;
    for prefix in PREFIXES {
        let min_rest = if prefix == "و" { 3 } else { 2 };
        if let Some(rest) = stem.strip_prefix(prefix) {
            if rest.chars().count() >= min_rest {
                stem = rest;
                break;
            }
        }
    }
    for suffix in SUFFIXES {
        let min_rest = if suffix.chars().count() == 1 { 3 } else { 2 };
        if let Some(rest) = stem.strip_suffix(suffix) {
            if rest.chars().count() >= min_rest {
                stem = rest;
            }
        }
    }
    stem
}

/// Strips only the article family (ال, وال, بال, كال, فال, لل): used before
/// character n-grams, where the article would otherwise shift every
/// word-initial gram (^ال instead of ^لق).
pub fn strip_article(word: &str) -> &str {
    for prefix in &PREFIXES[..6] {
        if let Some(rest) = word.strip_prefix(prefix) {
            if rest.chars().count() >= 2 {
                return rest;
            }
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_word_list_has_no_duplicates() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), STOP_WORDS.len());
    }

    #[test]
    fn vaccine_forms_share_one_stem() {
        for word in [
            "اللقاحات",
            "واللقاحات",
            "باللقاح",
            "لقاح",
            "لقاحات",
            "اللقاح",
        ] {
            assert_eq!(light_stem(word), "لقاح", "{word}");
        }
    }

    #[test]
    fn corona_with_and_without_article_share_one_stem() {
        assert_eq!(light_stem("الكورونا"), light_stem("كورونا"));
        assert_eq!(light_stem("كورونا"), "كورونا");
    }

    #[test]
    fn short_words_are_not_stripped_to_nothing() {
        assert_eq!(light_stem("وه"), "وه");
        assert_eq!(light_stem("ال"), "ال");
        assert_eq!(light_stem("ولد"), "ولد");
        assert_eq!(light_stem("النبي"), "نبي");
        assert_eq!(light_stem("لقاحه"), "لقاح");
    }

    #[test]
    fn plural_suffixes_are_removed() {
        assert_eq!(light_stem("المعلمون"), "معلم");
        assert_eq!(light_stem("المعلمين"), "معلم");
        assert_eq!(light_stem("سيارتها"), "سيارت");
    }

    #[test]
    fn normalized_function_words_are_stop_words() {
        for word in ["في", "من", "علي", "الي", "عن", "ان", "هذا", "هذه"] {
            assert!(is_stop_word(word), "{word}");
        }
        assert!(!is_stop_word("لقاح"));
    }

    #[test]
    fn article_stripping_leaves_suffixes_alone() {
        assert_eq!(strip_article("اللقاحات"), "لقاحات");
        assert_eq!(strip_article("وزاره"), "وزاره");
    }
}
