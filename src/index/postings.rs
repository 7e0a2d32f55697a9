//! Matching retrieval over a memory copy of the matching fields' postings.
//!
//! A matching query is an OR of a few dozen terms whose top few dozen
//! documents are wanted. Tantivy answers it with block-max WAND, whose
//! bookkeeping (keeping scorers sorted by document, pivoting, seeking)
//! costs far more than the postings it reads: on this corpus most of the
//! time per post went there. Here each term's postings sit in plain arrays,
//! read once per segment from tantivy's own, and a query adds every posting
//! of every term into a dense accumulator (term at a time), then keeps the
//! best documents. The scores are tantivy's BM25 — same statistics, same
//! `Bm25Weight` — so the result is the one the boolean query gives.
//!
//! Segments never change once written, so a segment's copy is built once
//! and dropped when a merge retires the segment. A field is copied only
//! after it has answered a few dozen queries through tantivy's own engine
//! (same answers, slower per query): a one-off match never pays for copying
//! a large index, a batch or a server pays once. Deletions are read from
//! the searcher's segment reader at query time.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, RwLock};

use rustc_hash::FxHashMap;
use tantivy::index::SegmentId;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Score, Searcher, SegmentReader};

use crate::error::Result;

/// One field of one segment: every term's documents and frequencies.
pub struct FieldPostings {
    /// Where each term's postings start in `docs`, by term ordinal, plus
    /// the end of the last one.
    starts: Vec<u32>,
    docs: Vec<u32>,
    /// Term frequencies, saturated at `u16::MAX`.
    freqs: Vec<u16>,
    /// The field's length code (tantivy's fieldnorm id) of each posting's
    /// document: read in sequence beside the postings, not looked up.
    norms: Vec<u8>,
}

impl FieldPostings {
    fn build(reader: &SegmentReader, field: Field) -> Result<FieldPostings> {
        let inverted = reader.inverted_index(field)?;
        let dict = inverted.terms();
        let num_terms = dict.num_terms();
        let mut starts = Vec::with_capacity(num_terms + 1);
        let mut docs = Vec::new();
        let mut freqs = Vec::new();
        let mut norms = Vec::new();
        let fieldnorms = reader.get_fieldnorms_reader(field)?;
        let mut stream = dict.stream()?;
        while stream.advance() {
            // The stream visits terms in ordinal order, from 0.
            debug_assert_eq!(stream.term_ord() as usize, starts.len());
            starts.push(postings_offset(docs.len())?);
            let mut block = inverted
                .read_block_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
            loop {
                let block_docs = block.docs();
                if block_docs.is_empty() {
                    break;
                }
                docs.extend_from_slice(block_docs);
                freqs.extend(
                    block
                        .freqs()
                        .iter()
                        .map(|&f| f.min(u32::from(u16::MAX)) as u16),
                );
                norms.extend(block_docs.iter().map(|&d| fieldnorms.fieldnorm_id(d)));
                block.advance();
            }
        }
        starts.push(postings_offset(docs.len())?);
        Ok(FieldPostings {
            starts,
            docs,
            freqs,
            norms,
        })
    }

    /// Postings of the term with this ordinal.
    fn term(&self, ord: u64) -> (&[u32], &[u16], &[u8]) {
        let ord = ord as usize;
        let range = self.starts[ord] as usize..self.starts[ord + 1] as usize;
        (
            &self.docs[range.clone()],
            &self.freqs[range.clone()],
            &self.norms[range],
        )
    }

    /// Bytes held.
    fn bytes(&self) -> usize {
        self.starts.len() * 4 + self.docs.len() * 7
    }
}

fn postings_offset(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| {
        crate::error::Error::Invalid("a segment field holds more than 2^32 postings".into())
    })
}

/// Queries a field answers through tantivy's own engine before its
/// postings are copied: a one-off `debunk match` never pays for copying a
/// large index, a batch or a server soon does.
pub(crate) const QUERIES_BEFORE_COPY: u32 = 32;

/// The copies built so far, by segment and field.
pub struct PostingsCache {
    fields: Mutex<FxHashMap<(SegmentId, Field), Arc<FieldPostings>>>,
    /// Ordinals of the terms queried, for the searcher generation named.
    ords: RwLock<TermOrds>,
    /// Queries seen per field, up to `queries_before_copy`.
    queries: Mutex<FxHashMap<Field, u32>>,
    queries_before_copy: u32,
}

impl Default for PostingsCache {
    fn default() -> Self {
        PostingsCache::copying_after(QUERIES_BEFORE_COPY)
    }
}

impl PostingsCache {
    /// A cache that copies a field's postings after `queries` queries.
    pub fn copying_after(queries: u32) -> PostingsCache {
        PostingsCache {
            fields: Mutex::default(),
            ords: RwLock::default(),
            queries: Mutex::default(),
            queries_before_copy: queries,
        }
    }

    /// Whether a query over these fields should run on copies: once every
    /// one of them has seen enough queries. Counts this query.
    pub fn use_copies(&self, fields: impl IntoIterator<Item = Field>) -> bool {
        let mut fields: Vec<Field> = fields.into_iter().collect();
        fields.sort_unstable();
        fields.dedup();
        let mut queries = self.queries.lock().unwrap_or_else(|e| e.into_inner());
        let mut ready = true;
        for field in fields {
            let n = queries.entry(field).or_insert(0);
            if *n < self.queries_before_copy {
                *n += 1;
                ready = false;
            }
        }
        ready
    }

    /// The copy of `field` in this segment, built on first use. Copies of
    /// segments the searcher no longer has are dropped on the way.
    fn get(
        &self,
        searcher: &Searcher,
        reader: &SegmentReader,
        field: Field,
    ) -> Result<Arc<FieldPostings>> {
        let key = (reader.segment_id(), field);
        let mut fields = self.lock();
        if let Some(found) = fields.get(&key) {
            return Ok(Arc::clone(found));
        }
        // Built under the lock: threads that need it would wait for it
        // anyway, and two threads never copy the same postings.
        let started = std::time::Instant::now();
        let built = Arc::new(FieldPostings::build(reader, field)?);
        tracing::debug!(
            segment = %reader.segment_id().short_uuid_string(),
            docs = reader.max_doc(),
            bytes = built.bytes(),
            ms = started.elapsed().as_millis() as u64,
            "matching postings copied"
        );
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        fields.retain(|(segment, _), _| live.contains(segment));
        fields.insert(key, Arc::clone(&built));
        Ok(built)
    }

    /// The term's ordinal in each segment of the searcher (`None` where the
    /// segment lacks it). Posts share most of their terms with earlier
    /// posts: a term's ordinals are looked up in the term dictionaries
    /// once per searcher generation, not once per query.
    fn ords(&self, searcher: &Searcher, field: Field, text: &str) -> Result<SegmentOrds> {
        let generation = searcher.generation().generation_id();
        {
            let ords = self.ords.read().unwrap_or_else(|e| e.into_inner());
            if ords.generation == Some(generation) {
                if let Some(found) = ords.terms.get(&field).and_then(|m| m.get(text)) {
                    return Ok(Arc::clone(found));
                }
            }
        }
        let found: SegmentOrds = searcher
            .segment_readers()
            .iter()
            .map(|reader| -> Result<Option<u64>> {
                Ok(reader
                    .inverted_index(field)?
                    .terms()
                    .term_ord(text.as_bytes())?)
            })
            .collect::<Result<_>>()?;
        let mut ords = self.ords.write().unwrap_or_else(|e| e.into_inner());
        // A searcher older than the cache's (a query that began before a
        // reload) looks up without caching.
        if ords.generation.is_none_or(|g| g < generation) || ords.count >= TERM_ORDS_CACHED {
            *ords = TermOrds {
                generation: Some(generation),
                ..TermOrds::default()
            };
        }
        if ords.generation == Some(generation) {
            ords.count += 1;
            ords.terms
                .entry(field)
                .or_default()
                .insert(text.into(), Arc::clone(&found));
        }
        Ok(found)
    }

    /// Bytes held by all copies.
    pub fn bytes(&self) -> u64 {
        self.lock().values().map(|p| p.bytes() as u64).sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<(SegmentId, Field), Arc<FieldPostings>>> {
        // The map holds immutable copies only: a poisoned lock is still consistent.
        self.fields.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Terms whose ordinals are kept per searcher generation; when full the
/// cache starts over, keeping what is asked now.
const TERM_ORDS_CACHED: usize = 1_000_000;

/// A term's ordinal in each segment of a searcher, by segment order.
type SegmentOrds = Arc<[Option<u64>]>;

/// Term ordinals by field and term, per segment of one searcher generation.
#[derive(Default)]
struct TermOrds {
    generation: Option<u64>,
    terms: FxHashMap<Field, FxHashMap<Box<str>, SegmentOrds>>,
    count: usize,
}

/// A query term: its field and text, and the BM25 weight (idf, boost and
/// average length) the whole searcher gives it.
pub struct ScoredTerm<'a> {
    pub field: Field,
    pub text: &'a str,
    pub boost: Score,
    pub weight: Bm25Weight,
}

/// A scored document; the best compare greatest (higher score, then the
/// earlier address, as tantivy's `TopDocs` orders them).
#[derive(Clone, Copy, PartialEq)]
struct Scored(Score, DocAddress);

impl Eq for Scored {}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Working memory of one thread's queries.
#[derive(Default)]
struct Scratch {
    /// Per-document score sums of the segment being scored, all zero between queries.
    acc: Vec<Score>,
    /// The documents given a score, in the order first scored.
    touched: Touched,
}

/// The best `limit` live documents for the sum of the terms' BM25 scores,
/// best first (ties: the earlier address first).
pub fn top_docs(
    cache: &PostingsCache,
    searcher: &Searcher,
    terms: &[ScoredTerm<'_>],
    limit: usize,
) -> Result<Vec<(Score, DocAddress)>> {
    let limit = limit.max(1);
    let ords = terms
        .iter()
        .map(|t| cache.ords(searcher, t.field, t.text))
        .collect::<Result<Vec<_>>>()?;
    // A min-heap of the best so far.
    let mut best: BinaryHeap<std::cmp::Reverse<Scored>> = BinaryHeap::with_capacity(limit + 1);
    SCRATCH.with(|scratch| -> Result<()> {
        let Scratch { acc, touched } = &mut *scratch.borrow_mut();
        for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
            let max_doc = reader.max_doc() as usize;
            if acc.len() < max_doc {
                acc.resize(max_doc, 0.0);
            }
            touched.reset(max_doc);
            let segment_ords: Vec<Option<u64>> = ords.iter().map(|o| o[segment_ord]).collect();
            let added = add_segment(cache, searcher, reader, terms, &segment_ords, acc, touched);
            let alive = reader.alive_bitset();
            for &doc in touched.as_slice() {
                let score = std::mem::take(&mut acc[doc as usize]);
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let scored = Scored(score, DocAddress::new(segment_ord as u32, doc));
                if best.len() < limit {
                    best.push(std::cmp::Reverse(scored));
                } else if best.peek().is_some_and(|worst| scored > worst.0) {
                    best.pop();
                    best.push(std::cmp::Reverse(scored));
                }
            }
            // The accumulator is clean again whatever happened; now report.
            added?;
        }
        Ok(())
    })?;
    let mut out: Vec<Scored> = best.into_iter().map(|r| r.0).collect();
    out.sort_unstable_by(|a, b| b.cmp(a));
    Ok(out.into_iter().map(|Scored(s, a)| (s, a)).collect())
}

/// Adds the terms' scores for one segment's documents into `acc`, noting
/// in `touched` each document given its first score.
fn add_segment(
    cache: &PostingsCache,
    searcher: &Searcher,
    reader: &SegmentReader,
    terms: &[ScoredTerm<'_>],
    ords: &[Option<u64>],
    acc: &mut [Score],
    touched: &mut Touched,
) -> Result<()> {
    // The copy of each field queried, fetched once (queries span one or two).
    let mut copies: Vec<(Field, Arc<FieldPostings>)> = Vec::with_capacity(2);
    for (term, &ord) in terms.iter().zip(ords) {
        let Some(ord) = ord else {
            continue;
        };
        let postings = match copies.iter().find(|(f, _)| *f == term.field) {
            Some((_, p)) => p,
            None => {
                copies.push((term.field, cache.get(searcher, reader, term.field)?));
                &copies[copies.len() - 1].1
            }
        };
        let (docs, freqs, norms) = postings.term(ord);
        add_all(&term.weight, docs, freqs, norms, acc, touched);
    }
    Ok(())
}

/// Adds every posting's score.
fn add_all(
    weight: &Bm25Weight,
    docs: &[u32],
    freqs: &[u16],
    norms: &[u8],
    acc: &mut [Score],
    touched: &mut Touched,
) {
    // Most postings have a frequency of 1: on a long list their score is
    // worth a table by length.
    if docs.len() >= 256 {
        let once: [Score; 256] = std::array::from_fn(|norm| weight.score(norm as u8, 1));
        add_scored(docs, freqs, norms, acc, touched, |norm, freq| {
            if freq == 1 {
                once[norm as usize]
            } else {
                weight.score(norm, u32::from(freq))
            }
        });
    } else {
        add_scored(docs, freqs, norms, acc, touched, |norm, freq| {
            weight.score(norm, u32::from(freq))
        });
    }
}

#[inline(always)]
fn add_scored(
    docs: &[u32],
    freqs: &[u16],
    norms: &[u8],
    acc: &mut [Score],
    touched: &mut Touched,
    score: impl Fn(u8, u16) -> Score,
) {
    let buf = &mut touched.docs[..];
    let mut n = touched.len;
    for ((&doc, &freq), &norm) in docs.iter().zip(freqs).zip(norms) {
        let slot = &mut acc[doc as usize];
        // Noted without a branch: the slot is written always, kept only
        // when this is the document's first score.
        buf[n] = doc;
        n += usize::from(*slot == 0.0);
        *slot += score(norm, freq);
    }
    touched.len = n;
}

/// Documents given a score in the segment being scored, each once.
#[derive(Default)]
struct Touched {
    /// Room for every document of the segment and one more (see `add_all`).
    docs: Vec<u32>,
    len: usize,
}

impl Touched {
    fn reset(&mut self, max_doc: usize) {
        if self.docs.len() < max_doc + 1 {
            self.docs.resize(max_doc + 1, 0);
        }
        self.len = 0;
    }

    fn as_slice(&self) -> &[u32] {
        &self.docs[..self.len]
    }
}
