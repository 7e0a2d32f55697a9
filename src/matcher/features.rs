//! Re-ranking features of one (post, claim) pair. Each is a number, mostly in
//! [0, 1]; `NAMES` fixes their order for the model. A new scorer (semantic
//! similarity, confirmed-link history) is one more entry here and one more
//! weight in the model, fitted the same way.

use std::collections::{HashMap, HashSet};

use super::{Candidate, Post, Stats, TermField};
use crate::text::{self, Lang};

/// Feature names, in the order of `Features::values`.
pub const NAMES: [&str; 19] = [
    "word_score_rel",
    "word_score_log",
    "word_rank_recip",
    "ngram_score_rel",
    "cov_text",
    "cov_title",
    "cov_sub",
    "has_title",
    "has_sub",
    "post_cov",
    "cosine",
    "gram_cov",
    "bigram_cov",
    "numbers_shared",
    "numbers_missing",
    "url_hit",
    "max_shared_idf",
    "post_len_log",
    "claim_len_log",
];

pub const N: usize = NAMES.len();

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    pub values: [f32; N],
    /// Terms post and claim share, with their idf, most distinctive first.
    pub shared_terms: Vec<(String, f32)>,
}

/// The post as seen by one language's analyzer.
pub struct View {
    tf: HashMap<String, f32>,
    bigrams: HashSet<(String, String)>,
    numbers: HashSet<String>,
    len: usize,
}

impl View {
    fn new(lang: Lang, text: &str) -> View {
        let terms = text::analyze(lang, text);
        let mut tf: HashMap<String, f32> = HashMap::new();
        for t in &terms {
            *tf.entry(t.clone()).or_default() += 1.0;
        }
        View {
            bigrams: bigrams(&terms),
            numbers: numbers(&terms),
            len: terms.len(),
            tf,
        }
    }
}

fn bigrams(terms: &[String]) -> HashSet<(String, String)> {
    terms
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

fn numbers(terms: &[String]) -> HashSet<String> {
    terms
        .iter()
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect()
}

/// Per-post caches the features share across candidates.
#[derive(Default)]
pub struct PostCache {
    views: HashMap<Lang, std::rc::Rc<View>>,
    grams: Option<std::rc::Rc<HashSet<String>>>,
}

pub fn compute(post: &Post<'_>, c: &Candidate, stats: &mut Stats<'_>) -> Features {
    let claim = &c.claim;
    let lang = Lang::from_code(claim.lang.as_deref().unwrap_or(""));
    let field = TermField::Words(lang);
    let view = stats.view(post, lang);
    let post_grams = stats.grams(post);

    let text_terms = text::analyze(lang, &claim.text);
    let title_terms = claim
        .title
        .as_deref()
        .map(|t| text::analyze(lang, t))
        .unwrap_or_default();
    let mut sub_terms = Vec::new();
    for extra in claim.subtitle.iter().chain(claim.appearance_texts.iter()) {
        sub_terms.extend(text::analyze(lang, extra));
    }

    let mut idf = |t: &str| stats.idf(field, t);
    let coverage = |terms: &[String], idf: &mut dyn FnMut(&str) -> f32| -> f32 {
        let distinct: HashSet<&String> = terms.iter().collect();
        let (mut hit, mut all) = (0.0f32, 0.0f32);
        for t in distinct {
            let w = idf(t);
            all += w;
            if view.tf.contains_key(t) {
                hit += w;
            }
        }
        if all > 0.0 {
            hit / all
        } else {
            0.0
        }
    };
    let cov_text = coverage(&text_terms, &mut idf);
    let cov_title = coverage(&title_terms, &mut idf);
    let cov_sub = coverage(&sub_terms, &mut idf);

    // The claim as one bag of words, for post coverage and cosine.
    let mut claim_tf: HashMap<&str, f32> = HashMap::new();
    for t in text_terms.iter().chain(&title_terms).chain(&sub_terms) {
        *claim_tf.entry(t.as_str()).or_default() += 1.0;
    }
    let (mut post_hit, mut post_all, mut dot, mut post_norm, mut max_post_idf) =
        (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut shared: Vec<(String, f32)> = Vec::new();
    for (t, &ptf) in &view.tf {
        let w = idf(t);
        post_all += w;
        max_post_idf = max_post_idf.max(w);
        let pw = (1.0 + ptf.ln()) * w;
        post_norm += pw * pw;
        if let Some(&ctf) = claim_tf.get(t.as_str()) {
            post_hit += w;
            dot += pw * (1.0 + ctf.ln()) * w;
            shared.push((t.clone(), w));
        }
    }
    let mut claim_norm = 0.0f32;
    for (t, &ctf) in &claim_tf {
        let cw = (1.0 + ctf.ln()) * idf(t);
        claim_norm += cw * cw;
    }
    let cosine = if post_norm > 0.0 && claim_norm > 0.0 {
        dot / (post_norm.sqrt() * claim_norm.sqrt())
    } else {
        0.0
    };
    shared.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let max_shared = shared.first().map_or(0.0, |s| s.1);

    let mut claim_grams: HashSet<String> = HashSet::new();
    text::for_each_ngram(&claim.text, |g| {
        claim_grams.insert(g.to_string());
    });
    let gram_cov = if claim_grams.is_empty() {
        0.0
    } else {
        claim_grams
            .iter()
            .filter(|g| post_grams.contains(*g))
            .count() as f32
            / claim_grams.len() as f32
    };

    let claim_bigrams = bigrams(&text_terms);
    let bigram_cov = if claim_bigrams.is_empty() {
        0.0
    } else {
        claim_bigrams.intersection(&view.bigrams).count() as f32 / claim_bigrams.len() as f32
    };
    let claim_numbers = numbers(&text_terms);
    let numbers_shared = claim_numbers.intersection(&view.numbers).count().min(3) as f32 / 3.0;
    let numbers_missing = claim_numbers.difference(&view.numbers).count().min(3) as f32 / 3.0;

    let values = [
        c.word_score_rel,
        (1.0 + c.word_score).ln(),
        c.word_rank.map_or(0.0, |r| 1.0 / (1.0 + r as f32)),
        c.ngram_score_rel,
        cov_text,
        cov_title,
        cov_sub,
        f32::from(u8::from(!title_terms.is_empty())),
        f32::from(u8::from(!sub_terms.is_empty())),
        if post_all > 0.0 {
            post_hit / post_all
        } else {
            0.0
        },
        cosine,
        gram_cov,
        bigram_cov,
        numbers_shared,
        numbers_missing,
        f32::from(u8::from(c.url.is_some())),
        if max_post_idf > 0.0 {
            max_shared / max_post_idf
        } else {
            0.0
        },
        (1.0 + view.len as f32).ln(),
        (1.0 + text_terms.len() as f32).ln(),
    ];
    Features {
        values,
        shared_terms: shared,
    }
}

impl Stats<'_> {
    /// The post analyzed for one language, computed once per post.
    pub fn view(&mut self, post: &Post<'_>, lang: Lang) -> std::rc::Rc<View> {
        self.post
            .views
            .entry(lang)
            .or_insert_with(|| std::rc::Rc::new(View::new(lang, &post.analyzed_text)))
            .clone()
    }

    /// The post's character n-grams, computed once per post.
    pub fn grams(&mut self, post: &Post<'_>) -> std::rc::Rc<HashSet<String>> {
        self.post
            .grams
            .get_or_insert_with(|| {
                let mut grams = HashSet::new();
                text::for_each_ngram(&post.analyzed_text, |g| {
                    grams.insert(g.to_string());
                });
                std::rc::Rc::new(grams)
            })
            .clone()
    }
}
