//! One searcher's view of the index for matching: term statistics, BM25
//! retrieval (over the postings copies once they pay) and URL lookup. The
//! knowledge base adapts it to the matcher's `Corpus`; nothing here knows
//! the matcher.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::TopDocs;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Score, Searcher, Term};

use super::{lang_slot, postings, term_query, ClaimIndex, Decoded, DOC_FREQ_CACHE_TERMS};
use crate::error::Result;
use crate::model::IndexedClaim;
use crate::text::{Lang, TermField};

/// One searcher's view of the index.
pub struct Snapshot<'a> {
    pub(super) index: &'a ClaimIndex,
    pub(super) searcher: Searcher,
    /// The first index read that failed where `Corpus` has no way to say so
    /// (`doc_freq`); `check` turns it into the match's error.
    pub(super) failure: Mutex<Option<tantivy::TantivyError>>,
}

/// A term to look for, with its query weight.
#[derive(Clone, Copy, Debug)]
pub struct QueryTerm<'t> {
    pub field: TermField,
    pub term: &'t str,
    pub boost: f32,
}

/// A claim a query returned, with its engine score (BM25).
#[derive(Clone)]
pub struct Found {
    /// Shared: the same record goes to every query that finds it.
    pub claim: Arc<IndexedClaim>,
    /// The claim's analysis as stored at index time, decoded.
    pub analysis: Option<Decoded>,
    pub score: f32,
}

impl Snapshot<'_> {
    /// Fails with the first index error met while matching on this snapshot:
    /// a damaged index gives an error, never a wrong (empty) answer.
    pub fn check(&self) -> Result<()> {
        match self
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// The stored claims (through the claim cache) of scored documents.
    fn hits(&self, top: Vec<(Score, DocAddress)>) -> Result<Vec<Found>> {
        top.into_iter()
            .map(|(score, addr)| {
                let (claim, analysis) = self.index.stored_cached(&self.searcher, addr)?;
                Ok(Found {
                    claim,
                    analysis,
                    score,
                })
            })
            .collect()
    }

    /// `postings::top_docs` by tantivy's own boolean query (block-max WAND).
    fn tantivy_top_docs(
        &self,
        terms: &[postings::ScoredTerm<'_>],
        limit: usize,
    ) -> Result<Vec<(Score, DocAddress)>> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let query: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(t.field, t.text),
                    IndexRecordOption::WithFreqs,
                ));
                // A boost wrapper only when needed: plain term clauses keep
                // block-max WAND available.
                let query = if t.boost == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, t.boost))
                };
                (Occur::Should, query)
            })
            .collect();
        let query = BooleanQuery::new(clauses);
        Ok(self.searcher.search_with_statistics_provider(
            &query,
            &TopDocs::with_limit(limit),
            &CachedStatistics(self),
        )?)
    }

    /// Documents in the snapshot.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Names the snapshot: term statistics are the same for equal generations.
    pub fn generation(&self) -> u64 {
        self.searcher.generation().generation_id()
    }

    /// Documents containing `term` in `field` (cached per generation).
    pub fn doc_freq(&self, field: TermField, term: &str) -> u64 {
        let generation = self.searcher.generation().generation_id();
        {
            let cache = self
                .index
                .doc_freqs
                .read()
                .unwrap_or_else(|e| e.into_inner());
            if cache.0 == generation {
                if let Some(&df) = cache.1.get(&field).and_then(|m| m.get(term)) {
                    return df;
                }
            }
        }
        let df = match self
            .searcher
            .doc_freq(&Term::from_field_text(self.index.field_of(field), term))
        {
            Ok(df) => df,
            Err(e) => {
                // Only a damaged term dictionary fails here. The match fails
                // with it (see `check`) rather than answering as if the term
                // were unknown.
                self.failure
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
                return 0;
            }
        };
        let mut cache = self
            .index
            .doc_freqs
            .write()
            .unwrap_or_else(|e| e.into_inner());
        let cached: usize = cache.1.values().map(|m| m.len()).sum();
        if cache.0 != generation || cached >= DOC_FREQ_CACHE_TERMS {
            *cache = (generation, HashMap::new());
        }
        cache
            .1
            .entry(field)
            .or_default()
            .insert(term.to_string(), df);
        df
    }

    /// The best `limit` claims for an OR of the terms (BM25, boosts applied).
    pub fn retrieve(&self, terms: &[QueryTerm<'_>], limit: usize) -> Result<Vec<Found>> {
        // The weights tantivy's boolean query of these terms would use. A
        // term without a positive boost adds nothing and is left out.
        let num_docs = self.searcher.total_num_docs()?;
        let mut avg_len: HashMap<Field, Score> = HashMap::new();
        let mut scored = Vec::with_capacity(terms.len());
        for t in terms.iter().filter(|t| t.boost > 0.0) {
            let field = self.index.field_of(t.field);
            let avg = match avg_len.get(&field) {
                Some(&avg) => avg,
                None => {
                    let tokens = self.index.field_tokens(&self.searcher, field)?;
                    let avg = tokens as Score / num_docs.max(1) as Score;
                    avg_len.insert(field, avg);
                    avg
                }
            };
            let df = self.doc_freq(t.field, t.term);
            scored.push(postings::ScoredTerm {
                field,
                text: t.term,
                boost: t.boost,
                weight: Bm25Weight::for_one_term_without_explain(df, num_docs, avg)
                    .boost_by(t.boost),
            });
        }
        let limit = limit.max(1);
        let copies = &self.index.postings;
        let top = if copies.use_copies(scored.iter().map(|t| t.field)) {
            postings::top_docs(copies, &self.searcher, &scored, limit)?
        } else {
            self.tantivy_top_docs(&scored, limit)?
        };
        self.hits(top)
    }

    /// Claims that list this canonical URL (an appearance or the review itself).
    pub fn by_url(&self, canonical: &str) -> Result<Vec<Found>> {
        let query = term_query(self.index.fields.url, canonical);
        self.hits(self.searcher.search(&query, &TopDocs::with_limit(50))?)
    }
}

/// BM25 statistics for matching queries: document frequencies of word and
/// n-gram terms from the snapshot's cache (the matcher has just looked them
/// up to choose the terms), the rest from the searcher; word fields'
/// lengths over their own documents (`ClaimIndex::field_tokens`). A query
/// skips one term dictionary walk per term.
struct CachedStatistics<'s, 'a>(&'s Snapshot<'a>);

impl tantivy::query::Bm25StatisticsProvider for CachedStatistics<'_, '_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.0.index.field_tokens(&self.0.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.0.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let fields = &self.0.index.fields;
        let field = term.field();
        let known = if field == fields.ngram {
            Some(TermField::Ngram)
        } else {
            Lang::ALL
                .into_iter()
                .find(|l| fields.words[lang_slot(*l)] == field)
                .map(TermField::Words)
        };
        match (known, term.value().as_str()) {
            (Some(known), Some(text)) => Ok(self.0.doc_freq(known, text)),
            _ => self.0.searcher.doc_freq(term),
        }
    }
}
