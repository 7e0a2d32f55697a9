//! `KnowledgeBase`: the facade every surface (CLI, API, web) calls. It owns
//! the store and the index and keeps the index following the store's change
//! log, so a crash between the two never loses a committed write.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::formats::{self, ExportFormat, Format, RecordError, Writer};
use crate::index::{self, ClaimIndex, Found, QueryTerm, SearchPage, SearchQuery, Snapshot};
use crate::matcher;
use crate::matcher::features::ClaimTerms;
use crate::model::{Appearance, Claim, IndexedClaim};
use crate::store::{Store, StoreStats, Upsert};
use crate::text::{self, Lang, TermField};

mod moderation;
pub use moderation::{
    LinkBrief, NarrativeInput, NarrativeView, PostImport, PostOutcome, Settings, AUTO_ACTOR,
};

/// The seed fact-checks loaded into a new data folder by `serve`.
const SEED_JSONL: &str = include_str!("../seed-data/claims.jsonl");

/// Records per store transaction during imports.
pub const DEFAULT_BATCH: usize = 1000;

/// Change rows read per step when the index catches up.
const SYNC_STEP: usize = 2000;

/// Import batches between index commits: the index can always catch up from
/// the change log, so committing it less often only trades restart work for speed.
const BATCHES_PER_INDEX_COMMIT: usize = 20;

/// Errors listed one by one in an import report; the rest are only counted.
const MAX_REPORTED_ERRORS: usize = 1000;

/// The SQLite file of a data folder.
pub fn store_path(dir: &Path) -> PathBuf {
    dir.join("debunk.sqlite")
}

#[derive(Clone)]
pub struct KnowledgeBase {
    inner: Arc<Inner>,
    /// Whom this handle's claim writes are audited as (see `acting_as`).
    actor: Option<Arc<str>>,
}

struct Inner {
    store: Store,
    index: ClaimIndex,
    /// How far the index writer has applied the change log; held while applying.
    sync: Mutex<SyncState>,
    dir: Option<PathBuf>,
    /// Semantic matching: set once an embedder is attached.
    semantic: std::sync::OnceLock<Arc<crate::embed::ClaimVectors>>,
}

#[derive(Debug)]
struct SyncState {
    applied: i64,
    committed: i64,
}

/// How to run an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub format: Format,
    /// Reject the whole input, writing nothing, at the first bad record.
    pub strict: bool,
    pub batch_size: usize,
    /// Named in error messages (`-` for standard input).
    pub source: PathBuf,
    /// Records read at most (good and bad); the rest of the input is not
    /// read and the report says it was cut short.
    pub max_records: Option<u64>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: Format::Auto,
            strict: false,
            batch_size: DEFAULT_BATCH,
            source: PathBuf::from("-"),
            max_records: None,
        }
    }
}

/// One bad record of an import.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// New claims.
    pub imported: u64,
    /// Claims that already existed (by id); rewritten only where they differ.
    pub updated: u64,
    /// Bad records skipped.
    pub skipped: u64,
    /// The first bad records, with line and reason.
    pub errors: Vec<ImportError>,
    /// The input held more records than allowed; the rest was not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// Progress events of an import, for a progress bar or a log.
#[derive(Clone, Copy, Debug)]
pub enum ImportProgress {
    /// A batch is durable in the store: the first `records` good records of the input.
    Committed { records: u64 },
}

#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub store: StoreStats,
    pub index_docs: u64,
    pub index_seq: i64,
    pub index_bytes: u64,
    /// Claims with a vector for semantic matching (absent: lexical only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_with_vectors: Option<u64>,
}

impl KnowledgeBase {
    /// Opens the data folder (creating it), brings the index up to date with the store.
    pub fn open(dir: &Path) -> Result<KnowledgeBase> {
        std::fs::create_dir_all(dir)?;
        let store = Store::open(&store_path(dir))?;
        let index = ClaimIndex::open(Some(&dir.join("index")), MATCHER_ANALYSIS)?;
        KnowledgeBase::assemble(store, index, Some(dir.to_path_buf()))
    }

    /// Opens the data folder for reading, beside a process (a running server)
    /// that may hold the index's writer: then the index is read as that
    /// process last committed it, and every write fails with
    /// [`Error::IndexBusy`] before touching anything. Otherwise the same as `open`.
    pub fn open_read_only(dir: &Path) -> Result<KnowledgeBase> {
        match KnowledgeBase::open(dir) {
            Err(Error::IndexBusy) => {}
            other => return other,
        }
        let store = Store::open(&store_path(dir))?;
        let index = ClaimIndex::open_reader(&dir.join("index"), MATCHER_ANALYSIS)?;
        KnowledgeBase::new(store, index, Some(dir.to_path_buf()))
    }

    /// Whether this process may write (no other process holds the index).
    pub fn writable(&self) -> bool {
        self.inner.index.writable()
    }

    /// A knowledge base in memory, for tests and evaluation runs.
    pub fn open_in_memory() -> Result<KnowledgeBase> {
        KnowledgeBase::assemble(
            Store::open_in_memory()?,
            ClaimIndex::open(None, MATCHER_ANALYSIS)?,
            None,
        )
    }

    /// The knowledge base over these halves, the index where it stands.
    fn new(store: Store, index: ClaimIndex, dir: Option<PathBuf>) -> Result<KnowledgeBase> {
        let seq = index.applied_seq()?;
        Ok(KnowledgeBase {
            actor: None,
            inner: Arc::new(Inner {
                store,
                index,
                sync: Mutex::new(SyncState {
                    applied: seq,
                    committed: seq,
                }),
                dir,
                semantic: std::sync::OnceLock::new(),
            }),
        })
    }

    /// `new`, then the index brought up to date with the store.
    fn assemble(store: Store, index: ClaimIndex, dir: Option<PathBuf>) -> Result<KnowledgeBase> {
        let kb = KnowledgeBase::new(store, index, dir)?;
        let seq = kb.lock_sync().applied;
        let last = kb.inner.store.last_seq()?;
        if seq > last || (seq == 0 && last > 0) {
            // A new (or foreign) index: a rebuild from the claims beats
            // replaying every change ever made.
            kb.reindex()?;
        } else {
            kb.sync_index(true)?;
            // The index is derived: if it disagrees with the store on how
            // many claims there are (a write cut short by a full disk, say),
            // rebuild it rather than serve a claim that is not stored.
            let (indexed, stored) = (kb.inner.index.num_docs(), kb.inner.store.count_claims()?);
            if indexed != stored {
                tracing::warn!(
                    indexed,
                    stored,
                    "the index disagrees with the store; rebuilding it"
                );
                kb.reindex()?;
            }
        }
        Ok(kb)
    }

    pub fn data_dir(&self) -> Option<&Path> {
        self.inner.dir.as_deref()
    }

    /// Loads the embedded seed fact-checks if the knowledge base has never held
    /// anything. Returns how many were loaded.
    pub fn seed_if_new(&self) -> Result<u64> {
        if self.inner.store.last_seq()? > 0 {
            return Ok(0);
        }
        let options = ImportOptions {
            strict: true,
            source: PathBuf::from("seed-data/claims.jsonl"),
            format: Format::Jsonl,
            ..ImportOptions::default()
        };
        let report = self.import(SEED_JSONL.as_bytes(), &options, |_| {})?;
        Ok(report.imported)
    }

    /// Imports claims from `input`. Good records are committed in batches (one
    /// store transaction each, reported through `progress`); bad ones are
    /// skipped and reported, or with `strict` the first one aborts the import
    /// with nothing written.
    pub fn import(
        &self,
        input: impl BufRead,
        options: &ImportOptions,
        mut progress: impl FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        self.check_writable()?;
        let mut report = ImportReport::default();
        let batch_size = if options.strict {
            usize::MAX
        } else {
            options.batch_size.max(1)
        };
        let mut batch: Vec<Claim> = Vec::new();
        let mut batches = 0usize;
        let mut index_ok = true;
        let mut flush = |batch: &mut Vec<Claim>, report: &mut ImportReport| -> Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let outcomes = self.inner.store.write(|w| {
                batch
                    .iter()
                    .map(|c| w.upsert_claim(c))
                    .collect::<Result<Vec<_>>>()
            })?;
            for o in outcomes {
                match o {
                    Upsert::Inserted => report.imported += 1,
                    Upsert::Updated | Upsert::Unchanged => report.updated += 1,
                }
            }
            batch.clear();
            batches += 1;
            // A committed batch stands even if the index can't take it (see
            // `catch_up_after_write`); after one failure the rest of the
            // import leaves the index to catch up later.
            if index_ok {
                index_ok =
                    self.catch_up_after_write(batches.is_multiple_of(BATCHES_PER_INDEX_COMMIT));
            }
            progress(ImportProgress::Committed {
                records: report.imported + report.updated,
            });
            Ok(())
        };
        let mut seen = 0u64;
        let read = formats::read(input, options.format, |record| {
            seen += 1;
            if options.max_records.is_some_and(|cap| seen > cap) {
                report.truncated = true;
                // Stops the reader; told apart from a real failure below.
                return Err(Error::Invalid("record cap reached".into()));
            }
            match record {
                Ok(claim) => {
                    batch.push(prepare(claim));
                    if batch.len() >= batch_size {
                        flush(&mut batch, &mut report)?;
                    }
                }
                Err(RecordError { line, reason }) => {
                    if options.strict {
                        return Err(Error::BadRecord {
                            file: options.source.clone(),
                            line,
                            reason,
                        });
                    }
                    report.skipped += 1;
                    if report.errors.len() < MAX_REPORTED_ERRORS {
                        report.errors.push(ImportError { line, reason });
                    }
                }
            }
            Ok(())
        });
        match read {
            Err(_) if report.truncated => {}
            other => other?,
        }
        flush(&mut batch, &mut report)?;
        self.catch_up_after_write(true);
        Ok(report)
    }

    /// Writes every claim to `out`; returns how many.
    pub fn export(&self, out: impl Write, format: ExportFormat) -> Result<u64> {
        let mut writer = Writer::new(out, format)?;
        let mut n = 0;
        self.for_each_claim(|claim| {
            n += 1;
            writer.write(&claim)
        })?;
        writer.finish()?;
        Ok(n)
    }

    /// Calls `f` on every stored claim in id order, one in memory at a time.
    pub fn for_each_claim(&self, f: impl FnMut(Claim) -> Result<()>) -> Result<()> {
        self.inner.store.for_each_claim(f)
    }

    pub fn search(&self, query: &SearchQuery) -> Result<SearchPage> {
        let mut page = self.inner.index.search(query)?;
        if query.cursor.is_none() && query.offset == 0 && !query.q.trim().is_empty() {
            page.other_languages = self.search_other_languages(query, &page)?;
        }
        Ok(page)
    }

    /// The claims a post may repeat, best first, scored, banded and explained.
    pub fn match_post(&self, req: &matcher::Request<'_>) -> Result<Vec<matcher::Match>> {
        self.match_with(req, &matcher::Params::default())
    }

    /// `match_post` with explicit retrieval bounds (evaluation, benchmarks).
    pub fn match_with(
        &self,
        req: &matcher::Request<'_>,
        params: &matcher::Params,
    ) -> Result<Vec<matcher::Match>> {
        let corpus = MatchCorpus(self.inner.index.snapshot());
        let Some(semantic) = self.semantic() else {
            return rank_checked(&corpus, req, params);
        };
        // A post its words decide costs what it costs without semantic
        // matching; any other asks the words again for the wider pool the
        // fusion re-ranks, a small cost beside its embedding.
        let lexical = rank_checked(&corpus, req, params)?;
        if matcher::semantic::decided(&lexical) {
            return Ok(lexical);
        }
        let lexical = rank_checked(&corpus, &wide_pool(req), params)?;
        let post = semantic.embed_posts(&[req.text])?.remove(0);
        self.fuse(semantic, &post, req, lexical)
    }

    /// The lexical stage's answer alone: what `match_post` gives with
    /// semantic matching off, whether or not it is on (benchmarks set the
    /// two side by side).
    pub fn match_by_words(&self, req: &matcher::Request<'_>) -> Result<Vec<matcher::Match>> {
        let corpus = MatchCorpus(self.inner.index.snapshot());
        rank_checked(&corpus, req, &matcher::Params::default())
    }

    /// `match_post` among the claims of one narrative only: a moderator
    /// asking whether a post carries a story they follow. The best claims
    /// overall are ranked first, so a narrative's claim that ranks below
    /// `NARROWED_POOL` others is not a match of the post anyway.
    pub fn match_in_narrative(
        &self,
        req: &matcher::Request<'_>,
        narrative: &str,
    ) -> Result<Vec<matcher::Match>> {
        const NARROWED_POOL: usize = 100;
        self.inner
            .store
            .get_narrative(narrative)?
            .ok_or_else(|| Error::NotFound(format!("narrative {narrative}")))?;
        let wide = matcher::Request {
            top: req.top.max(NARROWED_POOL),
            ..req.clone()
        };
        let mut matches = self.match_post(&wide)?;
        matches.retain(|m| m.claim.narrative.as_deref() == Some(narrative));
        matches.truncate(req.top.max(1));
        Ok(matches)
    }

    /// `match_post` for many posts at once: the posts the lexical stage
    /// leaves undecided are embedded together, which costs the engine less
    /// per post than one call each (see `bench embed`).
    pub fn match_posts(&self, reqs: &[matcher::Request<'_>]) -> Vec<Result<Vec<matcher::Match>>> {
        let Some(semantic) = self.semantic() else {
            return reqs.iter().map(|r| self.match_post(r)).collect();
        };
        let params = matcher::Params::default();
        let corpus = MatchCorpus(self.inner.index.snapshot());
        let mut out: Vec<Result<Vec<matcher::Match>>> = reqs
            .iter()
            .map(|req| rank_checked(&corpus, req, &params))
            .collect();
        let open: Vec<usize> = (0..reqs.len())
            .filter(|&i| matches!(&out[i], Ok(m) if !matcher::semantic::decided(m)))
            .collect();
        for &i in &open {
            out[i] = rank_checked(&corpus, &wide_pool(&reqs[i]), &params);
        }
        let texts: Vec<&str> = open.iter().map(|&i| reqs[i].text).collect();
        match semantic.embed_posts(&texts) {
            Ok(vectors) => {
                for (&i, post) in open.iter().zip(&vectors) {
                    if let Ok(lexical) = std::mem::replace(&mut out[i], Ok(Vec::new())) {
                        out[i] = self.fuse(semantic, post, &reqs[i], lexical);
                    }
                }
            }
            Err(e) => {
                let reason = e.to_string();
                for &i in &open {
                    out[i] = Err(Error::Io(std::io::Error::other(reason.clone())));
                }
            }
        }
        for (m, req) in out.iter_mut().zip(reqs) {
            if let Ok(m) = m {
                m.truncate(req.top.max(1));
            }
        }
        out
    }

    /// The semantic stage of `match_with` for an embedded post.
    fn fuse(
        &self,
        semantic: &crate::embed::ClaimVectors,
        post: &[f32],
        req: &matcher::Request<'_>,
        lexical: Vec<matcher::Match>,
    ) -> Result<Vec<matcher::Match>> {
        let known: std::collections::HashSet<&str> =
            lexical.iter().map(|m| m.claim_id.as_str()).collect();
        let hits = semantic.search(post, matcher::semantic::NEIGHBOURS, |id| {
            !known.contains(id)
        });
        let mut claims = self.claims_of(&hits)?;
        let neighbours = hits
            .iter()
            .filter_map(|h| {
                let c = claims.remove(&h.claim_id)?;
                Some(matcher::semantic::Neighbour {
                    claim: Arc::new(IndexedClaim::from_claim(&c)),
                    similarity: h.score,
                })
            })
            .collect();
        Ok(matcher::semantic::fuse(
            matcher::Post::new(req).lang,
            req.day(),
            lexical,
            |id| semantic.similarity(post, id),
            neighbours,
            req.top,
        ))
    }

    /// Stores a new claim; an existing id is a conflict. Returns it as stored.
    /// Like every write here, it is searchable and matchable on return
    /// (unless the index fails to take it: see `catch_up_after_write`).
    pub fn create_claim(&self, claim: Claim) -> Result<Claim> {
        let claim = prepare(fresh(cleaned(claim)?));
        self.write_claim(&claim.id.clone(), |w| {
            if w.claim(&claim.id)?.is_some() {
                return Err(Error::Conflict(format!("claim {} exists", claim.id)));
            }
            w.upsert_claim(&claim)?;
            Ok(true)
        })
        .map(|(c, _)| c)
    }

    /// Replaces the claim with this id (creating it if there is none, unless
    /// `if_match` names a version). With `if_match`, the stored claim's
    /// entity tag must be that one. Returns the claim and whether it is new.
    pub fn replace_claim(
        &self,
        id: &str,
        claim: Claim,
        if_match: Option<&str>,
    ) -> Result<(Claim, bool)> {
        if claim.id != id {
            return Err(Error::Invalid(format!(
                "the body's id {:?} is not the path's {id:?}",
                claim.id
            )));
        }
        let claim = prepare(fresh(cleaned(claim)?));
        self.write_claim(id, |w| {
            let old = w.claim(id)?;
            check_tag(id, old.as_ref(), if_match)?;
            w.upsert_claim(&claim)?;
            Ok(old.is_none())
        })
    }

    /// Applies a JSON merge patch (RFC 7396) to the stored claim, under the
    /// same `if_match` rule as `replace_claim`. The id can't change.
    pub fn patch_claim(
        &self,
        id: &str,
        patch: &serde_json::Value,
        if_match: Option<&str>,
    ) -> Result<Claim> {
        if !patch.is_object() {
            return Err(Error::Invalid("a merge patch is a JSON object".into()));
        }
        self.write_claim(id, |w| {
            let old = w
                .claim(id)?
                .ok_or_else(|| Error::NotFound(format!("claim {id}")))?;
            check_tag(id, Some(&old), if_match)?;
            let mut doc = serde_json::to_value(fresh(old))?;
            merge_patch(&mut doc, patch);
            let patched: Claim = serde_json::from_value(doc)
                .map_err(|e| Error::Invalid(format!("the patched claim is not valid: {e}")))?;
            let patched = cleaned(patched)?;
            if patched.id != id {
                return Err(Error::Invalid("a patch can't change a claim's id".into()));
            }
            w.upsert_claim(&prepare(patched))?;
            Ok(false)
        })
        .map(|(c, _)| c)
    }

    /// Deletes the claim, under the same `if_match` rule.
    pub fn delete_claim(&self, id: &str, if_match: Option<&str>) -> Result<()> {
        self.check_writable()?;
        self.inner.store.write(|w| {
            let old = w
                .claim(id)?
                .ok_or_else(|| Error::NotFound(format!("claim {id}")))?;
            check_tag(id, Some(&old), if_match)?;
            w.delete_claim(id)?;
            w.audit(
                "claim",
                id,
                "delete",
                self.actor(),
                Some(&old),
                None::<&Claim>,
            )
        })?;
        self.catch_up_after_write(true);
        Ok(())
    }

    /// Adds a place the claim was seen, under the same `if_match` rule.
    pub fn add_appearance(
        &self,
        id: &str,
        appearance: Appearance,
        if_match: Option<&str>,
    ) -> Result<Claim> {
        if appearance.url.is_none() && appearance.text.is_none() {
            return Err(Error::Invalid("an appearance needs a url or a text".into()));
        }
        self.write_claim(id, |w| {
            let mut claim = w
                .claim(id)?
                .ok_or_else(|| Error::NotFound(format!("claim {id}")))?;
            check_tag(id, Some(&claim), if_match)?;
            claim.appearances.push(appearance);
            w.upsert_claim(&prepare(claim))?;
            Ok(false)
        })
        .map(|(c, _)| c)
    }

    /// Runs one claim write in a transaction, brings the index up to date
    /// (committed: visible to search and match on return) and reads the
    /// claim back as stored.
    fn write_claim(
        &self,
        id: &str,
        f: impl FnOnce(&mut crate::store::Writer<'_>) -> Result<bool>,
    ) -> Result<(Claim, bool)> {
        self.check_writable()?;
        let created = self.inner.store.write(|w| {
            let before = w.claim(id)?;
            let created = f(w)?;
            let after = w.claim(id)?;
            if before != after {
                let action = if before.is_none() { "create" } else { "update" };
                w.audit(
                    "claim",
                    id,
                    action,
                    self.actor(),
                    before.as_ref(),
                    after.as_ref(),
                )?;
            }
            Ok(created)
        })?;
        self.catch_up_after_write(true);
        Ok((self.get_claim(id)?, created))
    }

    /// Brings the index up to date after a committed write. The write is
    /// answered as committed even when this fails: it is in the store, the
    /// index catches up from the change log later (the next write, a
    /// readiness probe, a restart), and a client that saw an error would
    /// retry into a conflict. Returns whether the index took it.
    fn catch_up_after_write(&self, commit: bool) -> bool {
        match self.sync_index(commit) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "the index could not take a committed write; it catches up later");
                false
            }
        }
    }

    /// Fails before anything is written when another process holds the index.
    fn check_writable(&self) -> Result<()> {
        if self.inner.index.writable() {
            Ok(())
        } else {
            Err(Error::IndexBusy)
        }
    }

    /// This handle, with its single-claim writes (create, replace, patch,
    /// delete, add an appearance) audited as made by `actor` (a key's name).
    pub fn acting_as(&self, actor: &str) -> KnowledgeBase {
        KnowledgeBase {
            inner: self.inner.clone(),
            actor: Some(Arc::from(actor)),
        }
    }

    /// Whom this handle's writes are audited as: `cli` unless `acting_as` said.
    fn actor(&self) -> &str {
        self.actor.as_deref().unwrap_or("cli")
    }

    /// The key with this id, unless it is unknown or revoked (a signed-in
    /// page checks its key on every request).
    pub fn live_key(&self, id: &str) -> Result<Option<crate::keys::ApiKey>> {
        Ok(self
            .inner
            .store
            .list_keys()?
            .into_iter()
            .find(|k| k.id == id && k.revoked_at.is_none()))
    }

    /// Claims that list this URL as an appearance or as their review, the
    /// URL taken as given and in canonical form.
    pub fn claims_with_url(&self, url: &str) -> Result<Vec<Claim>> {
        let url = url.trim();
        let mut ids = self.inner.store.claims_with_url(url)?;
        if let Some(canonical) = text::canonical_url(url).filter(|c| c != url) {
            ids.extend(self.inner.store.claims_with_url(&canonical)?);
        }
        ids.sort();
        ids.dedup();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.inner.store.get_claims(&refs)
    }

    /// The store, for key management.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Claims in the index's current snapshot.
    pub fn index_docs(&self) -> u64 {
        self.inner.index.num_docs()
    }

    /// Whether the index has applied every committed change. When it is
    /// behind and nobody is applying changes right now, it catches up first
    /// (a write whose index step failed is taken up here).
    pub fn index_caught_up(&self) -> Result<bool> {
        let last = self.inner.store.last_seq()?;
        let sync = match self.inner.sync.try_lock() {
            Ok(mut sync) if sync.committed < last && self.inner.index.writable() => {
                if let Err(e) = self.apply_changes(&mut sync, true) {
                    tracing::warn!(error = %e, "the index could not catch up with the store");
                }
                sync.committed
            }
            Ok(sync) => sync.committed,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner().committed,
            Err(std::sync::TryLockError::WouldBlock) => return Ok(false),
        };
        Ok(sync >= last)
    }

    pub fn get_claim(&self, id: &str) -> Result<Claim> {
        self.inner
            .store
            .get_claim(id)?
            .ok_or_else(|| Error::NotFound(format!("claim {id}")))
    }

    /// Rebuilds the index from the store alone. Returns the number of claims indexed.
    pub fn reindex(&self) -> Result<u64> {
        self.check_writable()?;
        let mut sync = self.lock_sync();
        // Read the sequence first: a write landing during the rebuild is then
        // applied twice at worst, never missed.
        let seq = self.inner.store.last_seq()?;
        let rebuilt = self.rebuild(seq);
        let n = match rebuilt {
            Ok(n) => n,
            Err(e) => {
                // Otherwise the rebuild's delete-all would land with the
                // next commit, and claims vanish from search and match.
                if let Err(undo) = self.inner.index.rollback() {
                    tracing::error!(error = %undo, "rolling back a failed rebuild failed");
                }
                // What the writer held is gone: re-apply from what was committed.
                sync.applied = sync.committed;
                return Err(e);
            }
        };
        *sync = SyncState {
            applied: seq,
            committed: seq,
        };
        drop(sync);
        self.sync_index(true)?;
        Ok(n)
    }

    /// Replaces every document with the stored claims and commits as of `seq`.
    fn rebuild(&self, seq: i64) -> Result<u64> {
        let index = &self.inner.index;
        index.clear()?;
        let mut n = 0u64;
        let mut chunk = Vec::with_capacity(SYNC_STEP);
        self.inner.store.for_each_claim(|claim| {
            n += 1;
            chunk.push((claim.id.clone(), Some(claim)));
            if chunk.len() >= SYNC_STEP {
                index.apply(&chunk)?;
                chunk.clear();
            }
            Ok(())
        })?;
        index.apply(&chunk)?;
        index.commit(seq)?;
        Ok(n)
    }

    pub fn stats(&self) -> Result<Stats> {
        let sync = self.lock_sync();
        Ok(Stats {
            store: self.inner.store.stats()?,
            index_docs: self.inner.index.num_docs(),
            index_seq: sync.committed,
            index_bytes: self.inner.index.size_bytes(),
            claims_with_vectors: self.semantic().map(|s| s.len() as u64),
        })
    }

    /// Memory held by the matcher's copies of index postings (made by the
    /// first matches in this process; 0 before).
    pub fn matching_memory_bytes(&self) -> u64 {
        self.inner.index.matching_memory_bytes()
    }

    fn lock_sync(&self) -> std::sync::MutexGuard<'_, SyncState> {
        // The state only ever moves forward after a successful step, so a
        // poisoned lock still holds a truthful position.
        self.inner.sync.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies committed store changes the index has not seen; with `commit`,
    /// makes them durable and visible to searches.
    fn sync_index(&self, commit: bool) -> Result<()> {
        let mut sync = self.lock_sync();
        self.apply_changes(&mut sync, commit)
    }

    /// `sync_index` under the lock it takes.
    fn apply_changes(&self, sync: &mut SyncState, commit: bool) -> Result<()> {
        let inner = &self.inner;
        loop {
            let changes = inner.store.changes_since(sync.applied, SYNC_STEP)?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                break;
            };
            let mut ids: Vec<&str> = changes.iter().map(|c| c.claim_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut found = inner.store.get_claims(&ids)?.into_iter().peekable();
            let mut apply = Vec::with_capacity(ids.len());
            // `get_claims` keeps the order of `ids` and leaves out deleted ones.
            for id in ids {
                let claim = found.next_if(|c| c.id == id);
                apply.push((id.to_string(), claim));
            }
            inner.index.apply(&apply)?;
            sync.applied = last;
        }
        // A new index is stamped when it is created, so what this process
        // committed is all there is to compare against.
        if commit && sync.committed < sync.applied {
            inner.index.commit(sync.applied)?;
            sync.committed = sync.applied;
        }
        Ok(())
    }
}

/// How the index keeps the matcher's analysis of each claim: the index
/// stores the bytes and caches the decoded value without knowing either.
const MATCHER_ANALYSIS: index::Analysis = index::Analysis {
    encode: encode_analysis,
    decode: decode_analysis,
};

fn encode_analysis(claim: &IndexedClaim) -> Vec<u8> {
    ClaimTerms::analyze(claim).encode()
}

fn decode_analysis(bytes: &[u8]) -> Option<index::Decoded> {
    ClaimTerms::decode(bytes).map(|terms| Arc::new(terms) as index::Decoded)
}

/// The request the semantic stage re-ranks: at least its lexical pool.
fn wide_pool<'a>(req: &matcher::Request<'a>) -> matcher::Request<'a> {
    matcher::Request {
        top: req.top.max(matcher::semantic::LEXICAL_POOL),
        ..req.clone()
    }
}

/// `matcher::rank` on the snapshot, failing with any index error it met on
/// the way: a damaged index gives an error, never a wrong (empty) answer.
fn rank_checked(
    corpus: &MatchCorpus<'_>,
    req: &matcher::Request<'_>,
    params: &matcher::Params,
) -> Result<Vec<matcher::Match>> {
    let matches = matcher::rank(corpus, req, params)?;
    corpus.0.check()?;
    Ok(matches)
}

/// The matcher's view of an index snapshot: the one place the two meet.
struct MatchCorpus<'a>(Snapshot<'a>);

impl matcher::Corpus for MatchCorpus<'_> {
    fn num_docs(&self) -> u64 {
        self.0.num_docs()
    }

    fn generation(&self) -> u64 {
        self.0.generation()
    }

    fn doc_freq(&self, field: TermField, term: &str) -> u64 {
        self.0.doc_freq(field, term)
    }

    fn retrieve(
        &self,
        terms: &[matcher::WeightedTerm],
        limit: usize,
    ) -> Result<Vec<matcher::Retrieved>> {
        let terms: Vec<QueryTerm<'_>> = terms
            .iter()
            .map(|t| QueryTerm {
                field: t.field,
                term: &t.term,
                boost: t.boost,
            })
            .collect();
        Ok(self
            .0
            .retrieve(&terms, limit)?
            .into_iter()
            .map(retrieved)
            .collect())
    }

    fn by_url(&self, canonical: &str) -> Result<Vec<matcher::Retrieved>> {
        Ok(self
            .0
            .by_url(canonical)?
            .into_iter()
            .map(retrieved)
            .collect())
    }
}

fn retrieved(hit: Found) -> matcher::Retrieved {
    matcher::Retrieved {
        claim: hit.claim,
        terms: hit.analysis.and_then(|a| a.downcast::<ClaimTerms>().ok()),
        score: hit.score,
    }
}

/// Semantic matching: claim vectors that follow the change log.
impl KnowledgeBase {
    /// Turns semantic matching on with this embedder, loading the vectors it
    /// stored before; `sync_vectors` or the worker computes the rest. A
    /// second call is ignored.
    pub fn attach_embedder(&self, embedder: Arc<dyn crate::embed::Embedder>) -> Result<()> {
        let vectors = crate::embed::ClaimVectors::open(embedder, &self.inner.store)?;
        let _ = self.inner.semantic.set(Arc::new(vectors));
        Ok(())
    }

    /// The claim vectors, when semantic matching is on.
    pub fn semantic(&self) -> Option<&crate::embed::ClaimVectors> {
        self.inner.semantic.get().map(Arc::as_ref)
    }

    /// Embeds every claim changed since the vectors last caught up;
    /// `progress` hears the vectors written so far. Returns how many.
    pub fn sync_vectors(&self, progress: impl FnMut(u64)) -> Result<u64> {
        match self.semantic() {
            Some(s) => s.catch_up(&self.inner.store, progress),
            None => Ok(0),
        }
    }

    /// Claims in other languages than the query's that its embedding finds
    /// nearest, under the search's filters and not on the page already,
    /// with the semantic stage's probability as their score. No cut-off: a
    /// block of suggestions beside the keyword hits, best first: a
    /// neighbour in another language that shares no word rarely reaches
    /// `possible` on its own.
    fn search_other_languages(
        &self,
        query: &SearchQuery,
        page: &SearchPage,
    ) -> Result<Vec<crate::index::Hit>> {
        const SHOWN: usize = 5;
        let Some(semantic) = self.semantic() else {
            return Ok(Vec::new());
        };
        let lang = text::detect(&query.q).lang;
        let shown: std::collections::HashSet<&str> =
            page.hits.iter().map(|h| h.claim.id.as_str()).collect();
        let v = semantic.embed_posts(&[query.q.as_str()])?.remove(0);
        let near = semantic.search(&v, 50, |id| !shown.contains(id));
        let sims: Vec<f32> = near.iter().map(|h| h.score).collect();
        let level = matcher::semantic::Level::of(sims.iter().copied(), &sims);
        let mut claims = self.claims_of(&near)?;
        let mut out = Vec::new();
        for hit in near {
            let Some(claim) = claims.remove(&hit.claim_id) else {
                continue;
            };
            let claim = IndexedClaim::from_claim(&claim);
            let claim_lang = Lang::from_code(claim.lang.as_deref().unwrap_or(""));
            if claim_lang == lang || !passes_filters(&claim, query) {
                continue;
            }
            // A query has no day of its own.
            let f = matcher::semantic::features(None, Some(hit.score), level, true, 0.0);
            let score = matcher::semantic::probability(&f);
            if out.len() == SHOWN {
                break;
            }
            out.push(crate::index::Hit {
                claim,
                score,
                highlights: None,
            });
        }
        Ok(out)
    }

    /// The stored claims of vector hits, by id. A claim deleted since its
    /// vector was read is simply not there.
    fn claims_of(
        &self,
        hits: &[crate::embed::Hit],
    ) -> Result<std::collections::HashMap<String, Claim>> {
        let ids: Vec<&str> = hits.iter().map(|h| h.claim_id.as_str()).collect();
        Ok(self
            .inner
            .store
            .get_claims(&ids)?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect())
    }

    /// Whether every committed change has its vector (true when off).
    pub fn vectors_caught_up(&self) -> Result<bool> {
        match self.semantic() {
            Some(s) => Ok(s.seq() >= self.inner.store.last_seq()?),
            None => Ok(true),
        }
    }

    /// Keeps the vectors following the store on a thread of their own, so
    /// imports and writes never wait for the model. It ends with the last
    /// handle on the knowledge base.
    pub fn spawn_vector_worker(&self) {
        if self.semantic().is_none() {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        std::thread::spawn(move || loop {
            let Some(inner) = weak.upgrade() else { return };
            let kb = KnowledgeBase { inner, actor: None };
            let behind = kb.vectors_caught_up().map(|done| !done).unwrap_or(false);
            if behind {
                let total = kb.inner.store.count_claims().unwrap_or(0);
                let mut logged = std::time::Instant::now();
                let done = kb.sync_vectors(|n| {
                    if logged.elapsed().as_secs() >= 5 {
                        tracing::info!(vectors = n, claims = total, "computing claim vectors");
                        logged = std::time::Instant::now();
                    }
                });
                match done {
                    Ok(n) => tracing::info!(vectors = n, "claim vectors caught up"),
                    // Kept for the next round: the position did not move.
                    Err(e) => tracing::error!(error = %e, "computing claim vectors failed"),
                }
            }
            drop(kb);
            // A store read a second: cheap, and a new claim is semantically
            // matchable about a second plus its embedding after its write.
            std::thread::sleep(std::time::Duration::from_secs(1));
        });
    }
}

/// Whether a claim passes a search's filters (the index applies the same
/// ones to the keyword hits).
fn passes_filters(claim: &IndexedClaim, query: &SearchQuery) -> bool {
    let lang_ok = query
        .lang
        .as_deref()
        .is_none_or(|l| Lang::from_code(l) == Lang::from_code(claim.lang.as_deref().unwrap_or("")));
    let verdict_ok = query.verdict.is_none_or(|v| claim.verdict == Some(v));
    // One fact-checker however it is written, as the index filters it.
    let publisher_ok = query.publisher.as_deref().is_none_or(|p| {
        claim
            .publisher
            .as_deref()
            .is_some_and(|c| text::publisher::key(c) == text::publisher::key(p))
    });
    let narrative_ok = query
        .narrative
        .as_deref()
        .is_none_or(|n| claim.narrative.as_deref() == Some(n));
    let day = claim
        .review_date
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(crate::formats::date::parse_day);
    let dated_ok = match (query.from, query.to) {
        (None, None) => true,
        (from, to) => day.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)),
    };
    lang_ok && verdict_ok && publisher_ok && narrative_ok && dated_ok
}

/// A claim's entity tag: a hash of everything it shows, store-managed
/// fields included, so any write gives a new one. Quoted, as HTTP has it.
pub fn etag(claim: &Claim) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(claim).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether `if_match` (an `If-Match` header's value) admits the stored
/// claim: `*` admits any existing claim, a list admits any tag it names.
fn check_tag(id: &str, stored: Option<&Claim>, if_match: Option<&str>) -> Result<()> {
    let Some(if_match) = if_match else {
        return Ok(());
    };
    let ok = match stored {
        None => false,
        Some(claim) => {
            let tag = etag(claim);
            if_match
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == tag)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Stale(format!(
            "claim {id} changed since it was read (If-Match {if_match})"
        )))
    }
}

/// The claim without the fields the store manages: the store sets them.
/// Every writer's claim is cleaned as an import's is: a web form's text of
/// NULs alone is then empty (a 400), not a text SQLite cuts at the NUL and
/// refuses as a server fault.
fn cleaned(claim: Claim) -> Result<Claim> {
    formats::clean::claim(claim).map_err(Error::Invalid)
}

fn fresh(claim: Claim) -> Claim {
    Claim {
        version: 0,
        row: None,
        created_at: None,
        updated_at: None,
        ..claim
    }
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(Default::default());
    }
    if let serde_json::Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(
                    map.entry(key.clone()).or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
    }
}

/// Whether a text's clear language plainly contradicts a tag: another
/// script (Arabic text tagged with a Latin-script language, or the other
/// way round). Between Latin-script languages the tag is trusted.
fn contradicts(tag: Lang, text: Lang) -> bool {
    let arabic = |l: Lang| l == Lang::Ar;
    text != Lang::Other && tag != text && (arabic(tag) || arabic(text))
}

/// Fills what the source left out and puts what it gave in canonical form.
fn prepare(mut claim: Claim) -> Claim {
    // Only a clear reading of the text: a short claim is stored without a
    // language (indexed language-neutrally) rather than under a wrong one.
    let detected = text::confident_lang(&claim.text);
    let declared = claim
        .lang
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string);
    match declared {
        None => claim.lang = (detected != Lang::Other).then(|| detected.code().to_string()),
        // Sources tag the review's language, which is not always the claim's:
        // an Arabic-script claim tagged `en`, or French or English text
        // tagged `ar`, is analyzed in its text's language, and the tag kept.
        Some(code) if claim.lang_tag.is_none() && contradicts(Lang::from_code(&code), detected) => {
            claim.lang = Some(detected.code().to_string());
            claim.lang_tag = Some(code);
        }
        Some(_) => {}
    }
    // Sources quote names and pad them; the name stays as written otherwise.
    claim.publisher = claim
        .publisher
        .as_deref()
        .and_then(text::publisher::clean_name);
    claim.publisher_site = claim
        .publisher_site
        .as_deref()
        .and_then(text::publisher::clean_name);
    for a in &mut claim.appearances {
        if let Some(url) = a.url.as_deref().and_then(text::canonical_url) {
            if a.platform.is_none() {
                a.platform = text::platform_of(&url).map(str::to_string);
            }
            a.url = Some(url);
        }
    }
    claim
}
