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
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur,
    Query, RangeQuery, TermQuery,
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
mod schema;
mod search;
mod snapshot;

pub use search::{
    FacetCount, Facets, Highlights, Hit, SearchPage, SearchQuery, SearchSort, FACET_VALUES,
};
pub use snapshot::{Found, QueryTerm, Snapshot};

use schema::{build_schema, lang_slot, settings, Fields, Payload};

use crate::error::{Error, Result};
use crate::model::{Claim, IndexedClaim};
use crate::text::{self, Lang, TermField};
use crate::verdict::Verdict;

/// Bumped whenever fields or analyzers change: an index of another version is rebuilt.
/// 5: `review_date` holds the calendar date as written, not the UTC instant.
/// 6: French and Spanish words are stemmed before their accents are folded;
///    `word_fields` names the word fields a document has text in;
///    `publisher_key` the fact-checker however its name is written.
/// 7: `narrative` holds the id of the claim's narrative, for filtering.
/// 8: the stored record carries `claim_date`, which the semantic stage weighs.
const SCHEMA_VERSION: u32 = 8;

/// Memory for the writer's in-RAM segments, split across its threads.
const WRITER_HEAP_BYTES: usize = 128 << 20;

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
        if dir.is_some() {
            // A process killed mid-commit leaves files that commit wrote but
            // `meta.json` never named. Replaying the same changes reaches the
            // same opstamps and file names, which tantivy refuses to
            // overwrite: remove them before any write (tantivy registered
            // them as its own before writing them).
            writer.garbage_collect_files().wait()?;
        }
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

    /// A field's token count as BM25 should see it: a word field holds the
    /// documents of one language only, so its average length is over those
    /// documents, not over the whole index (which would make every French
    /// claim beside 10,000 English ones look thousands of times too long).
    /// Scaled so that over the searcher's document count it gives that average.
    pub(super) fn field_tokens(&self, searcher: &Searcher, field: Field) -> tantivy::Result<u64> {
        let tokens = searcher.total_num_tokens(field)?;
        let Some(lang) = Lang::ALL
            .into_iter()
            .find(|l| self.fields.words[lang_slot(*l)] == field)
        else {
            return Ok(tokens);
        };
        let with_field =
            searcher.doc_freq(&Term::from_field_text(self.fields.word_fields, lang.code()))?;
        let docs = searcher.total_num_docs()?;
        if with_field == 0 || with_field >= docs {
            return Ok(tokens);
        }
        Ok((u128::from(tokens) * u128::from(docs) / u128::from(with_field)) as u64)
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

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

impl Drop for ClaimIndex {
    /// Waits for the writer's background merges before the writer lock is
    /// let go: a merge still running after it would publish its segments
    /// over what the next holder of the folder (another process, or this
    /// one reopening it) has written since.
    fn drop(&mut self) {
        let Some(writer) = self.writer.take() else {
            return;
        };
        let writer = writer.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = writer.wait_merging_threads() {
            tracing::warn!(error = %e, "waiting for the index's merges failed");
        }
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

#[cfg(test)]
mod tests;
