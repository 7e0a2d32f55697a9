//! Keyset cursors: where the previous page stopped and, for relevance, the
//! scoring statistics the first page was ranked with.
//!
//! BM25 scores move whenever a claim is written (document counts, term
//! frequencies, average lengths), so a cursor holding only the last score
//! would repeat or skip hits after a write. A relevance cursor therefore
//! carries the statistics of the query's terms, and later pages score with
//! them: an unchanged claim keeps its exact score, and a new one is ranked
//! by the same rule as everything else. Stateless, so any server and any
//! restart can continue a walk.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use tantivy::query::{Bm25StatisticsProvider, Query};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::page::Rank;
use super::SearchSort;
use crate::error::{Error, Result};

const VERSION: &str = "c1";

/// A decoded cursor.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cursor {
    /// The search (query, filters, order) the cursor belongs to.
    pub search: u64,
    pub sort: SearchSort,
    /// The rank of the last hit shown.
    pub rank: Rank,
    /// Relevance only.
    pub stats: Option<Stats>,
}

/// BM25 statistics of a query's scoring terms, in `ScoringTerms` order.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Stats {
    pub docs: u64,
    pub tokens: Vec<u64>,
    pub freqs: Vec<u64>,
}

/// The distinct terms (and their fields) a query scores with, in a fixed order.
pub(super) struct ScoringTerms {
    pub fields: Vec<Field>,
    pub terms: Vec<Term>,
}

impl ScoringTerms {
    pub fn of(query: &dyn Query) -> ScoringTerms {
        let mut fields = Vec::new();
        let mut terms: Vec<Term> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        query.query_terms(&mut |term, _| {
            if seen.insert(term.clone()) {
                if !fields.contains(&term.field()) {
                    fields.push(term.field());
                }
                terms.push(term.clone());
            }
        });
        ScoringTerms { fields, terms }
    }
}

impl Stats {
    /// The statistics a searcher gives these terms.
    pub fn gather(stats: &dyn Bm25StatisticsProvider, scoring: &ScoringTerms) -> Result<Stats> {
        Ok(Stats {
            docs: stats.total_num_docs()?,
            tokens: scoring
                .fields
                .iter()
                .map(|f| stats.total_num_tokens(*f))
                .collect::<tantivy::Result<_>>()?,
            freqs: scoring
                .terms
                .iter()
                .map(|t| stats.doc_freq(t))
                .collect::<tantivy::Result<_>>()?,
        })
    }

    /// These statistics for these terms, the searcher's for anything else.
    pub fn provider<'a>(&self, live: &'a Searcher, scoring: &ScoringTerms) -> Frozen<'a> {
        Frozen {
            live,
            docs: self.docs,
            tokens: scoring
                .fields
                .iter()
                .copied()
                .zip(self.tokens.clone())
                .collect(),
            freqs: scoring
                .terms
                .iter()
                .cloned()
                .zip(self.freqs.clone())
                .collect(),
        }
    }
}

pub(super) struct Frozen<'a> {
    live: &'a Searcher,
    docs: u64,
    tokens: HashMap<Field, u64>,
    freqs: HashMap<Term, u64>,
}

impl Bm25StatisticsProvider for Frozen<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.tokens.get(&field) {
            Some(n) => Ok(*n),
            None => self.live.total_num_tokens(field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match self.freqs.get(term) {
            Some(n) => Ok(*n),
            // tantivy asserts that no term is in more documents than there
            // are (filters are scored too, then the score is dropped).
            None => Ok(self.live.doc_freq(term)?.min(self.docs)),
        }
    }
}

impl Cursor {
    pub fn encode(&self) -> String {
        let sort = match self.sort {
            SearchSort::Relevance => "r",
            SearchSort::Date => "d",
        };
        let mut s = format!(
            "{VERSION}.{sort}.{:x}.{:x}.{:x}",
            self.search, self.rank.0, self.rank.1 .0
        );
        if let Some(stats) = &self.stats {
            let list = |v: &[u64]| {
                v.iter()
                    .map(|n| format!("{n:x}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            s.push_str(&format!(
                ".{:x}.{}.{}",
                stats.docs,
                list(&stats.tokens),
                list(&stats.freqs)
            ));
        }
        URL_SAFE_NO_PAD.encode(s)
    }

    /// Reads a cursor given back by a client for the search `search` (its
    /// fingerprint) in order `sort`, scored with `scoring`; anything else
    /// is invalid input.
    pub fn decode(
        cursor: &str,
        search: u64,
        sort: SearchSort,
        scoring: &ScoringTerms,
    ) -> Result<Cursor> {
        let invalid = || Error::Invalid("cursor is not one this search gave".into());
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.trim())
            .map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let parts: Vec<&str> = text.split('.').collect();
        let hex = |s: &str| u64::from_str_radix(s, 16).map_err(|_| invalid());
        let list = |s: &str| -> Result<Vec<u64>> {
            if s.is_empty() {
                Ok(Vec::new())
            } else {
                s.split(',').map(hex).collect()
            }
        };
        let (head, stats) = match (sort, parts.as_slice()) {
            (SearchSort::Relevance, [v, "r", a, b, c, docs, tokens, freqs]) => {
                let stats = Stats {
                    docs: hex(docs)?,
                    tokens: list(tokens)?,
                    freqs: list(freqs)?,
                };
                let fits = stats.tokens.len() == scoring.fields.len()
                    && stats.freqs.len() == scoring.terms.len()
                    && stats.freqs.iter().all(|f| *f <= stats.docs);
                if !fits {
                    return Err(invalid());
                }
                ([*v, *a, *b, *c], Some(stats))
            }
            (SearchSort::Date, [v, "d", a, b, c]) => ([*v, *a, *b, *c], None),
            _ => return Err(invalid()),
        };
        let [version, fingerprint, value, hash] = head;
        if version != VERSION || hex(fingerprint)? != search {
            return Err(invalid());
        }
        Ok(Cursor {
            search,
            sort,
            rank: (hex(value)?, std::cmp::Reverse(hex(hash)?)),
            stats,
        })
    }
}
