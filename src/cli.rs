//! The command line: parse, call the knowledge base, print. Errors carry
//! context with `anyhow` and end as one line on stderr with a non-zero exit.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::formats::{ExportFormat, Format};
use crate::index::SearchQuery;
use crate::kb::{ImportOptions, ImportProgress, KnowledgeBase, DEFAULT_BATCH};
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
    fn embed_config(&self) -> crate::embed::Config {
        crate::embed::Config {
            off: self.semantic == Switch::Off,
            model: self.model.clone(),
        }
    }
}

/// The configured embedder, or why there is none (logged: matching is then
/// lexical only). A model asked for by path that can't load is an error.
pub fn embedder(
    config: &crate::embed::Config,
) -> Result<Option<std::sync::Arc<dyn crate::embed::Embedder>>> {
    match crate::embed::load(config).context("loading the embedding model")? {
        Ok(e) => {
            tracing::info!(model = e.name(), "semantic matching on");
            Ok(Some(e))
        }
        Err(absent) => {
            tracing::warn!("{}", absent.reason());
            Ok(None)
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
        /// A JSONL file of posts (`{"id","text","lang"?,"url"?}` per line; `-` for stdin):
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
    /// Measure the matcher on a synthetic corpus built from the evaluation data.
    Bench {
        #[command(subcommand)]
        what: Bench,
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
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        event_date: Option<String>,
        #[arg(long)]
        event_end: Option<String>,
        #[arg(long)]
        place: Option<String>,
    },
}

/// Who the CLI's changes are recorded as.
const CLI_ACTOR: &str = "cli";

/// Prints one JSON line per item.
fn print_lines<T: serde::Serialize>(items: &[T]) -> Result<()> {
    let mut out = io::stdout().lock();
    for item in items {
        writeln!(out, "{}", serde_json::to_string(item)?)?;
    }
    Ok(())
}

fn posts(kb: &KnowledgeBase, what: Posts) -> Result<()> {
    let Posts::Import { file } = what;
    let report = if file.as_os_str() == "-" {
        kb.import_posts(io::stdin().lock(), CLI_ACTOR)?
    } else {
        let f = File::open(&file).with_context(|| format!("opening {}", file.display()))?;
        kb.import_posts(BufReader::new(f), CLI_ACTOR)?
    };
    for e in &report.errors {
        eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
    }
    print_lines(&[&report])
}

fn links(kb: &KnowledgeBase, what: Links) -> Result<()> {
    let decide = |id, status, note| {
        let decision = crate::store::Decision {
            status,
            actor: CLI_ACTOR.into(),
            note,
            if_version: None,
        };
        print_lines(&[kb.decide_link(id, decision)?])
    };
    match what {
        Links::List {
            status,
            claim,
            post,
        } => print_lines(&kb.list_links(&crate::store::LinkFilter {
            status,
            claim,
            post,
        })?),
        Links::Confirm { id, note } => decide(id, crate::store::LinkStatus::Confirmed, note),
        Links::Reject { id, note } => decide(id, crate::store::LinkStatus::Rejected, note),
    }
}

fn narratives(kb: &KnowledgeBase, what: Narratives) -> Result<()> {
    match what {
        Narratives::List => print_lines(&kb.list_narratives()?),
        Narratives::Create {
            title,
            claims,
            description,
            event_date,
            event_end,
            place,
        } => {
            let input = crate::kb::NarrativeInput {
                title,
                description,
                event_date,
                event_end,
                place,
                status: None,
                claims,
            };
            print_lines(&[kb.create_narrative(input, CLI_ACTOR)?])
        }
    }
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

/// Key management touches the store only: it works beside a running server.
fn keys(data_dir: &Path, what: Keys) -> Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data folder {}", data_dir.display()))?;
    let path = crate::kb::store_path(data_dir);
    let store = crate::store::Store::open(&path)
        .with_context(|| format!("opening the store {}", path.display()))?;
    let mut out = io::stdout().lock();
    match what {
        Keys::Create { role, name, json } => {
            let (key, secret) = store.create_key(&name, role)?;
            if json {
                let mut v = serde_json::to_value(&key)?;
                v["secret"] = serde_json::Value::String(secret);
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "{secret}")?;
                eprintln!(
                    "key {} ({}, role {}): the secret above is shown only now; keep it safe",
                    key.id, key.name, key.role
                );
            }
        }
        Keys::List { json } => {
            for key in store.list_keys()? {
                if json {
                    writeln!(out, "{}", serde_json::to_string(&key)?)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        key.id,
                        key.role,
                        key.name,
                        key.created_at,
                        key.revoked_at
                            .as_deref()
                            .map_or("active".to_string(), |at| format!("revoked {at}"))
                    )?;
                }
            }
        }
        Keys::Revoke { id } => {
            if !store.revoke_key(&id)? {
                anyhow::bail!("no active key with id {id:?}");
            }
            eprintln!("key {id} revoked");
        }
    }
    Ok(())
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

pub fn run(cli: Cli) -> Result<()> {
    let dir = &cli.data_dir;
    let opening = || format!("opening data folder {}", dir.display());
    // Commands that write need the index's writer; beside a running server
    // they say what to do instead, in one line.
    let embed_config = cli.embed_config();
    // Semantic matching on, when a model is there: the claim vectors load
    // from the store (read-only beside a server too).
    let attach = |kb: KnowledgeBase| -> Result<KnowledgeBase> {
        if let Some(e) = embedder(&embed_config)? {
            kb.attach_embedder(e).context("loading the claim vectors")?;
        }
        Ok(kb)
    };
    let open_to = |instead: &str| match KnowledgeBase::open(dir) {
        Err(crate::Error::IndexBusy) => Err(anyhow::anyhow!(
            "the server on data folder {} holds the index: {instead}",
            dir.display()
        )),
        other => attach(other.with_context(opening)?),
    };
    // Read-only commands work beside a server, on what it last committed.
    let read = || attach(KnowledgeBase::open_read_only(dir).with_context(opening)?);
    match cli.command {
        Command::Keys { what } => keys(&cli.data_dir, what),
        Command::Posts { what } => posts(&open_to("use POST /api/v1/posts")?, what),
        // Listings read beside a running server; decisions need the writer.
        Command::Links {
            what: what @ Links::List { .. },
        } => links(&read()?, what),
        Command::Links { what } => links(&open_to("use the /api/v1/links routes")?, what),
        Command::Narratives {
            what: Narratives::List,
        } => narratives(&read()?, Narratives::List),
        Command::Narratives { what } => {
            narratives(&open_to("use the /api/v1/narratives routes")?, what)
        }
        Command::Audit { entity, id } => {
            print_lines(&read()?.audit_log(entity.as_deref(), id.as_deref())?)
        }
        Command::Serve { addr, options } => {
            let kb = open_to("stop it first, or serve another --data-dir")?;
            let seeded = kb.seed_if_new().context("loading the seed fact-checks")?;
            if seeded > 0 {
                tracing::info!(
                    claims = seeded,
                    "loaded seed fact-checks into a new data folder"
                );
            }
            kb.spawn_vector_worker();
            crate::server::serve(kb, addr, options)
        }
        Command::Import {
            file,
            format,
            strict,
            json,
            batch_size,
        } => import(
            &open_to("use POST /api/v1/import, or stop the server")?,
            &file,
            format,
            strict,
            json,
            batch_size,
        ),
        Command::Export { format, out } => {
            let kb = read()?;
            let n = match &out {
                Some(path) => {
                    let file = File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    kb.export(BufWriter::new(file), format)?
                }
                None => kb.export(BufWriter::new(io::stdout().lock()), format)?,
            };
            if out.is_some() {
                eprintln!("exported {n} claims");
            }
            Ok(())
        }
        Command::Search {
            query,
            lang,
            verdict,
            limit,
            json,
        } => {
            let mut page = read()?.search(&SearchQuery {
                q: query,
                lang,
                verdict,
                limit,
                ..SearchQuery::default()
            })?;
            // The CLI shows one page; its output stays the documented shape.
            page.next_cursor = None;
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer(&mut out, &page)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{} matching claims", page.total)?;
                for hit in &page.hits {
                    let c = &hit.claim;
                    let verdict = c.verdict.map_or("-", Verdict::as_str);
                    writeln!(
                        out,
                        "\n{:.2}  [{}] {}  ({})",
                        hit.score,
                        verdict,
                        c.id,
                        c.lang.as_deref().unwrap_or("?")
                    )?;
                    writeln!(out, "      {}", c.text)?;
                    if let Some(url) = &c.url {
                        writeln!(out, "      {url}")?;
                    }
                }
            }
            Ok(())
        }
        Command::Match {
            text,
            lang,
            url,
            top,
            batch,
            threads,
            json,
        } => {
            let kb = read()?;
            // Claims imported since the vectors last caught up get theirs
            // now; beside a server, the server's worker computes them.
            if kb.writable() {
                kb.sync_vectors(|_| {}).context("computing claim vectors")?;
            }
            match batch {
                Some(path) => match_batch(&kb, &path, top, threads),
                None => match_one(&kb, text.as_deref().unwrap_or(""), lang, url, top, json),
            }
        }
        Command::Eval {
            claims,
            queries,
            qrels,
            dedup,
            leave_out,
            baseline,
            samples_out,
            fusion_samples_out,
            vector_cache,
            rank_by,
            word_candidates,
            threads,
            json,
        } => eval(
            crate::eval::Task {
                claims,
                queries,
                qrels,
                dedup,
                leave_out,
                embedder: eval_embedder(&embed_config, vector_cache.as_deref())?,
            },
            baseline,
            (samples_out, fusion_samples_out),
            rank_by,
            word_candidates,
            threads,
            json,
        ),
        Command::Train {
            samples,
            l2,
            pairwise,
            fusion,
        } => match fusion {
            true => {
                print!("{}", crate::train::train_fusion(&samples, l2)?);
                Ok(())
            }
            false => {
                print!("{}", crate::train::train(&samples, l2, pairwise)?);
                Ok(())
            }
        },
        Command::Bench {
            what:
                Bench::Embed {
                    texts,
                    vectors,
                    data,
                    json,
                },
        } => {
            let e = embedder(&embed_config)?
                .context("no embedding model: run scripts/setup-model (and rebuild)")?;
            let r = crate::embed::bench::run(e.as_ref(), &data, texts, vectors)
                .context("benchmarking the embedding model")?;
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer(&mut out, &r)?;
            } else {
                write!(out, "{r}")?;
            }
            writeln!(out)?;
            Ok(())
        }
        Command::Bench {
            what:
                Bench::Match {
                    claims,
                    posts,
                    data,
                    seed,
                    json,
                },
        } => bench_match(
            &crate::bench::Options {
                claims,
                posts,
                data,
                seed,
            },
            json,
        ),
        Command::Bench {
            what:
                Bench::Pages {
                    claims,
                    pages,
                    data,
                    seed,
                    json,
                },
        } => bench_pages(
            &crate::bench::Options {
                claims,
                posts: pages,
                data,
                seed,
            },
            json,
        ),
        Command::Bench {
            what:
                Bench::Corpus {
                    claims,
                    posts,
                    data,
                    seed,
                    out,
                },
        } => {
            let options = crate::bench::Options {
                claims,
                posts,
                data,
                seed,
            };
            crate::bench::write_corpus(&options, &out)
                .with_context(|| format!("writing the corpus to {}", out.display()))?;
            eprintln!(
                "wrote {claims} claims and {posts} posts to {}",
                out.display()
            );
            Ok(())
        }
        Command::Reindex => {
            let n = open_to("stop the server, then run reindex")?.reindex()?;
            eprintln!("reindexed {n} claims");
            Ok(())
        }
        Command::Stats { json } => {
            let stats = read()?.stats()?;
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer(&mut out, &stats)?;
                writeln!(out)?;
            } else {
                writeln!(out, "claims       {}", stats.store.claims)?;
                writeln!(out, "appearances  {}", stats.store.appearances)?;
                writeln!(out, "by language  {}", pairs(&stats.store.by_lang))?;
                writeln!(out, "by verdict   {}", pairs(&stats.store.by_verdict))?;
                writeln!(
                    out,
                    "index        {} documents, change {} of {}, {:.1} MiB",
                    stats.index_docs,
                    stats.index_seq,
                    stats.store.last_seq,
                    stats.index_bytes as f64 / (1 << 20) as f64
                )?;
                match stats.claims_with_vectors {
                    Some(n) => writeln!(out, "vectors      {n} claims (semantic matching)")?,
                    None => writeln!(out, "vectors      none: matching is lexical only")?,
                }
            }
            Ok(())
        }
    }
}

fn pairs(counts: &[(String, u64)]) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn import(
    kb: &KnowledgeBase,
    file: &Path,
    format: Format,
    strict: bool,
    json: bool,
    batch_size: usize,
) -> Result<()> {
    let (input, len): (Box<dyn Read>, Option<u64>) = if file == Path::new("-") {
        (Box::new(io::stdin().lock()), None)
    } else {
        let f = File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let len = f.metadata().ok().map(|m| m.len());
        (Box::new(f), len)
    };
    let bar = (io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(len.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let input: Box<dyn Read> = match &bar {
        Some(bar) => Box::new(bar.wrap_read(input)),
        None => input,
    };
    let options = ImportOptions {
        format,
        strict,
        batch_size,
        source: file.to_path_buf(),
        max_records: None,
    };
    let report = kb.import(BufReader::with_capacity(1 << 20, input), &options, |p| {
        let ImportProgress::Committed { records } = p;
        match &bar {
            Some(bar) => bar.set_message(format!("{records} records")),
            // Off a terminal, one line per durable batch: logs (and the crash
            // test) can tell exactly what was committed.
            None => eprintln!("committed {records} records"),
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.with_context(|| format!("importing {}", file.display()))?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for e in &report.errors {
            eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
        }
        println!(
            "imported {}, updated {}, skipped {}",
            report.imported, report.updated, report.skipped
        );
    }
    Ok(())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn match_one(
    kb: &KnowledgeBase,
    text: &str,
    lang: Option<String>,
    url: Option<String>,
    top: usize,
    json: bool,
) -> Result<()> {
    if text.trim().is_empty() {
        anyhow::bail!("the post text is empty");
    }
    let req = crate::matcher::Request {
        text,
        url: url.as_deref(),
        lang: lang.as_deref().map(crate::text::Lang::from_code),
        top,
    };
    let matches = kb.match_post(&req)?;
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &serde_json::json!({ "matches": matches }))?;
        writeln!(out)?;
        return Ok(());
    }
    let shown: Vec<_> = matches
        .iter()
        .filter(|m| m.band != crate::matcher::Band::None)
        .collect();
    if shown.is_empty() {
        writeln!(out, "no known claim matches this post")?;
    }
    for m in shown {
        let c = &m.claim;
        let band = match m.band {
            crate::matcher::Band::Match => "MATCH",
            _ => "possible",
        };
        let verdict = c.verdict.map_or("-", Verdict::as_str);
        writeln!(out, "{band:8} {:.2}  [{verdict}] {}", m.score, c.id)?;
        writeln!(out, "         {}", c.text)?;
        if let Some(url) = &c.url {
            writeln!(out, "         {url}")?;
        }
        if !m.explanation.terms.is_empty() {
            writeln!(out, "         shared: {}", m.explanation.terms.join(", "))?;
        }
        if let Some(url) = &m.explanation.url {
            writeln!(out, "         same URL: {url}")?;
        }
    }
    Ok(())
}

fn match_batch(kb: &KnowledgeBase, path: &Path, top: usize, threads: Option<usize>) -> Result<()> {
    let input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).with_context(|| format!("opening {}", path.display()))?)
    };
    let stats = crate::batch::run(
        kb,
        BufReader::with_capacity(1 << 20, input),
        BufWriter::with_capacity(1 << 16, io::stdout()),
        top,
        threads.unwrap_or_else(cores),
    )
    .with_context(|| format!("matching {}", path.display()))?;
    if stats.errors > 0 {
        eprintln!(
            "{} of {} lines could not be matched (see their \"error\")",
            stats.errors, stats.posts
        );
    }
    Ok(())
}

/// The embedder an evaluation uses, behind a vector cache when asked.
fn eval_embedder(
    config: &crate::embed::Config,
    cache: Option<&Path>,
) -> Result<Option<std::sync::Arc<dyn crate::embed::Embedder>>> {
    let Some(e) = embedder(config)? else {
        return Ok(None);
    };
    Ok(Some(match cache {
        Some(dir) => std::sync::Arc::new(
            crate::embed::cache::Cached::open(e, dir)
                .with_context(|| format!("opening the vector cache {}", dir.display()))?,
        ),
        None => e,
    }))
}

/// Writes samples as `query, claim, relevant, values...` lines.
fn write_samples<'a>(
    path: &Path,
    rows: impl Iterator<Item = (&'a crate::eval::Sample, &'a [f32])>,
) -> Result<()> {
    let mut out =
        BufWriter::new(File::create(path).with_context(|| format!("creating {}", path.display()))?);
    for (s, values) in rows {
        write!(out, "{}\t{}\t{}", s.query, s.claim, u8::from(s.relevant))?;
        for v in values {
            write!(out, "\t{v}")?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

fn eval(
    task: crate::eval::Task,
    baseline: bool,
    (samples_out, fusion_samples_out): (Option<PathBuf>, Option<PathBuf>),
    rank_by: Option<String>,
    word_candidates: Option<usize>,
    threads: Option<usize>,
    json: bool,
) -> Result<()> {
    let mut params = crate::matcher::Params::default();
    if let Some(n) = word_candidates {
        params.word_candidates = n.max(1);
    }
    let rank_by = rank_by
        .map(|name| {
            crate::matcher::features::NAMES
                .iter()
                .position(|n| *n == name)
                .with_context(|| format!("no feature named {name}"))
        })
        .transpose()?;
    let mut samples = Vec::new();
    let report = crate::eval::run(
        &task,
        baseline,
        threads.unwrap_or_else(cores),
        (samples_out.is_some() || fusion_samples_out.is_some()).then_some(&mut samples),
        rank_by,
        &params,
    )
    .context("evaluating")?;
    if let Some(path) = &samples_out {
        write_samples(path, samples.iter().map(|s| (s, &s.values[..])))?;
    }
    if let Some(path) = &fusion_samples_out {
        let rows = samples
            .iter()
            .filter_map(|s| s.fusion.as_ref().map(|f| (s, &f[..])));
        write_samples(path, rows)?;
    }
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    let row = |name: &str, m: &crate::eval::Metrics| {
        format!(
            "{name:<14} {:>5}  {:.4}  {:.4}  {:.4}  {:.4}  {:.4}",
            m.queries, m.map_1, m.map_5, m.recall_5, m.recall_10, m.mrr
        )
    };
    writeln!(
        out,
        "claims {}, {:.2} ms per post",
        report.claims, report.mean_ms_per_post
    )?;
    writeln!(
        out,
        "{:<14} {:>5}  {:<6}  {:<6}  {:<6}  {:<6}  {:<6}",
        "", "posts", "MAP@1", "MAP@5", "R@5", "R@10", "MRR"
    )?;
    writeln!(out, "{}", row("debunk", &report.metrics))?;
    if let Some(m) = &report.dedup_metrics {
        writeln!(out, "{}", row("debunk, dedup", m))?;
    }
    if let Some(m) = &report.baseline {
        writeln!(out, "{}", row("plain BM25", m))?;
    }
    for (lang, m) in &report.by_lang {
        writeln!(out, "{}", row(&format!("  lang {lang}"), m))?;
    }
    let cuts: Vec<String> = report
        .cut_offs
        .iter()
        .map(|c| format!("{:.2}:{:.3}/{:.0}%", c.at, c.precision, c.coverage * 100.0))
        .collect();
    writeln!(out, "cut-offs (at:precision/coverage) {}", cuts.join(" "))?;
    let b = &report.match_band;
    writeln!(
        out,
        "match band: {} of {} right (precision {:.3}), {:.1}% of posts",
        b.correct,
        b.queries,
        b.precision,
        b.coverage * 100.0
    )?;
    if b.unrelated > 0 {
        writeln!(
            out,
            "match band on {} posts that repeat no claim",
            b.unrelated
        )?;
    }
    Ok(())
}

fn bench_match(options: &crate::bench::Options, json: bool) -> Result<()> {
    let r = crate::bench::run_match(options, |line| eprintln!("{line}")).with_context(|| {
        format!(
            "benchmarking matching (data from {})",
            options.data.display()
        )
    })?;
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &r)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "claims            {} ({}; the data has no fr or es claims)",
        r.claims,
        r.languages.join(", ")
    )?;
    writeln!(out, "posts             {} (seed {})", r.posts, r.seed)?;
    writeln!(
        out,
        "build             {:.1} s, index {:.1} MiB, matching copies {:.1} MiB",
        r.build_seconds,
        r.index_bytes as f64 / (1 << 20) as f64,
        r.matching_memory_bytes as f64 / (1 << 20) as f64
    )?;
    writeln!(out, "speed, one core   {:.0} posts/s", r.posts_per_second)?;
    writeln!(
        out,
        "latency           p50 {:.0} µs, p99 {:.0} µs, mean {:.0} µs",
        r.p50_us, r.p99_us, r.mean_us
    )?;
    writeln!(
        out,
        "top-1 agreement   {:.3} (default vs exhaustive retrieval)",
        r.top1_agreement
    )?;
    writeln!(
        out,
        "recall@1          {:.3} default, {:.3} exhaustive (noisy copies)",
        r.recall_at_1, r.recall_at_1_exhaustive
    )?;
    Ok(())
}

fn bench_pages(options: &crate::bench::Options, json: bool) -> Result<()> {
    let r = crate::bench::run_pages(options, |line| eprintln!("{line}"))
        .with_context(|| format!("benchmarking pages (data from {})", options.data.display()))?;
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &r)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "claims            {} (seed {})", r.claims, r.seed)?;
    writeln!(out, "build             {:.1} s", r.build_seconds)?;
    writeln!(
        out,
        "search page       p50 {:.0} µs, p99 {:.0} µs ({} pages)",
        r.search_p50_us, r.search_p99_us, r.pages
    )?;
    writeln!(
        out,
        "claim page        p50 {:.0} µs, p99 {:.0} µs ({} pages)",
        r.claim_p50_us, r.claim_p99_us, r.pages
    )?;
    Ok(())
}
