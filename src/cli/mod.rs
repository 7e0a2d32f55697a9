//! The command line: parse, call the knowledge base, print. Errors carry
//! context with `anyhow` and end as one line on stderr with a non-zero exit.

//!
//! One file per family of commands: `args` (every command and option),
//! `keys`, `transfer` (import), `matching`, `eval`, `bench`; this file
//! opens the knowledge base each command needs and dispatches.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use anyhow::{Context, Result};

use crate::index::SearchQuery;
use crate::kb::KnowledgeBase;
use crate::verdict::Verdict;

use self::bench::{bench_match, bench_pages, bench_suite};
use self::eval::{eval, eval_embedder};
use self::keys::keys;
use self::matching::{match_batch, match_one};
use self::moderation::{links, narratives, posts, print_lines, settings};
use self::transfer::import;

mod args;
mod bench;
mod eval;
mod keys;
mod matching;
mod moderation;
mod transfer;

pub use args::{Bench, Cli, Command, Keys, Links, Narratives, Posts, Switch};

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
        Command::Posts {
            what: what @ Posts::Show { .. },
        } => posts(&read()?, what),
        Command::Posts { what } => posts(&open_to("use POST /api/v1/posts")?, what),
        // Listings read beside a running server; decisions need the writer.
        Command::Links {
            what: what @ Links::List { .. },
        } => links(&read()?, what),
        Command::Links { what } => links(&open_to("use the /api/v1/links routes")?, what),
        Command::Narratives {
            what: what @ (Narratives::List | Narratives::Show { .. }),
        } => narratives(&read()?, what),
        Command::Narratives { what } => {
            narratives(&open_to("use the /api/v1/narratives routes")?, what)
        }
        Command::Review { filter } => print_lines(&read()?.review(&filter)?),
        Command::Settings {
            suggest_at: None,
            confirm_at: None,
        } => settings(&read()?, None, None),
        Command::Settings {
            suggest_at,
            confirm_at,
        } => settings(
            &open_to("use PUT /api/v1/settings")?,
            suggest_at,
            confirm_at,
        ),
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
            publisher,
            narrative,
            limit,
            json,
        } => {
            let mut page = read()?.search(&SearchQuery {
                q: query,
                lang,
                verdict,
                publisher,
                narrative,
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
            narrative,
            posted_at,
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
                None => {
                    let post = matching::Post {
                        text: text.as_deref().unwrap_or(""),
                        lang,
                        url,
                        narrative,
                        posted_at,
                    };
                    match_one(&kb, post, top, json)
                }
            }
        }
        Command::Eval {
            claims,
            queries,
            qrels,
            dedup,
            leave_out,
            use_query_lang,
            baseline,
            samples_out,
            fusion_samples_out,
            run_out,
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
                use_query_lang,
                embedder: eval_embedder(&embed_config, vector_cache.as_deref())?,
            },
            baseline,
            (samples_out, fusion_samples_out, run_out),
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
                Some(Bench::Embed {
                    texts,
                    vectors,
                    data,
                    json,
                }),
            ..
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
                Some(Bench::Match {
                    claims,
                    posts,
                    data,
                    seed,
                    json,
                }),
            ..
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
                Some(Bench::Pages {
                    claims,
                    pages,
                    data,
                    seed,
                    json,
                }),
            ..
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
                Some(Bench::Corpus {
                    claims,
                    posts,
                    data,
                    seed,
                    out,
                }),
            ..
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
        Command::Bench { what: None, all } => bench_suite(&all, &embed_config),
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
