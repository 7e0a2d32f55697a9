//! The command line's arguments: every command, its options and their help.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::formats::{ExportFormat, Format};
use crate::kb::DEFAULT_BATCH;
use crate::keys::Role;
use crate::verdict::Verdict;

#[derive(Debug, Parser)]
#[command(
    name = "debunk",
    version,
    about = "A multilingual fact-check knowledge base"
)]
pub struct Cli {
    /// Data folder (SQLite store and index); created on first use.
    #[arg(
        long,
        global = true,
        env = "DEBUNK_DATA_DIR",
        default_value = "./debunk-data"
    )]
    pub data_dir: PathBuf,
    /// The embedding model's weights file, for semantic matching; by
    /// default the one `scripts/setup-model` installed.
    #[arg(long, global = true, env = "DEBUNK_MODEL")]
    pub model: Option<PathBuf>,
    /// Semantic (cross-lingual) matching: `off` matches by words only, for
    /// throughput-bound users.
    #[arg(
        long,
        global = true,
        env = "DEBUNK_SEMANTIC",
        value_enum,
        default_value = "on"
    )]
    pub semantic: Switch,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Cli {
    pub(super) fn embed_config(&self) -> crate::embed::Config {
        crate::embed::Config {
            off: self.semantic == Switch::Off,
            model: self.model.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API (loads the seed fact-checks into a new data folder).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        options: crate::api::ServeOptions,
    },
    /// Manage API keys (the server checks them on every request).
    Keys {
        #[command(subcommand)]
        what: Keys,
    },
    /// Import fact-checks from a file (`-` for standard input).
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "auto")]
        format: Format,
        /// Reject the whole file, writing nothing, if any record is bad.
        #[arg(long)]
        strict: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Records per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch_size: usize,
    },
    /// Export every fact-check.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Search fact-checks by words (any language, Arabizi included).
    Search {
        query: String,
        /// Only claims in this language (ISO 639-1, e.g. `ar`).
        #[arg(long)]
        lang: Option<String>,
        /// Only claims with this normalized verdict (e.g. `false`, `misleading`).
        #[arg(long, value_parser = parse_verdict)]
        verdict: Option<Verdict>,
        /// Only claims by this fact-checker (however its name is written).
        #[arg(long)]
        publisher: Option<String>,
        /// Only claims of this narrative (its id).
        #[arg(long)]
        narrative: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Which known claims does a post repeat? Scored, banded, explained.
    Match {
        /// The post's text (omit with --batch).
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        text: Option<String>,
        /// The post's language when known (ISO 639-1); detected otherwise.
        #[arg(long)]
        lang: Option<String>,
        /// A URL where the post was seen.
        #[arg(long)]
        url: Option<String>,
        /// Matches per post.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// Only claims of this narrative (its id).
        #[arg(long, conflicts_with = "batch")]
        narrative: Option<String>,
        /// When the post was published (`YYYY-MM-DD` or RFC 3339).
        #[arg(long, conflicts_with = "batch", value_parser = parse_posted_at)]
        posted_at: Option<String>,
        /// A JSONL file of posts (`{"id","text","lang"?,"url"?,"posted_at"?}` per line; `-` for stdin):
        /// one JSON line out per line in, in input order.
        #[arg(long)]
        batch: Option<PathBuf>,
        /// Worker threads for --batch (default: every core).
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Measure matching quality on a claim-retrieval task (CheckThat! layout).
    Eval {
        #[arg(long)]
        claims: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        #[arg(long)]
        qrels: PathBuf,
        /// `claim_id<TAB>canonical_id` map: also score through it.
        #[arg(long)]
        dedup: Option<PathBuf>,
        /// Leave out queries whose text is also in this query file
        /// (repeatable): keeps another set's dev posts out of train samples.
        #[arg(long, value_name = "QUERIES")]
        leave_out: Vec<PathBuf>,
        /// Tell the matcher each query's `lang` (by default it identifies
        /// the language itself, as it must for posts in the wild).
        #[arg(long)]
        use_query_lang: bool,
        /// Also score plain BM25 (lowercased words of text + title) for reference.
        #[arg(long)]
        baseline: bool,
        /// Write every candidate's features and label here (for `train`).
        #[arg(long)]
        samples_out: Option<PathBuf>,
        /// Write the semantic stage's candidates (`query, claim, relevant,
        /// fusion features...` per line) for `debunk train --fusion`.
        #[arg(long)]
        fusion_samples_out: Option<PathBuf>,
        /// Write the ranking as a TREC run file (`query Q0 claim rank score
        /// debunk`, top 10 a post), to compare with other systems' runs.
        #[arg(long)]
        run_out: Option<PathBuf>,
        /// Keep the claims' embeddings in this folder between runs (by text
        /// digest): every run otherwise embeds every claim again.
        #[arg(long)]
        vector_cache: Option<PathBuf>,
        /// Diagnostics: rank by this one feature instead of the model.
        #[arg(long, hide = true)]
        rank_by: Option<String>,
        /// Candidates kept from the word query (default: what `match`
        /// keeps). The models are fitted on samples drawn at 100: a deeper
        /// pool shows the ranking more wrong candidates.
        #[arg(long)]
        word_candidates: Option<usize>,
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Fit the re-ranking model on samples written by `eval --samples-out`.
    Train {
        #[arg(required = true)]
        samples: Vec<PathBuf>,
        /// L2 penalty on the standardized weights.
        #[arg(long, default_value_t = 1.0)]
        l2: f64,
        /// Fit the ranking on pairs (a relevant and an irrelevant candidate of
        /// one post), then calibrate its score into a probability.
        #[arg(long)]
        pairwise: bool,
        /// Fit the semantic stage on `eval --fusion-samples-out` files.
        #[arg(long, conflicts_with = "pairwise")]
        fusion: bool,
    },
    /// Speed figures on synthetic corpora built from the evaluation data.
    /// Alone, every figure at 10k and 100k claims (`--quick`) or also at 1M,
    /// each beside plain tantivy and SQLite FTS5 on the same data; the
    /// subcommands measure one thing each.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        what: Option<Bench>,
        #[command(flatten)]
        all: BenchAll,
    },
    /// Posts seen in the wild: each is matched and its matches become links.
    Posts {
        #[command(subcommand)]
        what: Posts,
    },
    /// Links between posts and claims: list them, confirm or reject one.
    Links {
        #[command(subcommand)]
        what: Links,
    },
    /// Narratives: claims that tell one false story.
    Narratives {
        #[command(subcommand)]
        what: Narratives,
    },
    /// The review queue: posts with links waiting for a decision, as JSON
    /// lines (the post, its spread, the link and the claim with its verdict).
    Review {
        #[command(flatten)]
        filter: crate::store::ReviewFilter,
    },
    /// The thresholds of this data folder: shown, or set with the options.
    Settings {
        /// Score from which a match enters the review queue (0 to 1).
        #[arg(long)]
        suggest_at: Option<f64>,
        /// Score from which a link is confirmed without a person (0 to 1),
        /// or `off`.
        #[arg(long, value_parser = parse_threshold)]
        confirm_at: Option<Threshold>,
    },
    /// Who changed what and when (JSON lines, oldest first).
    Audit {
        /// `claim`, `link`, `narrative` or `settings`.
        #[arg(long)]
        entity: Option<String>,
        #[arg(long)]
        id: Option<String>,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Counts by language and verdict, and the index state.
    Stats {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Keys {
    /// Create a key and print its secret (shown this once only).
    Create {
        #[arg(long, value_enum)]
        role: Role,
        /// Who or what uses the key.
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List keys (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id: requests with it are refused from now on.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum Posts {
    /// Receive posts from a JSONL file (`-` for standard input), one
    /// `{"text","url"?,"platform"?,"author"?,"lang"?,"posted_at"?}` a line.
    Import { file: PathBuf },
    /// One post as JSON: its text, spread and sightings.
    Show { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum Links {
    /// Links as JSON lines, oldest first.
    List {
        /// `suggested`, `confirmed` or `rejected`.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        claim: Option<String>,
        #[arg(long)]
        post: Option<i64>,
    },
    /// Confirm a suggested link: the post becomes an appearance of the claim.
    Confirm {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a suggested link: the pair is never suggested again.
    Reject {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// "None of these": reject every suggested link of a post at once.
    RejectAll {
        #[arg(long)]
        post: i64,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Narratives {
    /// Narratives as JSON lines, newest first.
    List,
    /// Create a narrative over some claims; prints it as JSON.
    Create {
        #[arg(long)]
        title: String,
        /// A claim id (repeatable).
        #[arg(long = "claim")]
        claims: Vec<String>,
        #[command(flatten)]
        details: NarrativeDetails,
    },
    /// One narrative as JSON: its claims, linked posts and timeline.
    Show { id: String },
    /// Change a narrative: only the options given change; `--claim`
    /// (repeatable) replaces its claims, `--no-claims` empties it.
    Update {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        details: NarrativeDetails,
        /// `active`, `dormant` or `closed`.
        #[arg(long)]
        status: Option<String>,
        #[arg(long = "claim", conflicts_with = "no_claims")]
        claims: Vec<String>,
        #[arg(long)]
        no_claims: bool,
    },
    /// Delete a narrative; its claims stay, outside any narrative.
    Delete { id: String },
}

/// What a narrative says besides its title: each optional.
#[derive(Debug, clap::Args)]
pub struct NarrativeDetails {
    #[arg(long)]
    pub description: Option<String>,
    /// The event's day (YYYY-MM-DD), or its first.
    #[arg(long)]
    pub event_date: Option<String>,
    /// The event's last day, for a range.
    #[arg(long)]
    pub event_end: Option<String>,
    #[arg(long)]
    pub place: Option<String>,
}

/// `debunk bench` without a subcommand: the whole suite.
#[derive(Debug, Args)]
pub struct BenchAll {
    /// 10k and 100k claims, 500 posts, 5 s per timed loop (about two
    /// minutes); without it also 1M claims, 1,000 posts, 30 s.
    #[arg(long)]
    pub quick: bool,
    /// Corpus sizes instead (claims, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub sizes: Option<Vec<usize>>,
    /// Posts matched at each size.
    #[arg(long)]
    pub posts: Option<usize>,
    /// Seconds each system may spend on each timed loop.
    #[arg(long)]
    pub budget_secs: Option<f64>,
    /// Threads of the all-cores figures (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The evaluation data folder the words are drawn from.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
    /// Run the suite in this one process (each system's peak memory then
    /// includes what the phases before it left).
    #[arg(long)]
    pub in_process: bool,
    /// Internal: run one phase (`debunk`, `tantivy`, `fts5`) of the one
    /// size given, print its JSON; how the suite isolates each phase.
    #[arg(long, hide = true, requires = "exhaustive_file")]
    pub phase: Option<String>,
    /// Internal: where the debunk phase writes, and the others read, the
    /// exhaustive top-1 of each post.
    #[arg(long, hide = true)]
    pub exhaustive_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Matching speed on one core, and what the retrieval bounds cost:
    /// builds a temporary knowledge base of synthetic claims, then matches
    /// noisy copies of them and unrelated posts.
    Match {
        /// Synthetic claims to index.
        #[arg(long, default_value_t = 10_000)]
        claims: usize,
        /// Posts to match (about 20% unrelated to any claim).
        #[arg(long, default_value_t = 2_000)]
        posts: usize,
        /// The evaluation data folder the words are drawn from.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Seed of the generator: the same seed gives the same corpus and posts.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Server time of the search and claim pages (p50/p99), rendered in
    /// process over the same synthetic corpus as `bench match`.
    Pages {
        #[arg(long, default_value_t = 10_000)]
        claims: usize,
        /// Pages of each kind to render (search: three words of a post).
        #[arg(long, default_value_t = 2_000)]
        pages: usize,
        /// The evaluation data folder the words are drawn from.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Embedding speed of the semantic model: one text at a time (a post's
    /// latency) and in batches (import throughput), on texts of the data,
    /// and exact vector search over as many claim vectors as asked.
    Embed {
        /// Texts embedded (real claim texts of the English and Arabic sets).
        #[arg(long, default_value_t = 256)]
        texts: usize,
        /// Claim vectors searched (random unit vectors: the scan's cost
        /// does not depend on their values).
        #[arg(long, default_value_t = 100_000)]
        vectors: usize,
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write the synthetic claims and posts `bench match` uses, for load
    /// tests of a server: `claims.jsonl` (importable), `posts.jsonl`
    /// (`{"id","text"}`, for `match --batch` and the batch route) and
    /// `queries.txt` (a few words of each post, for search).
    Corpus {
        #[arg(long, default_value_t = 100_000)]
        claims: usize,
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        /// The evaluation data folder the words are drawn from.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write into (created).
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_verdict(s: &str) -> Result<Verdict, String> {
    Verdict::from_name(s).ok_or_else(|| {
        let names: Vec<_> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
        format!(
            "unknown verdict {s:?}; expected one of {}",
            names.join(", ")
        )
    })
}

/// A threshold that may be turned off.
#[derive(Clone, Copy, Debug)]
pub struct Threshold(pub Option<f64>);

fn parse_threshold(s: &str) -> Result<Threshold, String> {
    if s == "off" {
        return Ok(Threshold(None));
    }
    s.parse::<f64>()
        .map(|v| Threshold(Some(v)))
        .map_err(|_| format!("{s:?} is neither a number from 0 to 1 nor off"))
}

fn parse_posted_at(s: &str) -> Result<String, String> {
    crate::formats::date::read_stamp(s).map(|_| s.to_string())
}
