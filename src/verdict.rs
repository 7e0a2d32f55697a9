//! Verdicts: the normalized scale every fact-check maps onto, and the table
//! that reads fact-checkers' own rating words (in Arabic, French, Spanish and
//! English) into it.

use serde::{Deserialize, Serialize};

/// The normalized verdict scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    False,
    MostlyFalse,
    Misleading,
    MissingContext,
    Mixed,
    Unproven,
    MostlyTrue,
    True,
    Satire,
    Other,
}

impl Verdict {
    pub const ALL: [Verdict; 10] = [
        Verdict::False,
        Verdict::MostlyFalse,
        Verdict::Misleading,
        Verdict::MissingContext,
        Verdict::Mixed,
        Verdict::Unproven,
        Verdict::MostlyTrue,
        Verdict::True,
        Verdict::Satire,
        Verdict::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::False => "false",
            Verdict::MostlyFalse => "mostly_false",
            Verdict::Misleading => "misleading",
            Verdict::MissingContext => "missing_context",
            Verdict::Mixed => "mixed",
            Verdict::Unproven => "unproven",
            Verdict::MostlyTrue => "mostly_true",
            Verdict::True => "true",
            Verdict::Satire => "satire",
            Verdict::Other => "other",
        }
    }

    /// The normalized name (`mostly_false`), exactly; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// Reads a fact-checker's rating text into the normalized scale.
    ///
    /// The text is folded (see [`fold_rating`]) and matched in two steps:
    /// a whole-label table for words that are only a verdict when they are
    /// the whole rating (`correct`, `real`, `معدل`, which also means "rate"
    /// inside a sentence), then a phrase search that takes the earliest
    /// verdict phrase in the text, longest phrase first at each position,
    /// so `غير صحيح جزئيا` wins over `صحيح` and `not true` over `true`, and
    /// a paragraph is read by its opening verdict (Arab fact-checkers write
    /// "it became clear that this claim is misleading, ..."). Anything
    /// without a verdict word is `Other`.
    ///
    /// Over the 822 `textualRating`s of `shared/data/arabic-claimreview`
    /// (55 distinct texts) this gives: misleading 448 (54.5%), false 299
    /// (36.4%), true 30 (3.6%), mixed 21 (2.6%), mostly_false 12 (1.5%),
    /// other 6 (0.7%), missing_context 4 (0.5%), satire 1 (0.1%),
    /// unproven 1 (0.1%). The six `other` are the clarification label
    /// `توضيح` and two summaries that state the facts without a verdict
    /// word, each twice.
    pub fn from_rating(text: &str) -> Verdict {
        if let Some(v) = Verdict::from_name(text.trim()) {
            return v;
        }
        let tokens = fold_rating(text);
        if tokens.is_empty() {
            return Verdict::Other;
        }
        let table = table();
        if let Some(v) = table.whole.get(&tokens.join(" ")) {
            return *v;
        }
        for start in 0..tokens.len() {
            let rest = &tokens[start..];
            for (phrase, v) in &table.phrases {
                if rest.starts_with(phrase) {
                    return *v;
                }
            }
        }
        Verdict::Other
    }
}

/// Folds rating text into comparable tokens: compatibility decomposition
/// with every combining mark dropped (Arabic harakat, shadda, the hamza
/// carried by أ إ آ ؤ ئ, Latin accents), tatweel removed, ٱ→ا, ى→ي, ة→ه,
/// lowercase, split on anything that is not a letter or digit.
///
/// This is deliberately a fixed, narrow folding kept beside the table rather
/// than `text`'s search normalization: stored verdicts must not shift when
/// the index analyzers are tuned, and the table is written in the same
/// folding it is matched with.
pub fn fold_rating(text: &str) -> Vec<String> {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;

    let mut folded = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) || c == '\u{0640}' {
            continue;
        }
        match c {
            '\u{0671}' => folded.push('\u{0627}'),
            '\u{0649}' => folded.push('\u{064A}'),
            '\u{0629}' => folded.push('\u{0647}'),
            c => folded.extend(c.to_lowercase()),
        }
    }
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

struct Table {
    whole: std::collections::HashMap<String, Verdict>,
    /// Longest first, so a more specific phrase wins at the same position.
    phrases: Vec<(Vec<String>, Verdict)>,
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let whole = WHOLE_LABELS
            .iter()
            .chain(PHRASES)
            .map(|(label, v)| (fold_rating(label).join(" "), *v))
            .collect();
        let mut phrases: Vec<(Vec<String>, Verdict)> = PHRASES
            .iter()
            .map(|(label, v)| (fold_rating(label), *v))
            .collect();
        phrases.sort_by_key(|(tokens, _)| std::cmp::Reverse(tokens.len()));
        Table { whole, phrases }
    })
}

use Verdict::{
    False as F, Misleading as MI, MissingContext as MC, Mixed as MX, MostlyFalse as MF,
    MostlyTrue as MT, Other as O, Satire as S, True as T, Unproven as U,
};

/// Labels that are a verdict only when they are the whole rating: inside a
/// sentence these words mean something else ("the correct figure", "real
/// estate", "معدل" = "rate", "قديم" = "old").
const WHOLE_LABELS: &[(&str, Verdict)] = &[
    // English (Snopes and others)
    ("correct", T),
    ("accurate", T),
    ("real", T),
    ("legit", T),
    ("legend", U),
    ("lost legend", U),
    ("research in progress", O),
    ("outdated", O),
    ("recall", O),
    ("explainer", O),
    ("no rating", O),
    // Spanish
    ("cierto", T),
    // Arabic: "altered" (AFP/ARIJ), "old", "clarification"
    ("معدل", F),
    ("معدّلة", F),
    ("قديم", MI),
    ("توضيح", O),
];

/// Verdict phrases searched anywhere in the rating.
const PHRASES: &[(&str, Verdict)] = &[
    // --- English: PolitiFact (Truth-O-Meter and Flip-O-Meter) ---
    ("pants on fire", F),
    ("pants fire", F),
    ("barely true", MF),
    ("half true", MX),
    ("half false", MX),
    ("mostly true", MT),
    ("mostly false", MF),
    ("full flop", O),
    ("half flip", O),
    ("no flip", O),
    // --- English: Snopes, AFP, Meta's third-party scale ---
    ("mixture", MX),
    ("mixed", MX),
    ("partly false", MF),
    ("partially false", MF),
    ("partly true", MX),
    ("partially true", MX),
    ("not true", F),
    ("untrue", F),
    ("false", F),
    ("fake", F),
    ("hoax", F),
    ("fabricated", F),
    ("incorrect", F),
    ("wrong", F),
    ("altered", F),
    ("doctored", F),
    ("manipulated", F),
    ("scam", F),
    ("misattributed", F),
    ("correct attribution", T),
    ("true", T),
    ("misleading", MI),
    ("miscaptioned", MI),
    ("distorts the facts", MI),
    ("missing context", MC),
    ("lacks context", MC),
    ("lack of context", MC),
    ("needs context", MC),
    ("out of context", MC),
    ("exaggerated", MF),
    ("exaggerates", MF),
    ("inaccurate", MF),
    ("unproven", U),
    ("unverified", U),
    ("unsupported", U),
    ("unfounded", U),
    ("unsubstantiated", U),
    ("no evidence", U),
    ("labeled satire", S),
    ("originated as satire", S),
    ("satire", S),
    ("satirical", S),
    ("sarcastic", S),
    ("sarcasm", S),
    ("parody", S),
    // --- French (AFP Factuel, Les Décodeurs, Libération CheckNews) ---
    ("plutôt faux", MF),
    ("partiellement faux", MF),
    ("plutôt vrai", MT),
    ("partiellement vrai", MX),
    ("pas vrai", F),
    ("faux", F),
    ("fausse", F),
    ("intox", F),
    ("montage", F),
    ("photomontage", F),
    ("truqué", F),
    ("trafiqué", F),
    ("trafiquée", F),
    ("arnaque", F),
    ("vrai", T),
    ("trompeur", MI),
    ("trompeuse", MI),
    ("détourné", MI),
    ("détournée", MI),
    ("manque de contexte", MC),
    ("contexte manquant", MC),
    ("hors contexte", MC),
    ("sorti de son contexte", MC),
    ("sortie de son contexte", MC),
    ("inexact", MF),
    ("inexacte", MF),
    ("exagéré", MF),
    ("imprécis", MF),
    ("infondé", U),
    ("infondée", U),
    ("non prouvé", U),
    ("invérifiable", U),
    ("douteux", U),
    ("satirique", S),
    ("parodie", S),
    // --- Spanish (Maldita, Newtral, EFE Verifica, AFP Factual) ---
    ("parcialmente falso", MF),
    ("parcialmente falsa", MF),
    ("mayormente falso", MF),
    ("parcialmente verdadero", MX),
    ("parcialmente cierto", MX),
    ("mayormente verdadero", MT),
    ("mayormente cierto", MT),
    ("no es cierto", F),
    ("no es verdad", F),
    ("falso", F),
    ("falsa", F),
    ("bulo", F),
    ("manipulado", F),
    ("manipulada", F),
    ("montaje", F),
    ("estafa", F),
    ("timo", F),
    ("verdadero", T),
    ("verdadera", T),
    ("engañoso", MI),
    ("engañosa", MI),
    ("sin contexto", MC),
    ("falta contexto", MC),
    ("falta de contexto", MC),
    ("fuera de contexto", MC),
    ("descontextualizado", MC),
    ("inexacto", MF),
    ("inexacta", MF),
    ("impreciso", MF),
    ("exagerado", MF),
    ("dudoso", U),
    ("sin evidencia", U),
    ("sin pruebas", U),
    ("no hay pruebas", U),
    ("inverificable", U),
    ("no verificable", U),
    ("sátira", S),
    ("satírico", S),
    ("parodia", S),
    // --- Arabic ---
    ("غير صحيح جزئياً", MF),
    ("زائف جزئياً", MF),
    ("زائف جزئي", MF),
    ("خطأ جزئياً", MF),
    ("صحيح جزئياً", MX),
    ("صحيح جزئي", MX),
    ("صحيح نسبياً", MX),
    ("نصف صحيح", MX),
    ("صحيح في معظمه", MT),
    ("مضلل جزئياً", MI),
    ("غير صحيح", F),
    ("ليس صحيحاً", F),
    ("عار عن الصحة", F),
    ("خبر كاذب", F),
    ("غير دقيق", MF),
    ("مبالغ فيه", MF),
    ("مبالغة", MF),
    ("غير مثبت", U),
    ("غير مؤكد", U),
    ("غير مدعوم", U),
    ("بلا دليل", U),
    ("لا دليل", U),
    ("لا يوجد دليل", U),
    ("صحيح", T),
    ("حقيقي", T),
    ("مضلل", MI),
    ("مضللة", MI),
    ("تضليل", MI),
    ("تضليلي", MI),
    ("الفيديو قديم", MI),
    ("فيديو قديم", MI),
    ("الصورة قديمة", MI),
    ("صورة قديمة", MI),
    ("زائف", F),
    ("زائفة", F),
    ("مزيف", F),
    ("مزيفة", F),
    ("خطأ", F),
    ("خاطئ", F),
    ("خاطئة", F),
    ("كاذب", F),
    ("كاذبة", F),
    ("ملفق", F),
    ("مفبرك", F),
    ("مفبركة", F),
    ("فيديو معدل", F),
    ("صورة معدلة", F),
    ("وليدة ذكاء اصطناعي", F),
    ("مولد بالذكاء الاصطناعي", F),
    ("مولدة بالذكاء الاصطناعي", F),
    ("احتيال", F),
    ("شائعة", F),
    ("إشاعة", F),
    ("محتوى ناقص", MC),
    ("سياق ناقص", MC),
    ("سياق مجتزأ", MC),
    ("خارج السياق", MC),
    ("منزوع السياق", MC),
    ("يفتقر إلى السياق", MC),
    ("ساخر", S),
    ("ساخرة", S),
    ("سخرية", S),
    ("هزلي", S),
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `shared/data` lives beside the checkout, in CI too.
    pub(crate) fn shared_data_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
    }

    #[test]
    fn names_round_trip_through_as_str_and_from_name() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_name(v.as_str()), Some(v));
            assert_eq!(Verdict::from_rating(v.as_str()), v);
        }
        assert_eq!(Verdict::from_name("Mostly False"), None);
    }

    #[test]
    fn every_short_arabic_label_of_the_claimreview_file_maps_as_a_reader_would() {
        let cases = [
            ("misleading", Verdict::Misleading),
            ("مضلل", Verdict::Misleading),
            ("مضلّل", Verdict::Misleading),
            ("fake", Verdict::False),
            ("زائف", Verdict::False),
            ("خطأ", Verdict::False),
            ("خبر كاذب", Verdict::False),
            ("صحيح", Verdict::True),
            ("غير صحيح", Verdict::False),
            ("صحيح جزئياً", Verdict::Mixed),
            ("صحيح جزئيًا", Verdict::Mixed),
            ("غير صحيح جزئيا", Verdict::MostlyFalse),
            ("غير صحيح جزئياً", Verdict::MostlyFalse),
            ("تضليل", Verdict::Misleading),
            ("كاذب", Verdict::False),
            ("خاطئ", Verdict::False),
            ("وليدة ذكاء إصطناعي", Verdict::False),
            ("محتوى ناقص", Verdict::MissingContext),
            ("زائف جزئي", Verdict::MostlyFalse),
            ("معدل", Verdict::False),
            ("مفبرك", Verdict::False),
            ("سياق مجتزأ", Verdict::MissingContext),
            ("sarcastic", Verdict::Satire),
            ("فيديو معدّل", Verdict::False),
            ("غير مثبت", Verdict::Unproven),
            ("سياق ناقص", Verdict::MissingContext),
            ("Faux", Verdict::False),
            ("correct", Verdict::True),
            ("الفيديو قديم", Verdict::Misleading),
            // A clarification piece: it rates nothing.
            ("توضيح", Verdict::Other),
        ];
        for (label, want) in cases {
            assert_eq!(Verdict::from_rating(label), want, "{label}");
        }
    }

    #[test]
    fn paragraph_ratings_are_read_by_their_opening_verdict() {
        let cases = [
            (
                "اتضح لأنير أن هذا الادعاء مضلل، حيث أرشدنا البحث بالكلمات المفتاحية إلى موقع Unis",
                Verdict::Misleading,
            ),
            (
                "تحقق يوب يوب من الادعاء ووجد أنه مضلل إذ أن موقع vK الروسي هو شبكة تواصل",
                Verdict::Misleading,
            ),
            ("تحقق يوب يوب من الادعاء ووجد أنه  خاطئ", Verdict::False),
            (
                "خبر كاذب - حتى وقت كتابة هذا التقرير لا توجد أي أخبار رسمية",
                Verdict::False,
            ),
            (
                "تم تداول هذا الإدعاء والذي اتضح  أنه زائف، حيث قاد البحث ... للمعلومات الغير صحيحة",
                Verdict::False,
            ),
            // "معدل" inside a sentence is "rate", not "altered".
            ("معدل ارتفاع مياه الفيضانات مبالغ فيه", Verdict::MostlyFalse),
        ];
        for (text, want) in cases {
            assert_eq!(Verdict::from_rating(text), want, "{text}");
        }
    }

    #[test]
    fn the_more_specific_phrase_wins_over_the_word_it_contains() {
        assert_eq!(Verdict::from_rating("غير صحيح جزئيا"), Verdict::MostlyFalse);
        assert_eq!(Verdict::from_rating("صحيح جزئيا"), Verdict::Mixed);
        assert_eq!(Verdict::from_rating("Partly false"), Verdict::MostlyFalse);
        assert_eq!(Verdict::from_rating("Half True"), Verdict::Mixed);
        assert_eq!(Verdict::from_rating("Mostly False"), Verdict::MostlyFalse);
        assert_eq!(Verdict::from_rating("Pants on Fire!"), Verdict::False);
        assert_eq!(Verdict::from_rating("Barely True"), Verdict::MostlyFalse);
        assert_eq!(Verdict::from_rating("That is not true."), Verdict::False);
        assert_eq!(Verdict::from_rating("Correct Attribution"), Verdict::True);
    }

    #[test]
    fn politifact_labels_map_onto_the_scale() {
        let cases = [
            ("pants-fire", Verdict::False),
            ("false", Verdict::False),
            ("barely-true", Verdict::MostlyFalse),
            ("half-true", Verdict::Mixed),
            ("mostly-true", Verdict::MostlyTrue),
            ("true", Verdict::True),
            ("full-flop", Verdict::Other),
            ("half-flip", Verdict::Other),
            ("no-flip", Verdict::Other),
        ];
        for (label, want) in cases {
            assert_eq!(Verdict::from_rating(label), want, "{label}");
        }
    }

    #[test]
    fn snopes_labels_map_onto_the_scale() {
        let cases = [
            ("True", Verdict::True),
            ("Mostly True", Verdict::MostlyTrue),
            ("Mixture", Verdict::Mixed),
            ("Mostly False", Verdict::MostlyFalse),
            ("False", Verdict::False),
            ("Unproven", Verdict::Unproven),
            ("Miscaptioned", Verdict::Misleading),
            ("Correct Attribution", Verdict::True),
            ("Misattributed", Verdict::False),
            ("Satire", Verdict::Satire),
            ("Labeled Satire", Verdict::Satire),
            ("Outdated", Verdict::Other),
            ("Scam", Verdict::False),
            ("Legend", Verdict::Unproven),
            ("Research In Progress", Verdict::Other),
        ];
        for (label, want) in cases {
            assert_eq!(Verdict::from_rating(label), want, "{label}");
        }
    }

    #[test]
    fn french_labels_map_onto_the_scale() {
        let cases = [
            ("Faux", Verdict::False),
            ("FAUX", Verdict::False),
            ("Trompeur", Verdict::Misleading),
            ("Manque de contexte", Verdict::MissingContext),
            ("Plutôt faux", Verdict::MostlyFalse),
            ("Plutot faux", Verdict::MostlyFalse),
            ("Vrai", Verdict::True),
            ("Satire", Verdict::Satire),
            ("Infondé", Verdict::Unproven),
            ("Montage", Verdict::False),
            ("Détourné", Verdict::Misleading),
            ("Partiellement faux", Verdict::MostlyFalse),
            ("Sorti de son contexte", Verdict::MissingContext),
        ];
        for (label, want) in cases {
            assert_eq!(Verdict::from_rating(label), want, "{label}");
        }
    }

    #[test]
    fn spanish_labels_map_onto_the_scale() {
        let cases = [
            ("Falso", Verdict::False),
            ("Engañoso", Verdict::Misleading),
            ("Sin contexto", Verdict::MissingContext),
            ("Verdadero", Verdict::True),
            ("Parcialmente falso", Verdict::MostlyFalse),
            ("Sátira", Verdict::Satire),
            ("Bulo", Verdict::False),
            ("Inexacto", Verdict::MostlyFalse),
            ("Dudoso", Verdict::Unproven),
            ("No es cierto", Verdict::False),
        ];
        for (label, want) in cases {
            assert_eq!(Verdict::from_rating(label), want, "{label}");
        }
    }

    #[test]
    fn unknown_or_empty_ratings_are_other() {
        assert_eq!(Verdict::from_rating(""), Verdict::Other);
        assert_eq!(Verdict::from_rating("  ...  "), Verdict::Other);
        assert_eq!(Verdict::from_rating("see the article"), Verdict::Other);
        // Words that only rate when they stand alone.
        assert_eq!(
            Verdict::from_rating("the correct figure is 12"),
            Verdict::Other
        );
    }

    #[test]
    fn folding_unifies_arabic_spellings_and_latin_accents() {
        assert_eq!(fold_rating("مضلّل"), fold_rating("مضلل"));
        assert_eq!(fold_rating("إصطناعي"), fold_rating("اصطناعي"));
        assert_eq!(fold_rating("جزئيًا"), fold_rating("جزئيا"));
        assert_eq!(fold_rating("مضـــلل"), fold_rating("مضلل"));
        assert_eq!(fold_rating("مبالغة"), fold_rating("مبالغه"));
        assert_eq!(fold_rating("Détourné!"), vec!["detourne".to_owned()]);
    }

    /// Every distinct `textualRating` of the Arabic ClaimReview file says
    /// something about truth, except the ones listed here; the shares match
    /// the ones written on `from_rating`.
    #[test]
    fn every_textual_rating_of_the_arabic_file_maps_to_a_verdict() {
        let path = shared_data_dir().join("arabic-claimreview/factcheck_api_claims.json");
        let body = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        // Ratings that genuinely say nothing about truth:
        let exceptions = [
            // "Clarification": an explainer, no verdict.
            "توضيح",
            // Summaries of what is true, without a verdict word.
            "لم يعتمد الاتحاد الإفريقي نتيجة هدفين مقابل صفر لصالح المنتخب الليبي ولم يفرض عقوبات على المنتخب النيجيري",
            "لم ترفع الأردن التأشيرة عن الليبيين وإنما ألغت وثيقة الموافقة المسبقة فقط",
        ];
        let doc: serde_json::Value = serde_json::from_str(&body).expect("the data file is JSON");
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        let mut total = 0;
        for claim in doc["claims"].as_array().expect("claims array") {
            for review in claim["claimReview"].as_array().expect("claimReview array") {
                let rating = review["textualRating"].as_str().expect("textualRating");
                let v = Verdict::from_rating(rating);
                if v == Verdict::Other {
                    assert!(exceptions.contains(&rating), "unmapped rating: {rating}");
                }
                *counts.entry(v.as_str()).or_default() += 1;
                total += 1;
            }
        }
        assert_eq!(total, 822);
        let want = [
            ("false", 299),
            ("misleading", 448),
            ("missing_context", 4),
            ("mixed", 21),
            ("mostly_false", 12),
            ("other", 6),
            ("satire", 1),
            ("true", 30),
            ("unproven", 1),
        ];
        assert_eq!(counts.into_iter().collect::<Vec<_>>(), want);
    }
}
