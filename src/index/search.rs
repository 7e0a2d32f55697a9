//! Searching the index: the query a journalist types (words, pasted text,
//! links) with its filters, facets, highlights and cursor pages.

use super::schema::{day_start, id_hash};
use super::*;

/// A search: free text plus filters. Any string is a valid `q`.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub lang: Option<String>,
    pub verdict: Option<Verdict>,
    pub publisher: Option<String>,
    /// Only the claims of this narrative (its id).
    pub narrative: Option<String>,
    /// First review day, inclusive; claims without a review date are left
    /// out when either bound is given.
    pub from: Option<time::Date>,
    /// Last review day, inclusive.
    pub to: Option<time::Date>,
    pub sort: SearchSort,
    pub limit: usize,
    /// Hits to skip (the CLI's paging; the API pages with `cursor`).
    pub offset: usize,
    /// A previous page's `next_cursor`: this page starts right after it.
    pub cursor: Option<String>,
    /// Count `lang`, `verdict` and `publisher` values over every match.
    pub facets: bool,
    /// Mark the query's words in each hit's text and title.
    pub highlight: bool,
}

/// The order of hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SearchSort {
    /// Best score first.
    #[default]
    Relevance,
    /// Newest review first; claims without a review date last.
    Date,
}

impl SearchSort {
    pub fn from_name(name: &str) -> Option<SearchSort> {
        match name {
            "relevance" => Some(SearchSort::Relevance),
            "date" => Some(SearchSort::Date),
            _ => None,
        }
    }
}

impl SearchQuery {
    /// A fingerprint of what the hits are and how they are ordered (not
    /// which page), so that a cursor is only taken by the search that gave it.
    fn fingerprint(&self) -> u64 {
        let parts = [
            self.q.as_str(),
            self.lang.as_deref().unwrap_or("\u{0}"),
            self.verdict.map_or("\u{0}", Verdict::as_str),
            self.publisher.as_deref().unwrap_or("\u{0}"),
            self.narrative.as_deref().unwrap_or("\u{0}"),
            &self.from.map_or("-".into(), |d| d.to_string()),
            &self.to.map_or("-".into(), |d| d.to_string()),
            match self.sort {
                SearchSort::Relevance => "relevance",
                SearchSort::Date => "date",
            },
        ];
        id_hash(&parts.join("\u{1}"))
    }
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub claim: IndexedClaim,
    pub score: f32,
    /// With `SearchQuery::highlight`.
    pub highlights: Option<Highlights>,
}

/// A hit's text and title as HTML with the query's words in `<mark>`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Highlights {
    /// Escaped, whole when nothing is marked, else cut around the first mark
    /// when long.
    pub text: String,
    /// Only when something in the title is marked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// One facet value and how many matching claims have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Most values listed per facet.
pub const FACET_VALUES: usize = 20;

/// Counts over every claim matching the query and filters, most frequent
/// value first (then by value), at most `FACET_VALUES` each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Facets {
    pub lang: Vec<FacetCount>,
    pub verdict: Vec<FacetCount>,
    pub publisher: Vec<FacetCount>,
}

/// What a search hit shows: the claim's public fields and the score.
impl Serialize for Hit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            id: &'a str,
            text: &'a str,
            title: &'a Option<String>,
            subtitle: &'a Option<String>,
            lang: &'a Option<String>,
            verdict: &'a Option<Verdict>,
            verdict_text: &'a Option<String>,
            url: &'a Option<String>,
            publisher: &'a Option<String>,
            review_date: &'a Option<String>,
            score: f32,
            #[serde(skip_serializing_if = "Option::is_none")]
            highlights: &'a Option<Highlights>,
        }
        let c = &self.claim;
        View {
            id: &c.id,
            text: &c.text,
            title: &c.title,
            subtitle: &c.subtitle,
            lang: &c.lang,
            verdict: &c.verdict,
            verdict_text: &c.verdict_text,
            url: &c.url,
            publisher: &c.publisher,
            review_date: &c.review_date,
            score: self.score,
            highlights: &self.highlights,
        }
        .serialize(s)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SearchPage {
    /// Every claim matching the query and filters, on every page.
    pub total: u64,
    pub hits: Vec<Hit>,
    /// With `SearchQuery::facets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// Where the next page starts; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Claims in other languages that say what the query says (semantic
    /// matching; filled by the knowledge base, first pages only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_languages: Vec<Hit>,
}

/// A hit's highlights for the query terms of its language.
pub(super) fn highlights(
    claim: &IndexedClaim,
    lang: Lang,
    terms: &std::collections::HashSet<String>,
) -> Highlights {
    let text_spans = highlight::spans(&claim.text, lang, terms);
    Highlights {
        text: highlight::mark(&claim.text, &text_spans, highlight::WINDOW_CHARS),
        title: claim.title.as_deref().and_then(|title| {
            let spans = highlight::spans(title, lang, terms);
            (!spans.is_empty()).then(|| highlight::mark(title, &spans, highlight::WINDOW_CHARS))
        }),
    }
}

/// Facet counts in the order shown: most frequent first, then by value.
pub(super) fn facets(counts: Vec<HashMap<String, u64>>) -> Facets {
    let mut lists = counts.into_iter().map(|by_value| {
        let mut list: Vec<FacetCount> = by_value
            .into_iter()
            .map(|(value, count)| FacetCount { value, count })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        list.truncate(FACET_VALUES);
        list
    });
    let mut next = || lists.next().unwrap_or_default();
    Facets {
        lang: next(),
        verdict: next(),
        publisher: next(),
    }
}

/// One word of a search query: its terms in every field it can be in.
pub(super) struct QueryWord {
    pub(super) terms: Vec<Term>,
    /// An Arabizi word's n-grams in Arabic script.
    pub(super) grams: Vec<Term>,
    /// A stop word of some language (left out when the query has others).
    pub(super) stop: bool,
}

/// How many of a query's words a claim must have: all of one or two, all
/// but one of three or four, about 70% up to eight; past that the query is
/// pasted text, an OR of its words whose scores rank the claims.
pub(super) fn required_words(words: usize) -> usize {
    match words {
        0..=2 => words,
        3..=4 => words - 1,
        5..=8 => (words * 7).div_ceil(10),
        _ => 1,
    }
}

/// BM25 statistics of a search: word fields' lengths over their own
/// documents, word terms' frequencies by query word (see `word_freqs`).
pub(super) struct SearchStatistics<'a> {
    pub(super) index: &'a ClaimIndex,
    pub(super) searcher: &'a Searcher,
    pub(super) word_freqs: HashMap<Term, u64>,
}

impl tantivy::query::Bm25StatisticsProvider for SearchStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.index.field_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match self.word_freqs.get(term) {
            Some(&df) => Ok(df),
            None => self.searcher.doc_freq(term),
        }
    }
}

impl ClaimIndex {
    /// Runs a search: the words of `q` against every language's fields
    /// (Arabizi also as Arabic) and its links against the claims' review and
    /// appearance URLs, filters as required clauses that add nothing to the
    /// score. One pass over the matches counts them and their facets and
    /// keeps the best hits after the cursor.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let query_words = self.query_words(&query.q);
        let words: Box<dyn Query> = match (self.word_query(&query_words), self.url_query(&query.q))
        {
            (Some(words), Some(urls)) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, words),
                (Occur::Should, urls),
            ])),
            (Some(q), None) | (None, Some(q)) => q,
            (None, None) if query.q.trim().is_empty() => Box::new(AllQuery),
            // Words that analyze to nothing (only stop words or punctuation)
            // find nothing; a cursor must still be one of ours.
            (None, None) => Box::new(EmptyQuery),
        };
        let scoring = cursor::ScoringTerms::of(words.as_ref());
        let searcher = self.reader.searcher();
        let live = SearchStatistics {
            index: self,
            searcher: &searcher,
            word_freqs: Self::word_freqs(&searcher, &query_words),
        };
        let fingerprint = query.fingerprint();
        let after = query
            .cursor
            .as_deref()
            .map(|c| cursor::Cursor::decode(c, fingerprint, query.sort, &scoring))
            .transpose()?;
        let q = self.filtered(words, query);
        let limit = query.limit.max(1);
        let collector = page::PageCollector {
            sort: query.sort,
            after: after.as_ref().map(|c| c.rank),
            keep: query.offset.saturating_add(limit),
            facets: query.facets,
        };
        // Later relevance pages score with the first page's statistics
        // (see `cursor`).
        let stats = match after.and_then(|c| c.stats) {
            Some(stats) => Some(stats),
            None if query.sort == SearchSort::Relevance => {
                Some(cursor::Stats::gather(&live, &scoring)?)
            }
            None => None,
        };
        let fruit = match &stats {
            Some(stats) => searcher.search_with_statistics_provider(
                &q,
                &collector,
                &stats.provider(&searcher, &scoring),
            )?,
            None => searcher.search_with_statistics_provider(&q, &collector, &live)?,
        };
        let shown: Vec<page::Candidate> = fruit
            .top
            .into_iter()
            .skip(query.offset)
            .take(limit)
            .collect();
        let next_cursor = match shown.last() {
            Some(last) if fruit.remaining > (query.offset + shown.len()) as u64 => Some(
                cursor::Cursor {
                    search: fingerprint,
                    sort: query.sort,
                    rank: last.rank,
                    stats: stats.clone(),
                }
                .encode(),
            ),
            _ => None,
        };
        let mut terms: HashMap<Lang, std::collections::HashSet<String>> = HashMap::new();
        let hits = shown
            .into_iter()
            .map(|c| {
                let claim = self.stored(&searcher, c.addr)?;
                let highlights = query.highlight.then(|| {
                    let lang = Lang::from_code(claim.lang.as_deref().unwrap_or(""));
                    let terms = terms
                        .entry(lang)
                        .or_insert_with(|| highlight::query_terms(&query.q, lang));
                    highlights(&claim, lang, terms)
                });
                Ok(Hit {
                    claim,
                    score: page::relevance(c.score),
                    highlights,
                })
            })
            .collect::<Result<_>>()?;
        Ok(SearchPage {
            total: fruit.total,
            hits,
            facets: query.facets.then(|| facets(fruit.facets)),
            next_cursor,
            other_languages: Vec::new(),
        })
    }

    /// The word query with the search's filters, which only select.
    pub(super) fn filtered(&self, words: Box<dyn Query>, query: &SearchQuery) -> BooleanQuery {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(lang) = &query.lang {
            filters.push(term_query(f.lang, lang));
        }
        if let Some(v) = query.verdict {
            filters.push(term_query(f.verdict, v.as_str()));
        }
        if let Some(p) = &query.publisher {
            // One fact-checker however it is written: Misbar finds مسبار.
            filters.push(term_query(f.publisher_key, &text::publisher::key(p)));
        }
        if let Some(n) = &query.narrative {
            filters.push(term_query(f.narrative, n));
        }
        if query.from.is_some() || query.to.is_some() {
            let bound = |d: Option<time::Date>| match d {
                Some(d) => Bound::Included(Term::from_field_date_for_search(
                    f.review_date,
                    day_start(d),
                )),
                None => Bound::Unbounded,
            };
            filters.push(Box::new(RangeQuery::new(
                bound(query.from),
                bound(query.to),
            )));
        }
        let mut clauses = vec![(Occur::Must, words)];
        for filter in filters {
            let filter: Box<dyn Query> = Box::new(ConstScoreQuery::new(filter, 0.0));
            clauses.push((Occur::Must, filter));
        }
        BooleanQuery::new(clauses)
    }

    /// The query's words: for each whitespace-separated word of `q`, the
    /// terms every language's analyzer makes of it in its own field (and,
    /// for an Arabizi query, the Arabic field's terms of its transliteration),
    /// and whether it is a stop word of some language.
    pub(super) fn query_words(&self, q: &str) -> Vec<QueryWord> {
        let f = &self.fields;
        let arabizi = text::detect(q).arabizi;
        let mut words = Vec::new();
        for word in q.split_whitespace() {
            let mut terms = Vec::new();
            let mut grams = Vec::new();
            for lang in Lang::ALL {
                for term in text::analyze(lang, word) {
                    terms.push(Term::from_field_text(f.words[lang_slot(lang)], &term));
                }
            }
            if arabizi {
                let arabic = text::arabizi_to_arabic_all(word);
                for term in text::analyze(Lang::Ar, &arabic) {
                    terms.push(Term::from_field_text(f.words[lang_slot(Lang::Ar)], &term));
                }
                // Arabizi vowels are guesses: the n-grams of the Arabic
                // spelling catch what whole words miss.
                for gram in text::ngrams(&arabic) {
                    grams.push(Term::from_field_text(f.ngram, &gram));
                }
            }
            terms.sort();
            terms.dedup();
            grams.sort();
            grams.dedup();
            if !terms.is_empty() {
                words.push(QueryWord {
                    stop: text::is_stop_word(word),
                    terms,
                    grams,
                });
            }
        }
        // A stop word of one language is a term in the others' fields; it
        // is no evidence when the query has other words.
        if words.iter().any(|w| !w.stop) {
            words.retain(|w| !w.stop);
        }
        words
    }

    /// The canonical forms of the links in `q` against the claims' URLs (as
    /// `match` looks them up), or `None` without links. A journalist pastes
    /// the link of a post: a claim that lists it outranks word matches.
    pub(super) fn url_query(&self, q: &str) -> Option<Box<dyn Query>> {
        let mut urls: Vec<String> = text::clean_post(q)
            .urls
            .iter()
            .filter_map(|u| text::canonical_url(u))
            .collect();
        urls.sort();
        urls.dedup();
        let clauses: Vec<(Occur, Box<dyn Query>)> = urls
            .iter()
            .map(|u| {
                let boosted: Box<dyn Query> =
                    Box::new(BoostQuery::new(term_query(self.fields.url, u), 10.0));
                (Occur::Should, boosted)
            })
            .collect();
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// The words of `q` against every word field, or `None` when nothing
    /// survives analysis. A short query must have most of its words in a
    /// claim (see `required_words`), a long pasted text is an OR of them.
    pub(super) fn word_query(&self, words: &[QueryWord]) -> Option<Box<dyn Query>> {
        if words.is_empty() {
            return None;
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                let term = |t: &Term, boost: f32| -> (Occur, Box<dyn Query>) {
                    let tq = Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
                    (Occur::Should, Box::new(BoostQuery::new(tq, boost)))
                };
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> =
                    w.terms.iter().map(|t| term(t, 1.0)).collect();
                // An Arabizi word's vowels are guesses: half the n-grams of
                // its Arabic spelling stand for the word.
                if !w.grams.is_empty() {
                    let grams = w.grams.iter().map(|g| term(g, 0.3)).collect();
                    let required = (w.grams.len() / 2).max(1);
                    let grams: Box<dyn Query> =
                        Box::new(BooleanQuery::with_minimum_required_clauses(grams, required));
                    alternatives.push((Occur::Should, grams));
                }
                let word: Box<dyn Query> = Box::new(BooleanQuery::new(alternatives));
                (Occur::Should, word)
            })
            .collect();
        let required = required_words(words.len());
        Some(Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses, required,
        )))
    }

    /// Document frequencies of a search's word terms, by query word: every
    /// term one word of `q` gives in any language's field counts the
    /// documents the word occurs in across languages. A word is as rare as
    /// it is in the whole knowledge base, so the few French claims do not
    /// make `vaccin` look rare beside thousands of English ones, and scoring,
    /// not a guess of the query's language, decides which claims rank first.
    pub(super) fn word_freqs(searcher: &Searcher, words: &[QueryWord]) -> HashMap<Term, u64> {
        let docs = searcher.total_num_docs().unwrap_or(0);
        let mut out: HashMap<Term, u64> = HashMap::new();
        for word in words {
            let df: u64 = word
                .terms
                .iter()
                .map(|t| searcher.doc_freq(t).unwrap_or(0))
                .sum::<u64>()
                .min(docs);
            for term in &word.terms {
                let e = out.entry(term.clone()).or_insert(0);
                *e = (*e).max(df);
            }
        }
        out
    }
}
