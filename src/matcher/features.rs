//! Re-ranking features of one (post, claim) pair. Each is a number, mostly in
//! [0, 1]; `NAMES` fixes their order for the model. A new scorer (semantic
//! similarity, confirmed-link history) is one more entry here and one more
//! weight in the model, fitted the same way.
//!
//! Everything a claim contributes is computed once per claim version
//! ([`ClaimTerms`], cached by the corpus) and everything a post contributes
//! once per post ([`View`]), so a candidate costs hash lookups, not analysis.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::{Candidate, Post, Stats, TermField};
use crate::index::IndexedClaim;
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
    /// Terms post and claim share, with their idf (unordered).
    pub shared_terms: Vec<(String, f32)>,
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FxHasher::default();
    value.hash(&mut h);
    h.finish()
}

fn bigram_hashes(terms: &[String]) -> FxHashSet<u64> {
    terms
        .windows(2)
        .map(|w| hash_of(&(w[0].as_str(), w[1].as_str())))
        .collect()
}

fn is_number(term: &str) -> bool {
    !term.is_empty() && term.bytes().all(|b| b.is_ascii_digit())
}

fn distinct(terms: &[String]) -> Vec<String> {
    let mut seen = FxHashSet::default();
    terms
        .iter()
        .filter(|t| seen.insert(t.as_str()))
        .cloned()
        .collect()
}

/// A claim as the analyzers see it: computed once per claim version and
/// cached by the corpus, since every post that retrieves it needs it.
#[derive(Clone, Debug, Default)]
pub struct ClaimTerms {
    pub lang: Lang,
    /// Distinct terms of the claim text, the title, and subtitle + appearances.
    pub text: Vec<String>,
    pub title: Vec<String>,
    pub sub: Vec<String>,
    /// Every field as one bag: term → dampened count (1 + ln n).
    pub bag: Vec<(String, f32)>,
    /// Hashes of adjacent term pairs of the claim text.
    pub bigrams: FxHashSet<u64>,
    /// Numbers the claim text states.
    pub numbers: Vec<String>,
    /// Hashes of the character n-grams of the claim text.
    pub grams: FxHashSet<u64>,
    /// Terms in the claim text (with repeats).
    pub text_len: usize,
    /// Fingerprint of the analyzed texts: a cached entry is used only while it matches.
    pub fingerprint: u64,
}

impl ClaimTerms {
    pub fn analyze(claim: &IndexedClaim) -> ClaimTerms {
        let lang = Lang::from_code(claim.lang.as_deref().unwrap_or(""));
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
        let mut bag: FxHashMap<&str, f32> = FxHashMap::default();
        for t in text_terms.iter().chain(&title_terms).chain(&sub_terms) {
            *bag.entry(t.as_str()).or_default() += 1.0;
        }
        let mut bag: Vec<(String, f32)> = bag
            .into_iter()
            .map(|(t, n)| (t.to_string(), 1.0 + n.ln()))
            .collect();
        bag.sort_by(|a, b| a.0.cmp(&b.0));
        let mut grams = FxHashSet::default();
        text::for_each_ngram(&claim.text, |g| {
            grams.insert(hash_of(g));
        });
        let mut numbers: Vec<String> = text_terms
            .iter()
            .filter(|t| is_number(t))
            .cloned()
            .collect();
        numbers.sort();
        numbers.dedup();
        ClaimTerms {
            lang,
            bigrams: bigram_hashes(&text_terms),
            numbers,
            grams,
            text_len: text_terms.len(),
            text: distinct(&text_terms),
            title: distinct(&title_terms),
            sub: distinct(&sub_terms),
            bag,
            fingerprint: fingerprint(claim),
        }
    }
}

/// FNV-1a over everything `ClaimTerms::analyze` reads.
pub fn fingerprint(claim: &IndexedClaim) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&claim.text);
    feed(claim.title.as_deref().unwrap_or(""));
    feed(claim.subtitle.as_deref().unwrap_or(""));
    feed(claim.lang.as_deref().unwrap_or(""));
    for a in &claim.appearance_texts {
        feed(a);
    }
    h
}

/// The post as seen by one language's analyzer.
pub struct View {
    pub tf: FxHashMap<String, f32>,
    bigrams: FxHashSet<u64>,
    numbers: FxHashSet<String>,
    len: usize,
    /// idf of each distinct term, the largest, and their sum.
    idf: FxHashMap<String, f32>,
    max_idf: f32,
    idf_sum: f32,
    /// Squared norm of the post's tf-idf vector.
    norm2: f32,
    /// Where each term sits in the post as given (for explanations).
    pub spans: Vec<(String, [usize; 2])>,
}

impl View {
    fn new(lang: Lang, post: &Post<'_>, stats: &mut Stats<'_>) -> View {
        let field = TermField::Words(lang);
        let terms = text::analyze(lang, &post.analyzed_text);
        let mut tf: FxHashMap<String, f32> = FxHashMap::default();
        for t in &terms {
            *tf.entry(t.clone()).or_default() += 1.0;
        }
        let mut idf = FxHashMap::default();
        let (mut max_idf, mut idf_sum, mut norm2) = (0.0f32, 0.0f32, 0.0f32);
        for (t, &n) in &tf {
            let w = stats.idf(field, t);
            max_idf = max_idf.max(w);
            idf_sum += w;
            let pw = (1.0 + n.ln()) * w;
            norm2 += pw * pw;
            idf.insert(t.clone(), w);
        }
        let spans = text::analyze_spans(lang, post.raw)
            .into_iter()
            .map(|(t, r)| (t, [r.start, r.end]))
            .collect();
        View {
            bigrams: bigram_hashes(&terms),
            numbers: terms.iter().filter(|t| is_number(t)).cloned().collect(),
            len: terms.len(),
            tf,
            idf,
            max_idf,
            idf_sum,
            norm2,
            spans,
        }
    }
}

/// Per-post caches the features share across candidates.
#[derive(Default)]
pub struct PostCache {
    views: FxHashMap<Lang, Rc<View>>,
    grams: Option<Rc<FxHashSet<u64>>>,
}

pub fn compute(post: &Post<'_>, c: &Candidate, stats: &mut Stats<'_>) -> Features {
    let terms = stats.claim_terms(&c.claim);
    let lang = terms.lang;
    let field = TermField::Words(lang);
    let view = stats.view(post, lang);
    let post_grams = stats.grams(post);

    let mut coverage = |distinct_terms: &[String]| -> f32 {
        let (mut hit, mut all) = (0.0f32, 0.0f32);
        for t in distinct_terms {
            let w = match view.idf.get(t) {
                Some(&w) => {
                    hit += w;
                    w
                }
                None => stats.idf(field, t),
            };
            all += w;
        }
        if all > 0.0 {
            hit / all
        } else {
            0.0
        }
    };
    let cov_text = coverage(&terms.text);
    let cov_title = coverage(&terms.title);
    let cov_sub = coverage(&terms.sub);

    // The claim as one bag of words, for post coverage and cosine.
    let (mut post_hit, mut dot, mut claim_norm2) = (0.0f32, 0.0f32, 0.0f32);
    let mut shared: Vec<(String, f32)> = Vec::new();
    let mut max_shared = 0.0f32;
    for (t, cw_tf) in &terms.bag {
        let cw_tf = *cw_tf;
        match view.idf.get(t) {
            Some(&w) => {
                let ptf = view.tf.get(t).copied().unwrap_or(1.0);
                post_hit += w;
                dot += (1.0 + ptf.ln()) * w * cw_tf * w;
                claim_norm2 += (cw_tf * w) * (cw_tf * w);
                max_shared = max_shared.max(w);
                shared.push((t.clone(), w));
            }
            None => {
                let w = stats.idf(field, t);
                claim_norm2 += (cw_tf * w) * (cw_tf * w);
            }
        }
    }
    let cosine = if view.norm2 > 0.0 && claim_norm2 > 0.0 {
        dot / (view.norm2.sqrt() * claim_norm2.sqrt())
    } else {
        0.0
    };

    let gram_cov = if terms.grams.is_empty() {
        0.0
    } else {
        terms
            .grams
            .iter()
            .filter(|g| post_grams.contains(*g))
            .count() as f32
            / terms.grams.len() as f32
    };
    let bigram_cov = if terms.bigrams.is_empty() {
        0.0
    } else {
        terms
            .bigrams
            .iter()
            .filter(|b| view.bigrams.contains(*b))
            .count() as f32
            / terms.bigrams.len() as f32
    };
    let shared_numbers = terms
        .numbers
        .iter()
        .filter(|n| view.numbers.contains(*n))
        .count();
    let numbers_shared = shared_numbers.min(3) as f32 / 3.0;
    let numbers_missing = (terms.numbers.len() - shared_numbers).min(3) as f32 / 3.0;

    let values = [
        c.word_score_rel,
        (1.0 + c.word_score).ln(),
        c.word_rank.map_or(0.0, |r| 1.0 / (1.0 + r as f32)),
        c.ngram_score_rel,
        cov_text,
        cov_title,
        cov_sub,
        f32::from(u8::from(!terms.title.is_empty())),
        f32::from(u8::from(!terms.sub.is_empty())),
        if view.idf_sum > 0.0 {
            post_hit / view.idf_sum
        } else {
            0.0
        },
        cosine,
        gram_cov,
        bigram_cov,
        numbers_shared,
        numbers_missing,
        f32::from(u8::from(c.url.is_some())),
        if view.max_idf > 0.0 {
            max_shared / view.max_idf
        } else {
            0.0
        },
        (1.0 + view.len as f32).ln(),
        (1.0 + terms.text_len as f32).ln(),
    ];
    Features {
        values,
        shared_terms: shared,
    }
}

impl Stats<'_> {
    /// The post analyzed for one language, computed once per post.
    pub fn view(&mut self, post: &Post<'_>, lang: Lang) -> Rc<View> {
        if let Some(v) = self.post.views.get(&lang) {
            return Rc::clone(v);
        }
        let view = Rc::new(View::new(lang, post, self));
        self.post.views.insert(lang, Rc::clone(&view));
        view
    }

    /// Hashes of the post's character n-grams, computed once per post.
    pub fn grams(&mut self, post: &Post<'_>) -> Rc<FxHashSet<u64>> {
        self.post
            .grams
            .get_or_insert_with(|| {
                let mut grams = FxHashSet::default();
                text::for_each_ngram(&post.analyzed_text, |g| {
                    grams.insert(hash_of(g));
                });
                Rc::new(grams)
            })
            .clone()
    }
}
