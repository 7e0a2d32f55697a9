//! Character-level rules: NFKC, case, Arabic orthographic variants, digits,
//! Latin accent folding, and the script classes the tokenizer splits on.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Appends the normalized form of `text` to `out` (see [`super::normalize`]).
pub fn normalize_into(text: &str, out: &mut String) {
    let start = out.len();
    let mut recased = normalize_pass(text, out);
    // Lowercasing after composition can leave a letter and a mark that
    // compose: "T" + U+0344 is NFKC "T" + U+0308 + U+0301 (no capital T
    // with diaeresis exists), which lowercases to "t" + U+0308 + U+0301,
    // which NFKC writes "ẗ" + U+0301. Such output is normalized once more,
    // so that normalizing is idempotent.
    for _ in 0..2 {
        let tail = &out[start..];
        if !recased || tail.is_ascii() || is_nfkc_quick(tail.chars()) == IsNormalized::Yes {
            return;
        }
        let first = out.split_off(start);
        recased = normalize_pass(&first, out);
    }
}

/// One pass of NFKC and the character rules; says whether it lowercased
/// a letter (which may leave text that is not NFKC).
fn normalize_pass(text: &str, out: &mut String) -> bool {
    out.reserve(text.len());
    let mut recased = false;
    // Most posts are already NFKC; the quick check avoids the composing iterator.
    if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        for c in text.chars() {
            recased |= push_normalized(c, out);
        }
    } else {
        for c in text.nfkc() {
            recased |= push_normalized(c, out);
        }
    }
    recased
}

/// Pushes `c` normalized; true when it was a letter whose case changed.
fn push_normalized(c: char, out: &mut String) -> bool {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return c.is_ascii_uppercase();
    }
    match c {
        c if is_arabic_mark(c) => {}
        // Zero-width joiners and direction marks carry no letters and would
        // otherwise split or pollute words copied from RTL text.
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ى' | 'ئ' => out.push('ي'),
        'ة' => out.push('ه'),
        'ؤ' => out.push('و'),
        // Persian-keyboard and Moroccan letter variants people type for the same sounds.
        'ک' | 'ڭ' | 'گ' => out.push('ك'),
        'ی' | 'ې' => out.push('ي'),
        'ڤ' => out.push('ف'),
        'پ' => out.push('ب'),
        '٠'..='٩' => out.push(ascii_digit(c as u32 - 0x0660)),
        '۰'..='۹' => out.push(ascii_digit(c as u32 - 0x06F0)),
        // Arabic has no case; skipping the lowercase tables matters on long posts.
        '\u{0600}'..='\u{06FF}' => out.push(c),
        _ => {
            let start = out.len();
            out.extend(c.to_lowercase());
            return out[start..] != *c.encode_utf8(&mut [0; 4]);
        }
    }
    false
}

fn ascii_digit(value: u32) -> char {
    char::from_digit(value, 10).unwrap_or('0')
}

/// Harakat, Quranic annotation marks, superscript alef and tatweel: none of
/// them changes which word is written.
pub fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' | '\u{0610}'..='\u{061A}')
}

/// Arabic-script letters (the base block, its supplement, extended-A and the
/// presentation forms that NFKC folds away). The common block is matched by
/// ranges: the generic Unicode lookup is the slowest step of tokenizing Arabic.
pub fn is_arabic_letter(c: char) -> bool {
    match c {
        '\u{0620}'..='\u{063F}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}' => true,
        '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => c.is_alphabetic(),
        _ => false,
    }
}

/// `char::is_alphanumeric` with fast paths for ASCII and Arabic.
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0600}'..='\u{06FF}').contains(&c) {
        is_arabic_letter(c)
            || ('\u{0660}'..='\u{0669}').contains(&c)
            || ('\u{06F0}'..='\u{06F9}').contains(&c)
    } else {
        c.is_alphanumeric()
    }
}

/// `char::is_alphabetic` with fast paths for ASCII and Arabic.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else if ('\u{0600}'..='\u{06FF}').contains(&c) {
        is_arabic_letter(c)
    } else {
        c.is_alphabetic()
    }
}

/// Characters that belong inside a word of the original text. Marks count so
/// that harakat never split a word; joiners count so that ZWNJ inside Persian
/// or Arabic words does not either.
pub fn is_word_char(c: char) -> bool {
    is_alnum(c)
        || is_arabic_mark(c)
        || matches!(c, '\u{0300}'..='\u{036F}' | '\u{200C}' | '\u{200D}')
}

/// Appends `word` with Latin diacritics removed (é→e, ñ→n, ß→ss, œ→oe) to `out`.
/// Arabic letters pass through untouched: their hamza forms are already
/// normalized and decomposing them would only lose information.
pub fn fold_into(word: &str, out: &mut String) {
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'þ' => out.push_str("th"),
            c if ('\u{00C0}'..='\u{024F}').contains(&c)
                || ('\u{1E00}'..='\u{1EFF}').contains(&c) =>
            {
                unicode_normalization::char::decompose_canonical(c, |d| {
                    if !('\u{0300}'..='\u{036F}').contains(&d) {
                        out.push(d);
                    }
                });
            }
            '\u{0300}'..='\u{036F}' => {}
            _ => out.push(c),
        }
    }
}

/// Whether folding would change `word`; lets callers skip the copy.
pub fn needs_fold(word: &str) -> bool {
    !word.is_ascii()
        && word.chars().any(|c| {
            ('\u{00C0}'..='\u{024F}').contains(&c)
                || ('\u{1E00}'..='\u{1EFF}').contains(&c)
                || ('\u{0300}'..='\u{036F}').contains(&c)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_that_composes_only_after_lowercasing_is_normalized_once_and_for_all() {
        // Found by the `text` fuzz target: "T" + U+0344 (combining Greek
        // dialytika tonos) gave "t" + U+0308 + U+0301, which normalized
        // again to "ẗ" + U+0301.
        for s in ["T\u{344}", "RT\u{344}x", "ÉCOLE T\u{308}", "Ω\u{344}"] {
            let once = norm(s);
            assert_eq!(norm(&once), once, "{s:?}");
        }
        assert_eq!(norm("T\u{344}"), "\u{1E97}\u{301}");
        // Text that needs no second pass comes out as before.
        assert_eq!(norm("Élections À Fnideq"), "élections à fnideq");
    }

    fn norm(text: &str) -> String {
        let mut out = String::new();
        normalize_into(text, &mut out);
        out
    }

    fn fold(text: &str) -> String {
        let mut out = String::new();
        fold_into(text, &mut out);
        out
    }

    #[test]
    fn harakat_and_tatweel_are_removed() {
        assert_eq!(norm("مُحَمَّدٌ"), "محمد");
        assert_eq!(norm("كـــورونا"), "كورونا");
        assert_eq!(norm("القرآنُ"), "القران");
    }

    #[test]
    fn alef_hamza_forms_become_bare_alef() {
        assert_eq!(norm("أحمد إسلام آمن ٱلله"), "احمد اسلام امن الله");
    }

    #[test]
    fn final_letters_and_hamza_seats_are_unified() {
        assert_eq!(norm("مستشفى"), "مستشفي");
        assert_eq!(norm("الصحة"), "الصحه");
        assert_eq!(norm("مؤتمر"), "موتمر");
        assert_eq!(norm("رئيس"), "رييس");
    }

    #[test]
    fn arabic_indic_and_persian_digits_become_ascii() {
        assert_eq!(norm("٢٠٢١"), "2021");
        assert_eq!(norm("۱۹"), "19");
    }

    #[test]
    fn presentation_forms_are_folded_by_nfkc() {
        // U+FEFB is the lam-alef ligature; U+FE8D the isolated alef.
        assert_eq!(norm("\u{FEFB}"), "لا");
        assert_eq!(norm("\u{FE8D}"), "ا");
    }

    #[test]
    fn latin_text_is_lowercased_but_keeps_its_accents() {
        assert_eq!(norm("L'Élection ÉTÉ"), "l'élection été");
    }

    #[test]
    fn fullwidth_letters_become_ascii() {
        assert_eq!(norm("ＣＯＶＩＤ"), "covid");
    }

    #[test]
    fn folding_removes_latin_accents_only() {
        assert_eq!(
            fold("élection vacunación straße œuvre"),
            "election vacunacion strasse oeuvre"
        );
        assert_eq!(fold("لقاح"), "لقاح");
        assert!(needs_fold("été"));
        assert!(!needs_fold("lقاح"));
    }

    #[test]
    fn fast_character_classes_agree_with_the_standard_library() {
        for c in ('\u{0}'..='\u{0800}').chain('\u{FB50}'..='\u{FEFF}') {
            assert_eq!(
                is_alnum(c),
                c.is_alphanumeric() && c != '\u{0640}' && !is_arabic_mark(c),
                "{c:?}"
            );
            assert_eq!(
                is_letter(c),
                c.is_alphabetic() && c != '\u{0640}' && !is_arabic_mark(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn harakat_are_word_characters() {
        assert!("مُحَمَّد".chars().all(is_word_char));
        assert!(!is_word_char('_'));
        assert!(!is_word_char('#'));
    }
}
