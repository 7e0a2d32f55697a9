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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the JSON API (loads the seed fact-checks into a new data folder).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
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
    /// Rebuild the search index from the store.
    Reindex,
    /// Counts by language and verdict, and the index state.
    Stats {
        #[arg(long)]
        json: bool,
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

pub fn run(cli: Cli) -> Result<()> {
    let open = || {
        KnowledgeBase::open(&cli.data_dir)
            .with_context(|| format!("opening data folder {}", cli.data_dir.display()))
    };
    match cli.command {
        Command::Serve { addr } => {
            let kb = open()?;
            let seeded = kb.seed_if_new().context("loading the seed fact-checks")?;
            if seeded > 0 {
                tracing::info!(
                    claims = seeded,
                    "loaded seed fact-checks into a new data folder"
                );
            }
            crate::api::serve(kb, addr)
        }
        Command::Import {
            file,
            format,
            strict,
            json,
            batch_size,
        } => import(&open()?, &file, format, strict, json, batch_size),
        Command::Export { format, out } => {
            let kb = open()?;
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
            let page = open()?.search(&SearchQuery {
                q: query,
                lang,
                verdict,
                limit,
                ..SearchQuery::default()
            })?;
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
        Command::Reindex => {
            let n = open()?.reindex()?;
            eprintln!("reindexed {n} claims");
            Ok(())
        }
        Command::Stats { json } => {
            let stats = open()?.stats()?;
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
