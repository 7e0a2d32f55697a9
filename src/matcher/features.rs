//! Re-ranking features of one (post, claim) pair. Each is a number, mostly in
//! [0, 1]; `NAMES` fixes their order for the model. A new scorer (semantic
//! similarity, confirmed-link history) is one more entry here and one more
//! weight in the model, fitted the same way.
//!
//! Everything a claim contributes is computed once, when it is indexed
//! ([`ClaimTerms`], stored beside it), and everything a post contributes once
//! per post ([`View`]), so a candidate costs lookups, not analysis.

use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

pub use super::claim_terms::ClaimTerms;
use super::claim_terms::{bigram_hashes, hash32, is_number, ClaimWeights};
use super::{Candidate, Post, Stats, TermField};
use crate::text::{self, Lang};

/// Feature names, in the order of `Features::values`.
pub const NAMES: [&str; 21] = [
    "word_score_rel",
    "word_score_log",
    "word_rank_recip",
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
    "prf_sim",
];

pub const N: usize = NAMES.len();

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    pub values: [f32; N],
    /// Terms post and claim share, with their idf (unordered).
    pub shared_terms: Vec<(String, f32)>,
}

/// The post as seen by one language's analyzer.
pub struct View {
    pub tf: FxHashMap<String, f32>,
    /// Each distinct term's idf and dampened count (1 + ln tf).
    weights: FxHashMap<String, (f32, f32)>,
    /// Each distinct term's document frequency.
    df: FxHashMap<String, u64>,
    bigrams: FxHashSet<u32>,
    numbers: FxHashSet<String>,
    len: usize,
    /// The largest idf of the post's terms, and their sum.
    max_idf: f32,
    idf_sum: f32,
    /// Squared norm of the post's tf-idf vector.
    norm2: f32,
}

impl View {
    fn new(lang: Lang, post: &Post<'_>, stats: &mut Stats<'_>) -> View {
        let field = TermField::Words(lang);
        let terms = text::analyze(lang, post.text_for(lang));
        let mut tf: FxHashMap<String, f32> = FxHashMap::default();
        for t in &terms {
            *tf.entry(t.clone()).or_default() += 1.0;
        }
        let mut weights = FxHashMap::default();
        let mut dfs = FxHashMap::default();
        let (mut max_idf, mut idf_sum, mut norm2) = (0.0f32, 0.0f32, 0.0f32);
        for (t, &n) in &tf {
            let df = stats.df(field, t);
            dfs.insert(t.clone(), df);
            let w = stats.idf_of_df(df);
            max_idf = max_idf.max(w);
            idf_sum += w;
            let pw = (1.0 + n.ln()) * w;
            norm2 += pw * pw;
            weights.insert(t.clone(), (w, 1.0 + n.ln()));
        }
        View {
            bigrams: bigram_hashes(&terms).into_iter().collect(),
            numbers: terms.iter().filter(|t| is_number(t)).cloned().collect(),
            len: terms.len(),
            tf,
            weights,
            df: dfs,
            max_idf,
            idf_sum,
            norm2,
        }
    }
}

impl View {
    /// Each distinct term of the post, its count and document frequency.
    pub fn term_counts(&self) -> impl Iterator<Item = (&str, f32, u64)> + '_ {
        self.tf
            .iter()
            .map(|(t, &n)| (t.as_str(), n, self.df.get(t).copied().unwrap_or(0)))
    }
}

/// Per-post caches the features share across candidates.
#[derive(Default)]
pub struct PostCache {
    views: FxHashMap<Lang, Rc<View>>,
    grams: Option<Rc<FxHashSet<u32>>>,
}

pub fn compute(post: &Post<'_>, c: &Candidate, feedback: f32, stats: &mut Stats<'_>) -> Features {
    let terms = &*c.terms;
    let view = stats.view(post, terms.lang);
    let post_grams = stats.grams(post);
    let claim = terms.weights(stats);

    // The claim as one bag of words, for post coverage and cosine; each term's
    // idf when the post has it, 0 when not (adding 0 leaves a sum as it was).
    let (mut post_hit, mut dot) = (0.0f32, 0.0f32);
    let mut max_shared = 0.0f32;
    let mut hit = Vec::with_capacity(terms.len());
    let mut hit_dot = Vec::with_capacity(terms.len());
    for (i, &cw_tf) in terms.tf.iter().enumerate() {
        match view.weights.get(terms.term(i)) {
            Some(&(w, ptf)) => {
                post_hit += w;
                dot += ptf * w * cw_tf * w;
                max_shared = max_shared.max(w);
                hit.push(w);
                hit_dot.push(ptf * w * w);
            }
            None => {
                hit.push(0.0);
                hit_dot.push(0.0);
            }
        }
    }
    let coverage = |list: &[u32], all: f32| -> f32 {
        let mut shared = 0.0f32;
        for &i in list {
            shared += hit[i as usize];
        }
        if all > 0.0 {
            shared / all
        } else {
            0.0
        }
    };
    let cov_text = coverage(&terms.text, claim.text_all);
    let cov_title = coverage(&terms.title, claim.title_all);
    let cov_sub = coverage(&terms.sub, claim.sub_all);
    // Cosine of the post with one field's distinct terms (idf weights).
    let field_cosine = |list: &[u32], norm2: f32| -> f32 {
        let mut dot = 0.0f32;
        for &i in list {
            dot += hit_dot[i as usize];
        }
        if norm2 > 0.0 && view.norm2 > 0.0 {
            dot / (norm2.sqrt() * view.norm2.sqrt())
        } else {
            0.0
        }
    };
    let cosine_text = field_cosine(&terms.text, claim.text_norm2);
    let cosine_title = field_cosine(&terms.title, claim.title_norm2);
    let cosine = if view.norm2 > 0.0 && claim.norm2 > 0.0 {
        dot / (view.norm2.sqrt() * claim.norm2.sqrt())
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
        .numbers()
        .filter(|n| view.numbers.contains(*n))
        .count();
    let numbers_shared = shared_numbers.min(3) as f32 / 3.0;
    let numbers_missing = (terms.numbers.len() - shared_numbers).min(3) as f32 / 3.0;

    let values = [
        c.word_score_rel,
        (1.0 + c.word_score).ln(),
        c.word_rank.map_or(0.0, |r| 1.0 / (1.0 + r as f32)),
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
        feedback,
    ];
    Features {
        values,
        // Filled by `shared_terms` for the matches that get explained.
        shared_terms: Vec::new(),
    }
}

/// How many of the word query's best candidates serve as feedback.
const FEEDBACK: usize = 3;

/// Pseudo-relevance feedback: each candidate's mean tf-idf cosine with the
/// `FEEDBACK` best other candidates of the word query. A post that repeats
/// a claim tends to retrieve its neighbours too, so a candidate like the
/// others near the top is more likely the one; this helps most where the
/// post says little of the claim in its own words (debate sentences:
/// +1.5 MAP@5 points on the 2b dev split). Values for the candidates from
/// `from` on.
pub fn feedback_similarity(
    terms: &[Arc<ClaimTerms>],
    word_rank: &[Option<usize>],
    from: usize,
    stats: &mut Stats<'_>,
) -> Vec<f32> {
    let weights: Vec<Arc<ClaimWeights>> = terms.iter().map(|t| t.weights(stats)).collect();
    let mut top: Vec<(usize, usize)> = word_rank
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.map(|r| (r, i)))
        .collect();
    top.sort_unstable();
    top.truncate(FEEDBACK + 1);
    // The feedback claims' terms, each with the feedback claims that have
    // it and their weight: a candidate's dot products with all of them come
    // from one pass over its own terms (in term order, as a merge of the
    // two sorted bags would add them).
    let mut feedback_terms: FxHashMap<&str, Vec<(usize, f32)>> = FxHashMap::default();
    for (k, &(_, j)) in top.iter().enumerate() {
        for t in 0..terms[j].len() {
            feedback_terms
                .entry(terms[j].term(t))
                .or_default()
                .push((k, weights[j].tfidf[t]));
        }
    }
    let mut dots = [0.0f32; FEEDBACK + 1];
    (from..terms.len())
        .map(|i| {
            dots.fill(0.0);
            for t in 0..terms[i].len() {
                if let Some(found) = feedback_terms.get(terms[i].term(t)) {
                    for &(k, w) in found {
                        dots[k] += weights[i].tfidf[t] * w;
                    }
                }
            }
            let cosine = |k: usize, j: usize| -> f32 {
                let (ti, tj) = (&terms[i], &terms[j]);
                if ti.lang != tj.lang || weights[i].norm2 <= 0.0 || weights[j].norm2 <= 0.0 {
                    return 0.0;
                }
                dots[k] / (weights[i].norm2.sqrt() * weights[j].norm2.sqrt())
            };
            let others = top
                .iter()
                .enumerate()
                .filter(|&(_, &(_, j))| j != i)
                .take(FEEDBACK);
            let (mut sum, mut n) = (0.0f32, 0usize);
            for (k, &(_, j)) in others {
                sum += cosine(k, j);
                n += 1;
            }
            if n == 0 {
                0.0
            } else {
                sum / n as f32
            }
        })
        .collect()
}

/// The terms post and claim share, with their idf, in the claim's term order.
pub fn shared_terms(
    post: &Post<'_>,
    terms: &ClaimTerms,
    stats: &mut Stats<'_>,
) -> Vec<(String, f32)> {
    let view = stats.view(post, terms.lang);
    terms
        .bag()
        .filter_map(|(t, _)| view.weights.get(t).map(|&(w, _)| (t.to_string(), w)))
        .collect()
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

    /// The post's distinct character n-grams; their hashes are kept for
    /// [`Stats::grams`], so the post's n-grams are computed once.
    pub fn distinct_ngrams(&mut self, post: &Post<'_>) -> Vec<String> {
        let mut grams: FxHashSet<&str> = FxHashSet::default();
        let mut all = Vec::new();
        text::for_each_ngram(&post.analyzed_text, |g| all.push(g.to_string()));
        let mut hashes = FxHashSet::default();
        for g in &all {
            if grams.insert(g.as_str()) {
                hashes.insert(hash32(g.as_str()));
            }
        }
        let distinct: Vec<String> = grams.into_iter().map(str::to_string).collect();
        self.post.grams.get_or_insert_with(|| Rc::new(hashes));
        distinct
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IndexedClaim;

    /// Every term equally rare: weights are term counts.
    struct Flat;

    impl crate::matcher::Corpus for Flat {
        fn num_docs(&self) -> u64 {
            1000
        }
        fn generation(&self) -> u64 {
            1
        }
        fn doc_freq(&self, _: TermField, _: &str) -> u64 {
            1
        }
        fn retrieve(
            &self,
            _: &[crate::matcher::WeightedTerm],
            _: usize,
        ) -> crate::error::Result<Vec<crate::matcher::Retrieved>> {
            Ok(Vec::new())
        }
        fn by_url(&self, _: &str) -> crate::error::Result<Vec<crate::matcher::Retrieved>> {
            Ok(Vec::new())
        }
    }

    fn terms_of(text: &str) -> Arc<ClaimTerms> {
        Arc::new(ClaimTerms::analyze(&IndexedClaim {
            text: text.into(),
            lang: Some("en".into()),
            ..IndexedClaim::default()
        }))
    }

    #[test]
    fn feedback_favours_the_candidate_like_the_other_top_ones() {
        let terms = [
            terms_of("Mueller team has thirteen angry Democrats"),
            terms_of("thirteen Democrats on the Mueller investigation"),
            terms_of("angry students forced a resignation"),
            terms_of("Mueller hired thirteen Democrats"),
        ];
        let ranks = [Some(0), Some(1), Some(2), None];
        let mut stats = Stats::new(&Flat);
        let sim = feedback_similarity(&terms, &ranks, 0, &mut stats);
        assert_eq!(sim.len(), 4);
        assert!(sim[3] > sim[2], "{sim:?}");
        assert!(sim[1] > sim[2], "{sim:?}");
        assert!(sim.iter().all(|s| (0.0..=1.0).contains(s)), "{sim:?}");
    }

    #[test]
    fn feedback_is_the_mean_cosine_with_the_other_top_candidates() {
        let terms = [
            terms_of("alpha bravo"),
            terms_of("alpha charlie"),
            terms_of("alpha bravo"),
            Arc::new(ClaimTerms::analyze(&IndexedClaim {
                text: "alpha bravo".into(),
                lang: Some("fr".into()),
                ..IndexedClaim::default()
            })),
        ];
        let ranks = [Some(0), Some(1), None, None];
        let mut stats = Stats::new(&Flat);
        let sim = feedback_similarity(&terms, &ranks, 0, &mut stats);
        // Each top candidate is compared with the other only; the rest with
        // both; a claim in another language is like none of them.
        let want = [0.5, 0.5, 0.75, 0.0];
        for (got, want) in sim.iter().zip(want) {
            assert!((got - want).abs() < 1e-6, "{sim:?}");
        }
    }
}
