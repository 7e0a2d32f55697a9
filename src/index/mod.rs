//! The tantivy index: derived from the store, rebuildable, the only code that
//! calls tantivy. Each commit carries the last change-log sequence it applied
//! in its payload, so on open the knowledge base knows where to catch up from.
//!
//! Word fields exist per language (`text_ar`, `title_fr`, ...): a claim is
//! indexed in the fields of its own language with that language's analyzer,
//! and a query is analyzed once per field, so an Arabic query meets Arabic
//! stemming and a French one French elision. The `ngram` field holds
//! character n-grams of everything, for spelling variation and dialect.

use std::any::Any;
use std::collections::HashMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::{Deserialize, Serialize};
use std::ops::Bound;

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK, META_LOCK};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::{DateTime, DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use tantivy::{Searcher, TantivyDocument};

mod cursor;
pub mod highlight;
mod page;
pub mod postings;
mod snapshot;

pub use snapshot::{Found, QueryTerm, Snapshot};

use crate::error::{Error, Result};
use crate::model::{Claim, IndexedClaim};
use crate::text::{self, Lang, TermField};
use crate::verdict::Verdict;

/// Bumped whenever fields or analyzers change: an index of another version is rebuilt.
/// 5: `review_date` holds the calendar date as written, not the UTC instant.
const SCHEMA_VERSION: u32 = 5;

/// Memory for the writer's in-RAM segments, split across its threads.
const WRITER_HEAP_BYTES: usize = 128 << 20;

/// A search: free text plus filters. Any string is a valid `q`.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: String,
    pub lang: Option<String>,
    pub verdict: Option<Verdict>,
    pub publisher: Option<String>,
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

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    doc: Field,
    /// The claim's analysis for re-ranking (`Analysis::encode`), opaque here.
    terms: Field,
    words: [Field; 5],
    ngram: Field,
    id_hash: Field,
    lang: Field,
    verdict: Field,
    publisher: Field,
    url: Field,
    review_date: Field,
}

fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Ar => 0,
        Lang::Fr => 1,
        Lang::Es => 2,
        Lang::En => 3,
        Lang::Other => 4,
    }
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let word_options = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id = b.add_text_field("id", STRING | STORED);
    let doc = b.add_text_field("doc", STORED);
    let terms = b.add_bytes_field("terms", STORED);
    let id_hash = b.add_u64_field("id_hash", FAST);
    let words = Lang::ALL
        .map(|l| b.add_text_field(&format!("words_{}", l.code()), word_options(l.analyzer())));
    let ngram = b.add_text_field(
        "ngram",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(text::NGRAM_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let lang = b.add_text_field("lang", STRING | FAST);
    let verdict = b.add_text_field("verdict", STRING | FAST);
    let publisher = b.add_text_field("publisher", STRING | FAST);
    let url = b.add_text_field("url", STRING);
    let review_date = b.add_date_field("review_date", INDEXED | FAST);
    let fields = Fields {
        id,
        doc,
        terms,
        words,
        ngram,
        id_hash,
        lang,
        verdict,
        publisher,
        url,
        review_date,
    };
    (b.build(), fields)
}

#[derive(Serialize, Deserialize)]
struct Payload {
    schema: u32,
    seq: i64,
}

/// What the index keeps beside each claim for re-ranking, without knowing
/// what it is: the caller (the knowledge base, for the matcher) says how to
/// make the bytes at index time and how to read them back, and gets the
/// decoded value back with each hit, cached with the claim.
#[derive(Clone, Copy)]
pub struct Analysis {
    pub encode: fn(&IndexedClaim) -> Vec<u8>,
    pub decode: fn(&[u8]) -> Option<Decoded>,
}

/// A decoded per-claim analysis, shared by every hit on the claim.
pub type Decoded = Arc<dyn Any + Send + Sync>;

impl Analysis {
    /// Stores nothing: for uses of the index that never re-rank.
    pub const NONE: Analysis = Analysis {
        encode: |_| Vec::new(),
        decode: |_| None,
    };
}

pub struct ClaimIndex {
    index: Index,
    analysis: Analysis,
    reader: IndexReader,
    // One writer per process (tantivy holds a lock file on it); `None` when
    // another process holds it and this one only reads.
    writer: Option<Mutex<IndexWriter>>,
    fields: Fields,
    /// Document frequencies looked up for the searcher generation named.
    doc_freqs: RwLock<DocFreqCache>,
    /// Stored claims read for matching, for the searcher generation named.
    claims: Mutex<ClaimCache>,
    /// Matching fields' postings in memory, by segment.
    postings: postings::PostingsCache,
}

/// A stored claim and its analysis, as matching reads them.
type StoredClaim = (Arc<IndexedClaim>, Option<Decoded>);

/// Claims read from the doc store by (segment, document), for one searcher
/// generation (`None` before the first). A post's candidates are mostly
/// claims other posts retrieved before: a cached one costs a hash lookup
/// instead of a block decompression, a JSON parse and an analysis decode,
/// and keeps the analysis decoded for it.
#[derive(Default)]
struct ClaimCache {
    generation: Option<u64>,
    docs: FxHashMap<(u32, u32), StoredClaim>,
}

/// Claims cached per searcher generation: some 1–2 KB each, so at most a
/// few hundred MB; when full the cache starts over, keeping what is hot now.
const CLAIM_CACHE_DOCS: usize = 100_000;

/// Document frequencies by field and term, and the searcher generation they belong to.
type DocFreqCache = (u64, HashMap<TermField, FxHashMap<String, u64>>);

/// Distinct (field, term) frequencies cached per searcher generation.
const DOC_FREQ_CACHE_TERMS: usize = 2_000_000;

impl ClaimIndex {
    /// Opens the index in `dir` with its writer, creating it, or recreating
    /// it empty when it is damaged or of another schema version (it is
    /// derived: the caller then rebuilds it from the store; the log says
    /// why). `None` keeps it in memory. When another process holds the
    /// writer, fails with [`Error::IndexBusy`] and touches nothing.
    pub fn open(dir: Option<&Path>, analysis: Analysis) -> Result<ClaimIndex> {
        let (schema, fields) = build_schema();
        let index = match dir {
            None => Index::builder()
                .schema(schema)
                .settings(settings())
                .create_in_ram()?,
            Some(dir) => open_or_repair(dir, schema)?,
        };
        text::register_analyzers(index.tokenizers());
        // In memory (evaluation, tests) one indexing thread lays documents
        // out in import order on every machine, so ties between equally
        // scored claims fall the same way from run to run.
        let writer = match dir {
            Some(_) => index.writer(WRITER_HEAP_BYTES),
            None => index.writer_with_num_threads(1, WRITER_HEAP_BYTES),
        }
        .map_err(busy_or)?;
        let index = ClaimIndex::assemble(index, analysis, Some(writer), fields, dir.is_none())?;
        if index.index.load_metas()?.payload.is_none() {
            // Stamp a new index so that reopening it is recognised as ours.
            index.commit(0)?;
        }
        Ok(index)
    }

    /// Opens the index in `dir` to read only, beside the process that holds
    /// its writer (a running server): no writer, no repair, nothing written.
    pub fn open_reader(dir: &Path, analysis: Analysis) -> Result<ClaimIndex> {
        let (schema, fields) = build_schema();
        // No checksums here: the writer's process may be merging segments
        // and removing old files under us; it is the one that repairs.
        let index = inspect(dir, &schema, false).map_err(|why| {
            Error::Invalid(format!(
                "the index in {} can't be read ({why}); the process that holds it repairs it",
                dir.display()
            ))
        })?;
        text::register_analyzers(index.tokenizers());
        ClaimIndex::assemble(index, analysis, None, fields, false)
    }

    fn assemble(
        index: Index,
        analysis: Analysis,
        writer: Option<IndexWriter>,
        fields: Fields,
        in_memory: bool,
    ) -> Result<ClaimIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ClaimIndex {
            index,
            analysis,
            reader,
            writer: writer.map(Mutex::new),
            fields,
            doc_freqs: RwLock::new((u64::MAX, HashMap::new())),
            claims: Mutex::new(ClaimCache::default()),
            // In memory every query runs on the copies from the first: which
            // queries came before a switch would depend on how threads ran,
            // and the two engines add a document's term scores in different
            // orders (same scores but for the last bit).
            postings: if in_memory {
                postings::PostingsCache::copying_after(0)
            } else {
                postings::PostingsCache::default()
            },
        })
    }

    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>> {
        let writer = self.writer.as_ref().ok_or(Error::IndexBusy)?;
        // Uncommitted tantivy work is simply redone from the change log, so a
        // lock poisoned by a panic is safe to reuse.
        Ok(writer.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Whether this index was opened with its writer.
    pub fn writable(&self) -> bool {
        self.writer.is_some()
    }

    /// The last change sequence this index committed (0 for a new index).
    pub fn applied_seq(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .map_or(0, |p| p.seq))
    }

    /// Replaces the documents of these claims: `(id, None)` removes one.
    /// Nothing is visible before `commit`.
    pub fn apply(&self, changes: &[(String, Option<Claim>)]) -> Result<()> {
        let writer = self.writer()?;
        for (id, claim) in changes {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
            if let Some(claim) = claim {
                writer.add_document(self.document(claim)?)?;
            }
        }
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    /// Drops every change applied since the last commit, so that none of
    /// them (a rebuild's delete-all, say) lands with a later commit.
    pub fn rollback(&self) -> Result<()> {
        self.writer()?.rollback()?;
        Ok(())
    }

    /// Makes applied changes durable and visible, recording `seq` as applied.
    pub fn commit(&self, seq: i64) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            seq,
        })?;
        let mut writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes of postings copied into memory for matching.
    pub fn matching_memory_bytes(&self) -> u64 {
        self.postings.bytes()
    }

    /// Bytes the index occupies on disk (0 in memory).
    pub fn size_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.space_usage().map(|u| u.total().get_bytes()).unwrap_or(0))
            .sum()
    }

    fn document(&self, c: &Claim) -> Result<TantivyDocument> {
        let f = &self.fields;
        let lang = text::Lang::from_code(c.lang.as_deref().unwrap_or(""));
        let slot = lang_slot(lang);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &c.id);
        let indexed = IndexedClaim::from_claim(c);
        doc.add_text(f.doc, serde_json::to_string(&indexed)?);
        doc.add_bytes(f.terms, &(self.analysis.encode)(&indexed));
        doc.add_u64(f.id_hash, id_hash(&c.id));
        let texts = [Some(&c.text), c.title.as_ref(), c.subtitle.as_ref()]
            .into_iter()
            .flatten()
            .chain(c.appearances.iter().filter_map(|a| a.text.as_ref()));
        for part in texts {
            doc.add_text(f.words[slot], part);
        }
        for part in [Some(&c.text), c.title.as_ref(), c.subtitle.as_ref()]
            .into_iter()
            .flatten()
        {
            doc.add_text(f.ngram, part);
        }
        doc.add_text(f.lang, c.lang.as_deref().unwrap_or("unknown"));
        if let Some(v) = c.verdict {
            doc.add_text(f.verdict, v.as_str());
        }
        if let Some(p) = &c.publisher {
            doc.add_text(f.publisher, p);
        }
        for url in c
            .url
            .iter()
            .chain(c.appearances.iter().filter_map(|a| a.url.as_ref()))
        {
            if let Some(canonical) = text::canonical_url(url) {
                doc.add_text(f.url, canonical);
            }
        }
        if let Some(date) = c.review_date.as_deref().and_then(parse_date) {
            doc.add_date(f.review_date, date);
        }
        Ok(doc)
    }

    /// Runs a search: the words of `q` against every language's fields
    /// (Arabizi also as Arabic), filters as required clauses that add
    /// nothing to the score. One pass over the matches counts them and their
    /// facets and keeps the best hits after the cursor.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let words: Box<dyn Query> = match self.word_query(&query.q) {
            Some(q) => q,
            None if query.q.trim().is_empty() => Box::new(AllQuery),
            // Words that analyze to nothing (only stop words or punctuation)
            // find nothing; a cursor must still be one of ours.
            None => Box::new(EmptyQuery),
        };
        let scoring = cursor::ScoringTerms::of(words.as_ref());
        let fingerprint = query.fingerprint();
        let after = query
            .cursor
            .as_deref()
            .map(|c| cursor::Cursor::decode(c, fingerprint, query.sort, &scoring))
            .transpose()?;
        let q = self.filtered(words, query);
        let searcher = self.reader.searcher();
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
                Some(cursor::Stats::gather(&searcher, &scoring)?)
            }
            None => None,
        };
        let fruit = match &stats {
            Some(stats) => searcher.search_with_statistics_provider(
                &q,
                &collector,
                &stats.provider(&searcher, &scoring),
            )?,
            None => searcher.search(&q, &collector)?,
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
    fn filtered(&self, words: Box<dyn Query>, query: &SearchQuery) -> BooleanQuery {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(lang) = &query.lang {
            filters.push(term_query(f.lang, lang));
        }
        if let Some(v) = query.verdict {
            filters.push(term_query(f.verdict, v.as_str()));
        }
        if let Some(p) = &query.publisher {
            filters.push(term_query(f.publisher, p));
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

    /// An OR of the query's analyzed terms over every word field, or `None`
    /// when nothing survives analysis.
    fn word_query(&self, q: &str) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field: Field, lang: Lang, text: &str, boost: f32| {
            let mut seen = std::collections::HashSet::new();
            for term in text::analyze(lang, text) {
                if seen.insert(term.clone()) {
                    let tq = TermQuery::new(
                        Term::from_field_text(field, &term),
                        IndexRecordOption::WithFreqs,
                    );
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(tq), boost)),
                    ));
                }
            }
        };
        for lang in Lang::ALL {
            add(f.words[lang_slot(lang)], lang, q, 1.0);
        }
        if text::detect(q).arabizi {
            let arabic = text::arabizi_to_arabic_all(q);
            add(f.words[lang_slot(Lang::Ar)], Lang::Ar, &arabic, 1.0);
            // Arabizi vowels are guesses: the n-grams of the Arabic spelling
            // catch what whole words miss.
            for gram in text::ngrams(&arabic) {
                let tq = TermQuery::new(
                    Term::from_field_text(f.ngram, &gram),
                    IndexRecordOption::WithFreqs,
                );
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), 0.3))));
            }
        }
        if should.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(should)))
        }
    }

    /// A read snapshot for matching.
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            index: self,
            searcher: self.reader.searcher(),
            failure: Mutex::new(None),
        }
    }

    fn field_of(&self, field: TermField) -> Field {
        match field {
            TermField::Words(lang) => self.fields.words[lang_slot(lang)],
            TermField::Ngram => self.fields.ngram,
        }
    }

    /// `stored_with_terms` through the claim cache.
    fn stored_cached(&self, searcher: &Searcher, addr: DocAddress) -> Result<StoredClaim> {
        let generation = searcher.generation().generation_id();
        let key = (addr.segment_ord, addr.doc_id);
        let lock = || self.claims.lock().unwrap_or_else(|e| e.into_inner());
        {
            let cache = lock();
            if cache.generation == Some(generation) {
                if let Some((claim, terms)) = cache.docs.get(&key) {
                    return Ok((Arc::clone(claim), terms.clone()));
                }
            }
        }
        let (claim, terms) = self.stored_with_terms(searcher, addr)?;
        let stored = (Arc::new(claim), terms);
        let mut cache = lock();
        // A searcher older than the cache's (a request that began before a
        // reload) reads without caching.
        if cache.generation.is_none_or(|g| g < generation) {
            *cache = ClaimCache {
                generation: Some(generation),
                docs: FxHashMap::default(),
            };
        }
        if cache.generation == Some(generation) {
            if cache.docs.len() >= CLAIM_CACHE_DOCS {
                cache.docs.clear();
            }
            cache
                .docs
                .insert(key, (Arc::clone(&stored.0), stored.1.clone()));
        }
        Ok(stored)
    }

    fn stored(&self, searcher: &Searcher, addr: DocAddress) -> Result<IndexedClaim> {
        Ok(self.stored_with_terms(searcher, addr)?.0)
    }

    /// The stored record and the analysis stored beside it.
    fn stored_with_terms(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<(IndexedClaim, Option<Decoded>)> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.doc)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Invalid("index document without its stored record".into()))?;
        let terms = doc
            .get_first(self.fields.terms)
            .and_then(|v| v.as_bytes())
            .and_then(self.analysis.decode);
        Ok((serde_json::from_str(json)?, terms))
    }
}

/// A stable 64-bit hash of a claim id (FNV-1a), for deterministic tie-breaks.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Matching reads a few dozen random documents per post: small doc-store
/// blocks keep each read from decompressing 16 KB for one claim.
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: 2048,
        ..tantivy::IndexSettings::default()
    }
}

/// Opens the index in `dir`, rebuilding it empty when it is missing,
/// damaged or of another schema. Holds tantivy's writer lock meanwhile, so
/// an index another process is using is never judged, let alone deleted.
fn open_or_repair(dir: &Path, schema: Schema) -> Result<Index> {
    std::fs::create_dir_all(dir)?;
    let lock = MmapDirectory::open(dir)
        .map_err(|e| Error::Io(std::io::Error::other(e)))?
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            LockError::LockBusy => Error::IndexBusy,
            LockError::IoError(e) => Error::Io(std::io::Error::new(e.kind(), e.to_string())),
        })?;
    let index = match inspect(dir, &schema, true) {
        Ok(index) => index,
        Err(why) => {
            if dir.join("meta.json").exists() {
                tracing::warn!(dir = %dir.display(), reason = %why, "index unusable; rebuilding it from the store");
            }
            clear_dir(dir)?;
            Index::builder()
                .schema(schema)
                .settings(settings())
                .create_in_dir(dir)?
        }
    };
    // The writer takes the lock itself (a second lock, even in this process, is busy).
    drop(lock);
    Ok(index)
}

/// The index in `dir` if it is ours, else why not. With `verify`, every
/// file of every live segment is checked against the checksum in its
/// footer and each segment opened, so damage shows here rather than in a
/// search.
fn inspect(dir: &Path, schema: &Schema, verify: bool) -> std::result::Result<Index, String> {
    if !dir.join("meta.json").exists() {
        return Err("no index yet".into());
    }
    let index = Index::open_in_dir(dir).map_err(|e| format!("it does not open: {e}"))?;
    let metas = index
        .load_metas()
        .map_err(|e| format!("its metadata does not load: {e}"))?;
    let version = metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<Payload>(p).ok())
        .map(|p| p.schema);
    if index.schema() != *schema || version != Some(SCHEMA_VERSION) {
        return Err(format!(
            "schema version {version:?}, this debunk writes {SCHEMA_VERSION}"
        ));
    }
    if !verify {
        return Ok(index);
    }
    let damaged = index
        .validate_checksum()
        .map_err(|e| format!("a segment file can't be read: {e}"))?;
    if !damaged.is_empty() {
        let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        names.sort();
        return Err(format!("damaged segment files: {}", names.join(", ")));
    }
    for segment in index
        .searchable_segments()
        .map_err(|e| format!("its segments can't be listed: {e}"))?
    {
        tantivy::SegmentReader::open(&segment).map_err(|e| {
            format!(
                "segment {} does not open: {e}",
                segment.id().short_uuid_string()
            )
        })?;
    }
    Ok(index)
}

/// Removes everything in the index folder but tantivy's lock files, which
/// the caller may be holding.
fn clear_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == INDEX_WRITER_LOCK.filepath.as_os_str() || name == META_LOCK.filepath.as_os_str()
        {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A tantivy error in our terms: the writer lock held elsewhere is `IndexBusy`.
fn busy_or(e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexBusy,
        other => Error::Index(other),
    }
}

/// The calendar day of `YYYY-MM-DD` or an RFC 3339 timestamp, as the
/// fact-checker wrote it (a review late on the 3rd in New York was
/// published on the 3rd, though it was the 4th in UTC).
fn parse_date(s: &str) -> Option<DateTime> {
    let d = time::Date::parse(
        s.get(..10)?,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(day_start(d))
}

/// Midnight UTC of a day: how review dates are indexed.
fn day_start(d: time::Date) -> DateTime {
    DateTime::from_timestamp_secs(d.midnight().assume_utc().unix_timestamp())
}

/// A hit's highlights for the query terms of its language.
fn highlights(
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
fn facets(counts: Vec<HashMap<String, u64>>) -> Facets {
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

#[cfg(test)]
mod tests;
