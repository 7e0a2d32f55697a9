//! Re-ranking features of one (post, claim) pair. Each is a number, mostly in
//! [0, 1]; `NAMES` fixes their order for the model. A new scorer (semantic
//! similarity, confirmed-link history) is one more entry here and one more
//! weight in the model, fitted the same way.
//!
//! Everything a claim contributes is computed once, when it is indexed
//! ([`ClaimTerms`], stored beside it), and everything a post contributes once
//! per post ([`View`]), so a candidate costs lookups, not analysis.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::{Candidate, Post, Stats, TermField};
use crate::index::IndexedClaim;
use crate::text::{self, Lang};

/// Feature names, in the order of `Features::values`.
pub const NAMES: [&str; 21] = [
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
    "cosine_text",
    "cosine_title",
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

/// 32 bits of a hash: collisions among one post's few hundred n-grams are
/// negligible, and the stored analysis stays small.
fn hash32<T: Hash + ?Sized>(value: &T) -> u32 {
    (hash_of(value) >> 32) as u32
}

fn bigram_hashes(terms: &[String]) -> Vec<u32> {
    let mut out: Vec<u32> = terms
        .windows(2)
        .map(|w| hash32(&(w[0].as_str(), w[1].as_str())))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
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

/// A claim as the analyzers see it: computed when the claim is indexed and
/// stored beside it, since every post that retrieves it needs it.
#[derive(Clone, Debug, Default)]
pub struct ClaimTerms {
    pub lang: Lang,
    /// Distinct terms of the claim text, the title, and subtitle + appearances.
    pub text: Vec<String>,
    pub title: Vec<String>,
    pub sub: Vec<String>,
    /// Every field as one bag: term → dampened count (1 + ln n).
    pub bag: Vec<(String, f32)>,
    /// Hashes of adjacent term pairs of the claim text, sorted.
    pub bigrams: Vec<u32>,
    /// Numbers the claim text states.
    pub numbers: Vec<String>,
    /// Hashes of the character n-grams of the claim text, sorted.
    pub grams: Vec<u32>,
    /// Terms in the claim text (with repeats).
    pub text_len: usize,
    /// Hash of the claim text's letters and digits, lowercased: equal for
    /// claims that say the same words with other punctuation.
    pub same_words: u64,
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
        let mut grams = Vec::new();
        text::for_each_ngram(&claim.text, |g| grams.push(hash32(g)));
        grams.sort_unstable();
        grams.dedup();
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
            same_words: same_words_hash(&claim.text),
            text: distinct(&text_terms),
            title: distinct(&title_terms),
            sub: distinct(&sub_terms),
            bag,
        }
    }

    /// A compact binary form, stored in the index beside the claim.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.push(1u8);
        let slot = Lang::ALL.iter().position(|l| *l == self.lang).unwrap_or(4);
        out.push(slot as u8);
        out.extend_from_slice(&(self.text_len as u32).to_le_bytes());
        out.extend_from_slice(&self.same_words.to_le_bytes());
        for list in [&self.text, &self.title, &self.sub, &self.numbers] {
            put_strings(&mut out, list.iter().map(String::as_str));
        }
        out.extend_from_slice(&(self.bag.len() as u32).to_le_bytes());
        for (t, w) in &self.bag {
            put_str(&mut out, t);
            out.extend_from_slice(&w.to_le_bytes());
        }
        for list in [&self.bigrams, &self.grams] {
            out.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for h in list {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        out
    }

    /// Reads `encode`'s output; `None` if it is not that.
    pub fn decode(bytes: &[u8]) -> Option<ClaimTerms> {
        let mut r = Reader { bytes, at: 0 };
        if r.u8()? != 1 {
            return None;
        }
        let lang = *Lang::ALL.get(usize::from(r.u8()?))?;
        let text_len = r.u32()? as usize;
        let same_words = u64::from(r.u32()?) | (u64::from(r.u32()?) << 32);
        let text = r.strings()?;
        let title = r.strings()?;
        let sub = r.strings()?;
        let numbers = r.strings()?;
        let n = r.u32()? as usize;
        let mut bag = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            let t = r.string()?;
            bag.push((t, f32::from_bits(r.u32()?)));
        }
        let bigrams = r.u32s()?;
        let grams = r.u32s()?;
        Some(ClaimTerms {
            lang,
            text,
            title,
            sub,
            bag,
            bigrams,
            numbers,
            grams,
            text_len,
            same_words,
        })
    }
}

fn same_words_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        for l in c.to_lowercase() {
            h.write_u32(u32::from(l));
        }
    }
    h.finish()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Terms are words: far below 64 KiB; a longer one is cut at a char boundary.
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_le_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

fn put_strings<'a>(out: &mut Vec<u8>, list: impl ExactSizeIterator<Item = &'a str>) {
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    for s in list {
        put_str(out, s);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let len = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        String::from_utf8(self.take(usize::from(len))?.to_vec()).ok()
    }
    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            out.push(self.string()?);
        }
        Some(out)
    }
    fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(65536));
        for _ in 0..n {
            out.push(self.u32()?);
        }
        Some(out)
    }
}

/// The post as seen by one language's analyzer.
pub struct View {
    pub tf: FxHashMap<String, f32>,
    bigrams: FxHashSet<u32>,
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
            bigrams: bigram_hashes(&terms).into_iter().collect(),
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
    grams: Option<Rc<FxHashSet<u32>>>,
}

pub fn compute(
    post: &Post<'_>,
    c: &Candidate,
    terms: &ClaimTerms,
    stats: &mut Stats<'_>,
) -> Features {
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
    // Cosine of the post with one field's distinct terms (idf weights).
    let mut field_cosine = |distinct_terms: &[String]| -> f32 {
        let (mut dot, mut norm2) = (0.0f32, 0.0f32);
        for t in distinct_terms {
            let w = match view.idf.get(t) {
                Some(&w) => {
                    let ptf = view.tf.get(t).copied().unwrap_or(1.0);
                    dot += (1.0 + ptf.ln()) * w * w;
                    w
                }
                None => stats.idf(field, t),
            };
            norm2 += w * w;
        }
        if norm2 > 0.0 && view.norm2 > 0.0 {
            dot / (norm2.sqrt() * view.norm2.sqrt())
        } else {
            0.0
        }
    };
    let cosine_text = field_cosine(&terms.text);
    let cosine_title = field_cosine(&terms.title);

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
        cosine_text,
        cosine_title,
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
    pub fn grams(&mut self, post: &Post<'_>) -> Rc<FxHashSet<u32>> {
        self.post
            .grams
            .get_or_insert_with(|| {
                let mut grams = FxHashSet::default();
                text::for_each_ngram(&post.analyzed_text, |g| {
                    grams.insert(hash32(g));
                });
                Rc::new(grams)
            })
            .clone()
    }
}
