//! `debunk bench match`: how fast the matcher answers on one core at a given
//! corpus size, and what its retrieval bounds cost in quality.
//!
//! The corpus is synthetic but drawn from real words: the claim texts and
//! titles of `shared/data` are split into one word stream per language (each
//! occurrence kept, so frequent words stay frequent), and claims and posts
//! are sampled from those streams with a seeded generator, so a run is
//! repeatable. Posts are noisy copies of known claims (words dropped and
//! inserted, handles, hashtags and links added) plus unrelated ones.
//!
//! Figures belong here, never in pass/fail tests: the tests below check the
//! generator only.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::kb::{ImportOptions, ImportProgress, KnowledgeBase};
use crate::matcher::{Params, Request};
use crate::text::Lang;

mod reference;
pub mod suite;

/// The English claim files read for words (text and title of each line).
const ENGLISH_CLAIMS: [&str; 3] = [
    "clef2022-task2a-en/claims.jsonl",
    "clef2020-task2-en/claims.jsonl",
    "clef2022-task2b-en/claims.jsonl",
];
const ARABIC_CLAIMREVIEW: &str = "arabic-claimreview/factcheck_api_claims.json";
const ARABIC_TWEETS: &str = "arabic-tweets-clef2022";

/// Share of generated claims and posts in each language, in order of
/// `Words::LANGS`. French and Spanish are a small share: their word streams
/// are the short texts written here for it (see `Words`), so their claims
/// share more words than real ones would.
const LANG_SHARES: [f64; 4] = [0.6, 0.3, 0.05, 0.05];
/// French and Spanish sentences written for the benchmark (the data has no
/// French or Spanish claims), and the French posts of our own cross-lingual
/// dev set; each file's first line says where it comes from and is skipped.
const FRENCH_TEXTS: [&str; 3] = [
    include_str!("bench/words-fr.txt"),
    include_str!("../eval-data/xling-ar/train_queries.jsonl"),
    include_str!("../eval-data/xling-ar/dev_queries.jsonl"),
];
const SPANISH_TEXT: &str = include_str!("bench/words-es.txt");
/// Share of posts made of random words, repeating no claim.
const UNRELATED_SHARE: f64 = 0.2;
/// Posts matched untimed before measuring, so caches and pages are warm.
const WARM_UP: usize = 100;
/// Matches asked for per post, as a moderator's screen would.
const TOP: usize = 10;
/// Import progress is logged once per this many claims.
const PROGRESS_EVERY: u64 = 100_000;

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    pub claims: usize,
    pub posts: usize,
    /// The `shared/data` folder.
    pub data: PathBuf,
    pub seed: u64,
}

/// What a `bench match` run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub claims: usize,
    pub posts: usize,
    /// Languages of the generated claims and posts (`en`, `ar`, `fr`, `es`).
    pub languages: Vec<String>,
    pub seed: u64,
    /// Opening a new knowledge base and importing the claims (store and index).
    pub build_seconds: f64,
    pub index_bytes: u64,
    /// Postings the matcher copied into memory, after the run.
    pub matching_memory_bytes: u64,
    /// Posts over the seconds spent matching them, one at a time on one thread.
    pub posts_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
    /// Share of posts whose top-1 claim with the default retrieval bounds is
    /// the top-1 with exhaustive retrieval (both empty counts as agreeing).
    pub top1_agreement: f64,
    /// Share of noisy-copy posts whose top-1 is the claim they were made from.
    pub recall_at_1: f64,
    /// The same with exhaustive retrieval.
    pub recall_at_1_exhaustive: f64,
}

/// Builds a knowledge base of `claims` synthetic claims in a temporary folder,
/// matches `posts` posts against it and measures; `log` gets progress lines.
pub fn run_match(options: &Options, mut log: impl FnMut(&str)) -> Result<Report> {
    let (claims, posts) = corpus(options)?;

    let scratch = Scratch::create()?;
    let (kb, build_seconds) = build(&scratch, &claims, &mut log)?;
    let index_bytes = kb.stats()?.index_bytes;

    log(&format!("matching {} posts on one thread", posts.len()));
    let request = |text| Request {
        text,
        top: TOP,
        ..Request::default()
    };
    for post in posts.iter().take(WARM_UP) {
        kb.match_post(&request(&post.text))?;
    }
    let mut latencies_ns = Vec::with_capacity(posts.len());
    let mut top1 = Vec::with_capacity(posts.len());
    for post in &posts {
        let req = request(&post.text);
        let started = Instant::now();
        let matches = kb.match_post(&req)?;
        latencies_ns.push(started.elapsed().as_nanos() as u64);
        top1.push(matches.into_iter().next().map(|m| m.claim_id));
    }

    log("matching them again with exhaustive retrieval");
    let exhaustive = Params::exhaustive();
    let mut top1_exhaustive = Vec::with_capacity(posts.len());
    for post in &posts {
        let matches = kb.match_with(&request(&post.text), &exhaustive)?;
        top1_exhaustive.push(matches.into_iter().next().map(|m| m.claim_id));
    }
    let matching_memory_bytes = kb.matching_memory_bytes();
    drop(kb);
    drop(scratch);

    let total_ns: u64 = latencies_ns.iter().sum();
    latencies_ns.sort_unstable();
    let agree = top1
        .iter()
        .zip(&top1_exhaustive)
        .filter(|(a, b)| a == b)
        .count();
    Ok(Report {
        claims: claims.len(),
        posts: posts.len(),
        languages: languages(&claims),
        seed: options.seed,
        build_seconds,
        index_bytes,
        matching_memory_bytes,
        posts_per_second: if total_ns == 0 {
            0.0
        } else {
            posts.len() as f64 / (total_ns as f64 / 1e9)
        },
        p50_us: percentile(&latencies_ns, 0.50) / 1e3,
        p99_us: percentile(&latencies_ns, 0.99) / 1e3,
        mean_us: total_ns as f64 / latencies_ns.len().max(1) as f64 / 1e3,
        top1_agreement: share(agree, posts.len()),
        recall_at_1: recall_at_1(&posts, &claims, &top1),
        recall_at_1_exhaustive: recall_at_1(&posts, &claims, &top1_exhaustive),
    })
}

/// Imports the claims into a new knowledge base in `scratch` and opens it
/// again as a fresh process would find it; returns it and the build time.
fn build(
    scratch: &Scratch,
    claims: &[BenchClaim],
    log: &mut impl FnMut(&str),
) -> Result<(KnowledgeBase, f64)> {
    write_claims(&scratch.path.join("claims.jsonl"), claims)?;
    build_from_file(scratch, claims.len(), log)
}

/// `build` from the `claims.jsonl` of `scratch` (`n` claims).
fn build_from_file(
    scratch: &Scratch,
    n: usize,
    log: &mut impl FnMut(&str),
) -> Result<(KnowledgeBase, f64)> {
    let jsonl = scratch.path.join("claims.jsonl");
    let kb_dir = scratch.path.join("kb");

    log(&format!("importing {n} claims"));
    let started = Instant::now();
    let kb = KnowledgeBase::open(&kb_dir)?;
    let import_options = ImportOptions {
        source: jsonl.clone(),
        ..ImportOptions::default()
    };
    let mut logged = 0;
    kb.import(
        BufReader::with_capacity(1 << 20, std::fs::File::open(&jsonl)?),
        &import_options,
        |p| {
            let ImportProgress::Committed { records } = p;
            if records / PROGRESS_EVERY > logged {
                logged = records / PROGRESS_EVERY;
                log(&format!("imported {records} claims"));
            }
        },
    )?;
    let build_seconds = started.elapsed().as_secs_f64();
    // Measure the knowledge base as a fresh process finds it after an import:
    // the importing handle's writer goes, with its pending merge work.
    drop(kb);
    Ok((KnowledgeBase::open(&kb_dir)?, build_seconds))
}

/// What a `bench pages` run measured: the server time of a page, from
/// its parameters to its HTML, in process (no HTTP, no network).
#[derive(Clone, Debug, Serialize)]
pub struct PagesReport {
    pub claims: usize,
    /// Pages rendered of each kind.
    pub pages: usize,
    pub seed: u64,
    pub build_seconds: f64,
    /// The search page for a few words of a post, with facets and highlights.
    pub search_p50_us: f64,
    pub search_p99_us: f64,
    /// A claim page, its related claims (a match of its text) included.
    pub claim_p50_us: f64,
    pub claim_p99_us: f64,
}

/// Renders `posts` search pages (three words of each post) and as many
/// claim pages over a knowledge base of `claims` synthetic claims.
pub fn run_pages(options: &Options, mut log: impl FnMut(&str)) -> Result<PagesReport> {
    let (claims, posts) = corpus(options)?;
    let scratch = Scratch::create()?;
    let (kb, build_seconds) = build(&scratch, &claims, &mut log)?;
    log(&format!("rendering {} search and claim pages", posts.len()));
    let queries: Vec<String> = posts.iter().map(|p| first_words(&p.text)).collect();
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    let ids = suite::sample_ids(&claims, posts.len(), options.seed);
    let (search_ns, claim_ns) = time_pages(&kb, &queries, &ids)?;
    drop(kb);
    drop(scratch);
    Ok(PagesReport {
        claims: claims.len(),
        pages: posts.len(),
        seed: options.seed,
        build_seconds,
        search_p50_us: percentile(&search_ns, 0.50) / 1e3,
        search_p99_us: percentile(&search_ns, 0.99) / 1e3,
        claim_p50_us: percentile(&claim_ns, 0.50) / 1e3,
        claim_p99_us: percentile(&claim_ns, 0.99) / 1e3,
    })
}

/// Server times of a search page for each query and of a claim page for
/// each id, sorted, after a warm-up.
fn time_pages(
    kb: &KnowledgeBase,
    queries: &[&str],
    ids: &[String],
) -> Result<(Vec<u64>, Vec<u64>)> {
    use crate::web::{i18n::Locale, pages, Chrome};
    let chrome = Chrome::for_locale(Locale::En);
    let search = |q: &str| {
        let params = crate::api::search::SearchParams {
            q: q.to_string(),
            ..Default::default()
        };
        pages::search_html(kb, &chrome, params)
    };
    for (q, id) in queries.iter().zip(ids).take(WARM_UP) {
        search(q)?;
        pages::claim_html(kb, &chrome, id)?;
    }
    let mut search_ns = timed(queries, |q| search(q).map(drop))?;
    let mut claim_ns = timed(ids, |id| pages::claim_html(kb, &chrome, id).map(drop))?;
    search_ns.sort_unstable();
    claim_ns.sort_unstable();
    Ok((search_ns, claim_ns))
}

/// The first three words of a post: the keyword query of the benchmarks.
fn first_words(text: &str) -> String {
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Nanoseconds each call of `f` took, in input order.
fn timed<T>(inputs: &[T], mut f: impl FnMut(&T) -> Result<()>) -> Result<Vec<u64>> {
    inputs
        .iter()
        .map(|x| {
            let started = Instant::now();
            f(x)?;
            Ok(started.elapsed().as_nanos() as u64)
        })
        .collect()
}

/// The claims and posts of these options: the same seed, the same corpus.
fn corpus(options: &Options) -> Result<(Vec<BenchClaim>, Vec<BenchPost>)> {
    let words = Words::read(&options.data)?;
    let mut rng = Rng::new(options.seed);
    let claims = generate_claims(&words, options.claims, &mut rng);
    let posts = generate_posts(&words, &claims, options.posts, &mut rng);
    Ok((claims, posts))
}

/// Writes the claims and posts `run_match` would use into `dir`:
/// `claims.jsonl`, `posts.jsonl` (`{"id","text"}`) and `queries.txt` (the
/// first words of each post, one query a line).
pub fn write_corpus(options: &Options, dir: &Path) -> Result<()> {
    let (claims, posts) = corpus(options)?;
    std::fs::create_dir_all(dir)?;
    write_claims(&dir.join("claims.jsonl"), &claims)?;
    let mut out = BufWriter::new(std::fs::File::create(dir.join("posts.jsonl"))?);
    let mut queries = BufWriter::new(std::fs::File::create(dir.join("queries.txt"))?);
    for (i, post) in posts.iter().enumerate() {
        serde_json::to_writer(&mut out, &serde_json::json!({"id": i, "text": post.text}))?;
        out.write_all(b"\n")?;
        writeln!(queries, "{}", first_words(&post.text))?;
    }
    out.flush()?;
    queries.flush()?;
    Ok(())
}

/// A temporary folder named after this process, removed when done (or dropped).
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn create() -> Result<Scratch> {
        let path = std::env::temp_dir().join(format!("debunk-bench-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %e, "could not remove the benchmark folder");
        }
    }
}

fn write_claims(path: &Path, claims: &[BenchClaim]) -> Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for c in claims {
        serde_json::to_writer(&mut out, c)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn languages(claims: &[BenchClaim]) -> Vec<String> {
    let mut langs: Vec<String> = Vec::new();
    for lang in Words::LANGS {
        if claims.iter().any(|c| c.lang == lang.code()) {
            langs.push(lang.code().to_string());
        }
    }
    langs
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn recall_at_1(posts: &[BenchPost], claims: &[BenchClaim], top1: &[Option<String>]) -> f64 {
    let mut copies = 0;
    let mut hits = 0;
    for (post, got) in posts.iter().zip(top1) {
        if let Some(source) = post.source {
            copies += 1;
            if got.as_deref() == Some(claims[source].id.as_str()) {
                hits += 1;
            }
        }
    }
    share(hits, copies)
}

/// The word streams of each language, every occurrence kept in reading order.
#[derive(Clone, Debug, Default)]
pub struct Words {
    pub en: Vec<String>,
    pub ar: Vec<String>,
    pub fr: Vec<String>,
    pub es: Vec<String>,
}

impl Words {
    /// The generated languages, in the order of `LANG_SHARES`.
    pub const LANGS: [Lang; 4] = [Lang::En, Lang::Ar, Lang::Fr, Lang::Es];

    /// Reads the claim files of `shared/data`, and the French and Spanish
    /// texts built in.
    pub fn read(data: &Path) -> Result<Words> {
        if !data.is_dir() {
            return Err(Error::Invalid(format!(
                "benchmark data folder {} not found: pass --data DIR, the shared/data folder \
                 holding clef2022-task2a-en/, arabic-claimreview/ and the others",
                data.display()
            )));
        }
        let mut words = Words::default();
        for file in ENGLISH_CLAIMS {
            for line in read_text(&data.join(file))?.lines() {
                let Ok(record) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                for key in ["text", "title"] {
                    if let Some(text) = record[key].as_str() {
                        words.add(Lang::En, text);
                    }
                }
            }
        }
        let api: Value = serde_json::from_str(&read_text(&data.join(ARABIC_CLAIMREVIEW))?)?;
        for claim in api["claims"].as_array().into_iter().flatten() {
            if let Some(text) = claim["text"].as_str() {
                words.add(Lang::Ar, text);
            }
            if let Some(title) = claim["claimReview"][0]["title"].as_str() {
                words.add(Lang::Ar, title);
            }
        }
        let tweets_dir = data.join(ARABIC_TWEETS);
        let mut tweet_files: Vec<PathBuf> = std::fs::read_dir(&tweets_dir)
            .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", tweets_dir.display())))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        // Directory order varies between file systems; the streams must not.
        tweet_files.sort();
        for file in tweet_files {
            for line in read_text(&file)?.lines() {
                if let Ok(record) = serde_json::from_str::<Value>(line) {
                    if let Some(text) = record["text"].as_str() {
                        words.add(Lang::Ar, text);
                    }
                }
            }
        }
        words.add_built_in();
        if words.en.is_empty() || words.ar.is_empty() {
            return Err(Error::Invalid(format!(
                "no {} words found under {}",
                if words.en.is_empty() {
                    "English"
                } else {
                    "Arabic"
                },
                data.display()
            )));
        }
        Ok(words)
    }

    /// The French and Spanish streams: plain lines, or the `text` of JSON
    /// lines whose `lang` is `fr`.
    fn add_built_in(&mut self) {
        for text in FRENCH_TEXTS {
            for line in text.lines().skip(1) {
                match serde_json::from_str::<Value>(line) {
                    Ok(v) if v["lang"] == "fr" => {
                        self.add(Lang::Fr, v["text"].as_str().unwrap_or(""))
                    }
                    Ok(_) => {}
                    Err(_) => self.add(Lang::Fr, line),
                }
            }
        }
        for line in SPANISH_TEXT.lines().skip(1) {
            self.add(Lang::Es, line);
        }
    }

    /// Adds the words of `text` to the stream of `lang`, leaving out links,
    /// handles and hashtags (posts get their own) and words of another script.
    pub fn add(&mut self, lang: Lang, text: &str) {
        for raw in text.split_whitespace() {
            if raw.starts_with('@') || raw.starts_with('#') || raw.contains("://") {
                continue;
            }
            let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
            if word.is_empty() || word.starts_with("pic.twitter.com") {
                continue;
            }
            let arabic = word.chars().any(is_arabic);
            match lang {
                Lang::Ar if arabic => self.ar.push(word.to_string()),
                Lang::En if !arabic => self.en.push(word.to_string()),
                Lang::Fr if !arabic => self.fr.push(word.to_string()),
                Lang::Es if !arabic => self.es.push(word.to_string()),
                _ => {}
            }
        }
    }

    fn stream(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Ar => &self.ar,
            // An empty stream (a hand-built `Words`) falls back to English.
            Lang::Fr if !self.fr.is_empty() => &self.fr,
            Lang::Es if !self.es.is_empty() => &self.es,
            _ => &self.en,
        }
    }

    /// A language drawn by `LANG_SHARES`.
    fn pick_lang(rng: &mut Rng) -> Lang {
        let mut u = rng.unit();
        for (lang, share) in Words::LANGS.into_iter().zip(LANG_SHARES) {
            if u < share {
                return lang;
            }
            u -= share;
        }
        Lang::En
    }

    fn sample<'w>(&'w self, lang: Lang, rng: &mut Rng) -> &'w str {
        let stream = self.stream(lang);
        &stream[rng.below(stream.len())]
    }

    fn sentence(&self, lang: Lang, len: usize, rng: &mut Rng) -> Vec<String> {
        (0..len)
            .map(|_| self.sample(lang, rng).to_string())
            .collect()
    }
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))
}

/// A generated claim, in the JSONL shape `import` reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchClaim {
    pub id: String,
    pub text: String,
    pub title: String,
    pub lang: String,
}

/// A generated post.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchPost {
    pub text: String,
    /// Index of the claim it is a noisy copy of; `None` for an unrelated post.
    pub source: Option<usize>,
}

/// `n` claims of 8–30 words (60% English, 30% Arabic, 5% each French and
/// Spanish), each with a 5–12 word title
/// sharing a few of its words.
pub fn generate_claims(words: &Words, n: usize, rng: &mut Rng) -> Vec<BenchClaim> {
    (0..n)
        .map(|i| {
            let lang = Words::pick_lang(rng);
            let text = words.sentence(lang, rng.between(8, 30), rng);
            let mut title = words.sentence(lang, rng.between(5, 12), rng);
            let shared = rng.between(2, 4).min(title.len());
            for _ in 0..shared {
                let slot = rng.below(title.len());
                title[slot] = text[rng.below(text.len())].clone();
            }
            BenchClaim {
                id: format!("bench-{i}"),
                text: text.join(" "),
                title: title.join(" "),
                lang: lang.code().to_string(),
            }
        })
        .collect()
}

/// `n` posts: about 80% noisy copies of random claims, 20% random words.
pub fn generate_posts(
    words: &Words,
    claims: &[BenchClaim],
    n: usize,
    rng: &mut Rng,
) -> Vec<BenchPost> {
    (0..n)
        .map(|_| {
            if claims.is_empty() || rng.chance(UNRELATED_SHARE) {
                let lang = Words::pick_lang(rng);
                let len = rng.between(8, 30);
                BenchPost {
                    text: words.sentence(lang, len, rng).join(" "),
                    source: None,
                }
            } else {
                let source = rng.below(claims.len());
                BenchPost {
                    text: noisy_copy(words, &claims[source], rng),
                    source: Some(source),
                }
            }
        })
        .collect()
}

/// Keeps 50–90% of the claim's words in order, inserts 2–10 words of its
/// language, and sometimes a hashtag, a handle or a short link.
fn noisy_copy(words: &Words, claim: &BenchClaim, rng: &mut Rng) -> String {
    let lang = Lang::from_code(&claim.lang);
    let source: Vec<&str> = claim.text.split(' ').collect();
    let keep_share = 0.5 + 0.4 * rng.unit();
    let keep = ((source.len() as f64 * keep_share).ceil() as usize).clamp(1, source.len());
    // Choose which positions survive: a partial Fisher–Yates, then back in order.
    let mut positions: Vec<usize> = (0..source.len()).collect();
    for i in 0..keep {
        let j = i + rng.below(positions.len() - i);
        positions.swap(i, j);
    }
    positions.truncate(keep);
    positions.sort_unstable();
    let mut post: Vec<String> = positions.iter().map(|&p| source[p].to_string()).collect();
    for _ in 0..rng.between(2, 10) {
        let at = rng.below(post.len() + 1);
        post.insert(at, words.sample(lang, rng).to_string());
    }
    if rng.chance(0.3) {
        let word = words.sample(lang, rng).to_string();
        let at = rng.below(post.len() + 1);
        post.insert(at, format!("#{word}"));
    }
    if rng.chance(0.3) {
        post.insert(0, format!("@{}", rng.token(8)));
    }
    if rng.chance(0.3) {
        post.push(format!("https://t.co/{}", rng.token(10)));
    }
    post.join(" ")
}

/// splitmix64: tiny, fast and good enough to sample words; the same seed
/// gives the same corpus on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// `len` random lowercase letters and digits.
    fn token(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(CHARS[self.below(CHARS.len())]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        let mut w = Words::default();
        w.add(
            Lang::En,
            "Video shows a 10-meter-long anaconda swimming across a river in Brazil. \
             McDonald's restaurants are offering $1 fries between May 18 and 31. \
             @someone says https://t.co/abc the vaccine changes your DNA #fake",
        );
        w.add(
            Lang::Ar,
            "مصر لم تعلن إغلاق السفارة السورية في القاهرة بعد سقوط نظام الأسد \
             اللاعب يعتزل اللعب دوليا بسبب اساءة رئيس فرنسا",
        );
        w
    }

    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut row = vec![0usize; b.len() + 1];
        for x in a {
            let mut diag = 0;
            for (j, y) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if x == y {
                    diag + 1
                } else {
                    row[j + 1].max(row[j])
                };
                diag = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn the_same_seed_gives_the_same_claims_and_posts() {
        let w = words();
        let claims = |seed| generate_claims(&w, 200, &mut Rng::new(seed));
        assert_eq!(claims(7), claims(7));
        assert_ne!(claims(7), claims(8));
        let posts = |seed| {
            let mut rng = Rng::new(seed);
            let c = generate_claims(&w, 50, &mut rng);
            generate_posts(&w, &c, 100, &mut rng)
        };
        assert_eq!(posts(3), posts(3));
    }

    #[test]
    fn claims_have_the_promised_shape_and_mix_of_languages() {
        let w = words();
        let claims = generate_claims(&w, 1000, &mut Rng::new(1));
        let count = |lang: &str| claims.iter().filter(|c| c.lang == lang).count();
        for (lang, range) in [
            ("en", 520..=680),
            ("ar", 230..=370),
            ("fr", 20..=90),
            ("es", 20..=90),
        ] {
            assert!(
                range.contains(&count(lang)),
                "{} {lang} of 1000",
                count(lang)
            );
        }
        for (i, c) in claims.iter().enumerate() {
            assert_eq!(c.id, format!("bench-{i}"));
            let text: Vec<&str> = c.text.split(' ').collect();
            let title: Vec<&str> = c.title.split(' ').collect();
            assert!((8..=30).contains(&text.len()), "{}", c.text);
            assert!((5..=12).contains(&title.len()), "{}", c.title);
            assert!(title.iter().any(|t| text.contains(t)), "{c:?}");
            let stream = w.stream(Lang::from_code(&c.lang));
            assert!(text.iter().all(|t| stream.iter().any(|s| s == t)));
        }
    }

    #[test]
    fn noisy_posts_keep_most_of_their_source_claims_words_in_order() {
        let w = words();
        let mut rng = Rng::new(42);
        let claims = generate_claims(&w, 100, &mut rng);
        let posts = generate_posts(&w, &claims, 1000, &mut rng);
        let unrelated = posts.iter().filter(|p| p.source.is_none()).count();
        assert!((120..=280).contains(&unrelated), "{unrelated} unrelated");
        for post in posts.iter().filter(|p| p.source.is_some()) {
            let claim = &claims[post.source.unwrap_or_default()];
            let source: Vec<&str> = claim.text.split(' ').collect();
            let words: Vec<&str> = post.text.split(' ').collect();
            let kept = lcs(&source, &words);
            assert!(2 * kept >= source.len(), "{claim:?} -> {post:?}");
            assert!(words.len() >= source.len() / 2 + 2, "{claim:?} -> {post:?}");
        }
    }

    #[test]
    fn word_streams_leave_out_links_handles_and_other_scripts() {
        let w = words();
        assert!(w
            .en
            .iter()
            .all(|t| !t.contains("://") && !t.starts_with('@')));
        assert!(w.en.contains(&"10-meter-long".to_string()));
        assert!(w.en.contains(&"Brazil".to_string()));
        let mut mixed = Words::default();
        mixed.add(Lang::Ar, "خبر fake عاجل");
        assert_eq!(mixed.ar, ["خبر", "عاجل"]);
    }

    #[test]
    fn built_in_french_and_spanish_streams_hold_their_own_words() {
        let mut w = Words::default();
        w.add_built_in();
        assert!(w.fr.len() > 500, "{} French words", w.fr.len());
        assert!(w.es.len() > 400, "{} Spanish words", w.es.len());
        assert!(w.fr.iter().any(|t| t == "frontière"));
        assert!(w.es.iter().any(|t| t == "frontera"));
        // The provenance line is not vocabulary.
        assert!(!w.es.iter().any(|t| t == "Written"));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[7], 0.99), 7.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
