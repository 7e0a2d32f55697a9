//! Matching a post to the claims it repeats. Pure logic: the index is reached
//! through the narrow [`Corpus`] trait (term statistics and candidate
//! retrieval), so everything here runs the same against any snapshot.
//!
//! 1. Clean the post (links aside, hashtags split), identify its language,
//!    transliterate Arabizi.
//! 2. Retrieve candidates with a bounded number of the post's most salient
//!    terms (tf·idf) against the word fields of every language it may be in
//!    (a short post rarely says which), with its rarest
//!    character n-grams against the n-gram field, and by exact lookup of its
//!    canonical URLs among claim appearances.
//! 3. Re-rank the small candidate set with features (see [`features`]) and a
//!    logistic model (see [`model`]) whose output is a calibrated probability
//!    that the post repeats the claim.
//! 4. Band it (`match`, `possible`, none) and explain it: the shared terms,
//!    where they sit in the post, the URL that matched.

pub mod claim_terms;
pub mod features;
pub mod model;
pub mod semantic;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::error::Result;
use crate::model::IndexedClaim;
use crate::text::{self, Lang};

pub use features::Features;

pub use crate::text::TermField;

/// A term to look for, with its query weight.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedTerm {
    pub field: TermField,
    pub term: String,
    pub boost: f32,
}

/// A claim a retrieval step returned, with its engine score (BM25).
#[derive(Clone, Debug)]
pub struct Retrieved {
    /// Shared: a corpus may hand out the same record to many posts.
    pub claim: Arc<IndexedClaim>,
    /// The claim's analysis as stored at index time, when the corpus has it.
    pub terms: Option<Arc<features::ClaimTerms>>,
    pub score: f32,
}

/// What the matcher needs from the index.
pub trait Corpus {
    /// Documents in the snapshot.
    fn num_docs(&self) -> u64;
    /// Names the snapshot: term statistics are the same for equal generations.
    fn generation(&self) -> u64;
    /// Documents containing `term` in `field`.
    fn doc_freq(&self, field: TermField, term: &str) -> u64;
    /// The best `limit` claims for an OR of the terms (BM25, boosts applied).
    fn retrieve(&self, terms: &[WeightedTerm], limit: usize) -> Result<Vec<Retrieved>>;
    /// Claims that list this canonical URL (an appearance or the review itself).
    fn by_url(&self, canonical: &str) -> Result<Vec<Retrieved>>;
}

/// How confident a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// The post repeats this claim.
    Match,
    /// Worth a human look.
    Possible,
    None,
}

/// Why a claim matched.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    /// Shared terms, most distinctive first.
    pub terms: Vec<String>,
    /// Byte ranges `[start, end)` of those terms in the post as given.
    pub spans: Vec<[usize; 2]>,
    /// The same ranges in characters (Unicode scalar values), for clients
    /// whose strings are not indexed by UTF-8 bytes.
    pub char_spans: Vec<[usize; 2]>,
    /// The canonical URL the post and the claim share, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Set when the meaning carried the match (semantic matching), e.g.
    /// "same meaning, in Arabic".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<String>,
}

/// One ranked candidate.
#[derive(Clone, Debug, Serialize)]
pub struct Match {
    pub claim_id: String,
    /// Calibrated probability that the post repeats the claim, in [0, 1].
    pub score: f32,
    pub band: Band,
    pub explanation: Explanation,
    #[serde(skip)]
    pub claim: IndexedClaim,
    #[serde(skip)]
    pub features: Features,
    /// `ClaimTerms::same_words` of the claim.
    #[serde(skip)]
    pub same_words: u64,
    /// The ranking model's score (order only, see `model::rank_score`).
    #[serde(skip)]
    pub rank_score: f32,
    /// The semantic stage's features, when it scored this match.
    #[serde(skip)]
    pub fusion: Option<[f32; semantic::M]>,
}

/// A post to match.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub text: &'a str,
    /// A URL the post was seen at (besides those in its text).
    pub url: Option<&'a str>,
    /// The post's language when the caller knows it; detected otherwise.
    pub lang: Option<Lang>,
    /// How many matches to return.
    pub top: usize,
    /// When the post was published (`YYYY-MM-DD` or RFC 3339), when the
    /// caller knows it; otherwise read from a signature date the text ends
    /// with. A claim checked near that day is the likelier one.
    pub posted_at: Option<&'a str>,
}

impl Request<'_> {
    /// The day the post was published: the caller's, else a date its text
    /// ends with. Only the semantic stage reads it, so the lexical stage
    /// never pays for it.
    pub fn day(&self) -> Option<time::Date> {
        match self.posted_at {
            Some(at) => crate::formats::date::day_of_stamp(at),
            None => crate::formats::date::trailing_date(self.text),
        }
    }
}

/// Retrieval bounds. The defaults were chosen on the train splits (see the
/// README's matching section) and guarded by recall against unbounded queries.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Most salient word terms queried.
    pub max_terms: usize,
    /// Candidates kept from the word query.
    pub word_candidates: usize,
    /// Rarest n-grams queried.
    pub max_ngrams: usize,
    /// Candidates kept from the n-gram query.
    pub ngram_candidates: usize,
    /// Skip the n-gram query when the word query already found a claim in
    /// the `match` band: the n-grams are there for what words miss.
    pub ngrams_only_when_unsure: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_terms: 32,
            word_candidates: 30,
            max_ngrams: 48,
            ngram_candidates: 40,
            ngrams_only_when_unsure: true,
        }
    }
}

impl Params {
    /// No bounds worth the name: every term, many candidates (for agreement checks).
    pub fn exhaustive() -> Params {
        Params {
            max_terms: usize::MAX,
            word_candidates: 200,
            max_ngrams: usize::MAX,
            ngram_candidates: 200,
            ngrams_only_when_unsure: false,
        }
    }
}

/// The post after analysis, shared by retrieval and features.
pub struct Post<'a> {
    pub raw: &'a str,
    pub clean: text::CleanPost,
    /// The best guess of its language (or the caller's).
    pub lang: Lang,
    /// Every language whose word field is asked, `lang` first.
    pub langs: Vec<Lang>,
    /// Mostly Arabizi: transliterated whole for the Arabic field.
    pub arabizi: bool,
    /// The text the word analyzers see (Arabizi already in Arabic script).
    pub analyzed_text: String,
    /// Canonical URLs of the post.
    pub urls: Vec<String>,
}

impl<'a> Post<'a> {
    pub fn new(req: &Request<'a>) -> Post<'a> {
        let clean = text::clean_post(req.text);
        let detected = text::detect(&clean.text);
        // A caller's language is a hint; Arabic script is evidence. (Sources
        // tag Arabic posts `en` when the page around them is English.)
        let lang = match req.lang {
            Some(l) if !(detected.lang == Lang::Ar && l != Lang::Ar) => l,
            _ => detected.lang,
        };
        let mut langs = text::plausible_langs(&clean.text);
        langs.retain(|l| *l != lang);
        langs.insert(0, lang);
        // A post that is mostly Arabizi is transliterated whole for the
        // Arabic field (there `corona` is كورونا too); one that only mixes
        // Arabizi words into French is asked in the Arabic field as written,
        // where the analyzer transliterates the words that look Arabizi.
        // Its n-grams and features stay those of its Latin text: tweets
        // with `5G` or `3rd` are not Arabic.
        let arabizi = detected.arabizi && lang == Lang::Ar;
        let analyzed_text = if arabizi {
            text::arabizi_to_arabic_all(&clean.text)
        } else {
            clean.text.clone()
        };
        let mut urls: Vec<String> = clean
            .urls
            .iter()
            .map(String::as_str)
            .chain(req.url)
            .filter_map(text::canonical_url)
            .collect();
        urls.sort();
        urls.dedup();
        Post {
            raw: req.text,
            clean,
            lang,
            langs,
            arabizi,
            analyzed_text,
            urls,
        }
    }
}

impl Post<'_> {
    /// The text a language's analyzer reads: Arabizi in Arabic script for
    /// the Arabic field, the cleaned post for the others.
    pub fn text_for(&self, lang: Lang) -> &str {
        if lang == Lang::Ar {
            &self.analyzed_text
        } else {
            &self.clean.text
        }
    }
}

/// Ranks the claims a post may repeat, best first.
pub fn rank(corpus: &dyn Corpus, req: &Request<'_>, params: &Params) -> Result<Vec<Match>> {
    let post = Post::new(req);
    let mut stats = Stats::new(corpus);
    let mut pool = Pool::default();
    let words = salient_terms(&post, params.max_terms, &mut stats);
    pool.add_query(
        corpus,
        &words,
        params.word_candidates,
        |c, rank, score, rel| {
            c.word_score = score;
            c.word_score_rel = rel;
            c.word_rank = Some(rank);
        },
    )?;
    pool.add_urls(corpus, &post)?;
    let mut scored = score(&post, pool.candidates(), 0, &mut stats);
    // Character n-grams serve Arabic: dialect, spelling variation and Arabizi
    // transliteration. For Latin-script posts they add little (under half a
    // MAP@5 point on the English sets) at most of the retrieval cost; where
    // the words already found the claim with `match` confidence they only add
    // weaker candidates below it, at most of the cost again.
    let sure = |scored: &[Scored]| scored.iter().any(|s| s.0.score >= model::MATCH_AT);
    if post.lang == Lang::Ar && !(params.ngrams_only_when_unsure && sure(&scored)) {
        // The n-grams bring candidates only. Their query's score is no
        // feature: it moves with how many n-grams are asked, and with it a
        // claim's rank would depend on the retrieval bounds (the character
        // n-gram overlap each claim has with the post stands in for it).
        // What the words found is scored already and the n-grams change
        // nothing of it: only the candidates they add are scored now.
        let grams = rare_ngrams(&post, params.max_ngrams, &mut stats);
        let scored_before = pool.candidates().len();
        pool.add_query(corpus, &grams, params.ngram_candidates, |_, _, _, _| {})?;
        scored.extend(score(&post, pool.candidates(), scored_before, &mut stats));
    }
    // Claims stated in the same words (copies of one fact-check, perhaps with
    // other quotes or punctuation) rank and score as their best copy,
    // whatever retrieval happened to see of each; the copy known first
    // ranks first.
    let mut best: HashMap<u64, (f32, f32)> = HashMap::new();
    for (m, _, _) in &scored {
        let e = best.entry(m.same_words).or_insert((m.rank_score, m.score));
        *e = (e.0.max(m.rank_score), e.1.max(m.score));
    }
    for (m, _, _) in &mut scored {
        (m.rank_score, m.score) = best[&m.same_words];
    }
    scored.sort_by(|(a, a_claim, _), (b, b_claim, _)| {
        b.rank_score
            .total_cmp(&a.rank_score)
            .then_with(|| a_claim.row.cmp(&b_claim.row))
            .then_with(|| a.claim_id.cmp(&b.claim_id))
    });
    scored.truncate(req.top.max(1));
    // Order comes from the ranking, confidence from the calibrated model;
    // a match never shows more confidence than the one ranked above it.
    let mut ceiling = 1.0f32;
    let mut spans = HashMap::new();
    let scored = scored
        .into_iter()
        .map(|(mut m, claim, terms)| {
            m.score = m.score.min(ceiling);
            ceiling = m.score;
            m.band = model::band(m.score);
            m.claim = Arc::unwrap_or_clone(claim);
            m.features.shared_terms = features::shared_terms(&post, &terms, &mut stats);
            explain(&post, &mut m, &mut spans);
            m
        })
        .collect();
    Ok(scored)
}

/// A candidate with what retrieval knew about it.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub claim: Arc<IndexedClaim>,
    /// The claim's analysis: as stored, or computed when it was not.
    pub terms: Arc<features::ClaimTerms>,
    /// BM25 of the word query (0 when only another route found it).
    pub word_score: f32,
    /// `word_score` over the best word score of this post.
    pub word_score_rel: f32,
    /// 0-based rank in the word query, if it came from there.
    pub word_rank: Option<usize>,
    /// The canonical URL shared with the post.
    pub url: Option<String>,
}

/// The candidates of one post, each once, in the order retrieval found them.
#[derive(Default)]
struct Pool {
    candidates: Vec<Candidate>,
    /// Position in `candidates` by claim id.
    at: HashMap<String, usize>,
}

impl Pool {
    fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The candidate for this hit, added if new.
    fn upsert(&mut self, hit: Retrieved) -> &mut Candidate {
        let next = self.candidates.len();
        let i = *self.at.entry(hit.claim.id.clone()).or_insert(next);
        if i == next {
            let terms = hit
                .terms
                .unwrap_or_else(|| Arc::new(features::ClaimTerms::analyze(&hit.claim)));
            self.candidates.push(Candidate {
                claim: hit.claim,
                terms,
                word_score: 0.0,
                word_score_rel: 0.0,
                word_rank: None,
                url: None,
            });
        }
        &mut self.candidates[i]
    }

    /// Runs one query and notes on each hit's candidate its rank, score and
    /// score over the best.
    fn add_query(
        &mut self,
        corpus: &dyn Corpus,
        terms: &[WeightedTerm],
        limit: usize,
        note: impl Fn(&mut Candidate, usize, f32, f32),
    ) -> Result<()> {
        if terms.is_empty() {
            return Ok(());
        }
        let hits = corpus.retrieve(terms, limit)?;
        let best = hits.first().map_or(1.0, |h| h.score.max(f32::EPSILON));
        for (rank, hit) in hits.into_iter().enumerate() {
            let score = hit.score;
            note(self.upsert(hit), rank, score, score / best);
        }
        Ok(())
    }

    /// Claims that list one of the post's canonical URLs.
    fn add_urls(&mut self, corpus: &dyn Corpus, post: &Post<'_>) -> Result<()> {
        for url in &post.urls {
            for hit in corpus.by_url(url)? {
                self.upsert(hit).url = Some(url.clone());
            }
        }
        Ok(())
    }
}

/// A scored candidate: the match so far, its claim and its analysis.
type Scored = (Match, Arc<IndexedClaim>, Arc<features::ClaimTerms>);

/// Features, ranking score and probability of the candidates from `from`
/// on, in pool order (feedback compares them with the pool's best word
/// candidates).
fn score(
    post: &Post<'_>,
    candidates: &[Candidate],
    from: usize,
    stats: &mut Stats<'_>,
) -> Vec<Scored> {
    let all_terms: Vec<Arc<features::ClaimTerms>> =
        candidates.iter().map(|c| Arc::clone(&c.terms)).collect();
    let ranks: Vec<Option<usize>> = candidates.iter().map(|c| c.word_rank).collect();
    let feedback = features::feedback_similarity(&all_terms, &ranks, from, stats);
    // The claim record is copied into a `Match` only for the matches returned.
    candidates[from..]
        .iter()
        .zip(feedback)
        .map(|(c, feedback)| {
            let f = features::compute(post, c, feedback, stats);
            let (score, rank_score) = through_appearances(post, c, feedback, stats)
                .into_iter()
                .fold((model::probability(&f), model::rank_score(&f)), |a, b| {
                    (a.0.max(b.0), a.1.max(b.1))
                });
            let m = Match {
                same_words: c.terms.same_words,
                rank_score,
                claim_id: c.claim.id.clone(),
                score,
                band: model::band(score),
                explanation: Explanation {
                    url: c.url.clone(),
                    ..Explanation::default()
                },
                claim: IndexedClaim::default(),
                features: f,
                fusion: None,
            };
            (m, Arc::clone(&c.claim), Arc::clone(&c.terms))
        })
        .collect()
}

/// Appearances read as restatements of their claim, most recent first.
/// Bounded: each is analyzed per post, and a viral claim may have
/// thousands of confirmed posts, the latest of which say it as it now goes.
const APPEARANCES_SCORED: usize = 16;

/// The probability and ranking score of the post against each of the
/// claim's appearances, read as if it were the claim's own text. A post
/// that a moderator confirmed repeats the claim, so a later post that
/// repeats that post (in its dialect, its spelling) repeats the claim too,
/// whatever words it shares with the fact-check's wording; the fitted
/// model judges the pair as it would judge a claim stated so.
fn through_appearances(
    post: &Post<'_>,
    c: &Candidate,
    feedback: f32,
    stats: &mut Stats<'_>,
) -> Vec<(f32, f32)> {
    c.claim
        .appearance_texts
        .iter()
        .rev()
        .take(APPEARANCES_SCORED)
        .map(|text| {
            let restated = IndexedClaim {
                id: c.claim.id.clone(),
                text: text.clone(),
                lang: Some(text::detect(text).lang.code().to_string()),
                ..IndexedClaim::default()
            };
            let as_claim = Candidate {
                terms: Arc::new(features::ClaimTerms::analyze(&restated)),
                claim: Arc::new(restated),
                url: None,
                ..c.clone()
            };
            let f = features::compute(post, &as_claim, feedback, stats);
            (model::probability(&f), model::rank_score(&f))
        })
        .collect()
}

/// The post's `max` most salient word terms over the word fields of every
/// language it may be in: tf (dampened) × idf, known to the corpus. A term
/// spelled the same in several fields (a cognate stem such as `vaccin`) is
/// as rare as it is across them, so that a language with few claims does
/// not make a common word look rare; its boost carries that idf into BM25.
fn salient_terms(post: &Post<'_>, max: usize, stats: &mut Stats<'_>) -> Vec<WeightedTerm> {
    let mut across: HashMap<String, u64> = HashMap::new();
    let mut found: Vec<(Lang, String, f32, u64)> = Vec::new();
    for &lang in &post.langs {
        // The views are the features' too.
        let view = stats.view(post, lang);
        for (term, f, df) in view.term_counts().filter(|&(_, _, df)| df > 0) {
            *across.entry(term.to_string()).or_default() += df;
            found.push((lang, term.to_string(), f, df));
        }
    }
    let mut weighted: Vec<(f32, WeightedTerm)> = found
        .into_iter()
        .map(|(lang, term, f, df)| {
            let idf = stats.idf_of_df(df);
            let shared = stats.idf_of_df(across[&term]);
            let boost = if shared == idf { 1.0 } else { shared / idf };
            let weighted = WeightedTerm {
                field: TermField::Words(lang),
                term,
                boost,
            };
            (f.sqrt() * shared, weighted)
        })
        .collect();
    weighted.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.term.cmp(&b.1.term))
            .then_with(|| lang_rank(a.1.field).cmp(&lang_rank(b.1.field)))
    });
    weighted.truncate(max);
    weighted.into_iter().map(|(_, t)| t).collect()
}

fn lang_rank(field: TermField) -> usize {
    match field {
        TermField::Words(lang) => Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0),
        TermField::Ngram => Lang::ALL.len(),
    }
}

/// The post's `max` rarest n-grams known to the corpus.
fn rare_ngrams(post: &Post<'_>, max: usize, stats: &mut Stats<'_>) -> Vec<WeightedTerm> {
    let grams = stats.distinct_ngrams(post);
    let mut with_df: Vec<(u64, String)> = grams
        .into_iter()
        .filter_map(|g| {
            let df = stats.df(TermField::Ngram, &g);
            (df > 0).then_some((df, g))
        })
        .collect();
    with_df.sort_unstable();
    with_df.truncate(max);
    with_df
        .into_iter()
        .map(|(_, term)| WeightedTerm {
            field: TermField::Ngram,
            term,
            boost: 1.0,
        })
        .collect()
}

/// Term statistics with a per-post cache.
pub struct Stats<'c> {
    corpus: &'c dyn Corpus,
    n: f32,
    cache: rustc_hash::FxHashMap<TermField, rustc_hash::FxHashMap<String, u64>>,
    post: features::PostCache,
}

impl<'c> Stats<'c> {
    fn new(corpus: &'c dyn Corpus) -> Stats<'c> {
        Stats {
            corpus,
            n: corpus.num_docs().max(1) as f32,
            cache: Default::default(),
            post: features::PostCache::default(),
        }
    }

    pub fn df(&mut self, field: TermField, term: &str) -> u64 {
        let cache = self.cache.entry(field).or_default();
        if let Some(&df) = cache.get(term) {
            return df;
        }
        let df = self.corpus.doc_freq(field, term);
        cache.insert(term.to_string(), df);
        df
    }

    /// The corpus snapshot these statistics describe.
    pub fn generation(&self) -> u64 {
        self.corpus.generation()
    }

    /// BM25's idf, floored at a small positive weight.
    pub fn idf_of_df(&self, df: u64) -> f32 {
        let df = df as f32;
        (1.0 + (self.n - df + 0.5) / (df + 0.5)).ln().max(0.01)
    }

    /// The idf of a claim's term: straight from the corpus, whose cache
    /// spans posts (a claim's terms are mostly new to the post at hand, so
    /// the per-post cache would only add a copy of each).
    pub fn claim_idf(&self, field: TermField, term: &str) -> f32 {
        self.idf_of_df(self.corpus.doc_freq(field, term))
    }
}

/// Fills a ranked match's explanation: its most distinctive shared terms
/// and where they sit in the post (the post's terms and spans per language
/// in `spans`, analyzed once for all the matches explained).
fn explain(
    post: &Post<'_>,
    m: &mut Match,
    spans: &mut HashMap<Lang, Vec<(String, std::ops::Range<usize>)>>,
) {
    let shared = &mut m.features.shared_terms;
    shared.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // Stop words are never evidence, whichever field a claim sits in.
    shared.retain(|(t, _)| !text::is_stop_word(t));
    let set: HashSet<&str> = shared.iter().map(|(t, _)| t.as_str()).collect();
    let mut found = Vec::new();
    if !set.is_empty() {
        let lang = Lang::from_code(m.claim.lang.as_deref().unwrap_or(""));
        let post_spans = spans.entry(lang).or_insert_with(|| {
            if lang == Lang::Ar && post.arabizi {
                text::analyze_arabizi_spans(post.raw)
            } else {
                text::analyze_spans(lang, post.raw)
            }
        });
        for (term, span) in post_spans.iter() {
            if set.contains(term.as_str()) {
                found.push([span.start, span.end]);
            }
        }
        found.sort_unstable();
        found.dedup();
    }
    m.explanation.char_spans = found
        .iter()
        .map(|&[from, to]| [char_offset(post.raw, from), char_offset(post.raw, to)])
        .collect();
    m.explanation.terms = shared.iter().take(12).map(|(t, _)| t.clone()).collect();
    m.explanation.spans = found;
}

/// The character offset of a byte offset in `text`.
fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |head| head.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_day_is_the_callers_or_else_its_signatures() {
        let day = |y, m, d| time::Date::from_calendar_date(y, m, d).ok();
        let text = "Oreo is moving to Mexico — Jason (@jdi) September 23, 2015";
        let req = |posted_at| Request {
            text,
            posted_at,
            top: 5,
            ..Request::default()
        };
        assert_eq!(req(None).day(), day(2015, time::Month::September, 23));
        assert_eq!(
            req(Some("2015-10-01T08:00:00Z")).day(),
            day(2015, time::Month::October, 1)
        );
        // A day the caller gave but that can't be read is no day at all,
        // not the signature's.
        assert_eq!(req(Some("yesterday")).day(), None);
    }
}
