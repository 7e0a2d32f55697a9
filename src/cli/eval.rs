//! `debunk eval`: matching quality on a claim-retrieval task, and the
//! samples the model fits read.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{embedder, matching::cores};

/// The embedder an evaluation uses, behind a vector cache when asked.
pub(super) fn eval_embedder(
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

/// The ranking as a TREC run file: `query Q0 claim rank score debunk`.
fn write_run(path: &std::path::Path, ranked: &[(String, Vec<(String, f32)>)]) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = io::BufWriter::new(file);
    for (query, claims) in ranked {
        for (i, (claim, score)) in claims.iter().enumerate() {
            writeln!(out, "{query} Q0 {claim} {} {score:.6} debunk", i + 1)?;
        }
    }
    out.flush()?;
    Ok(())
}

pub(super) fn eval(
    task: crate::eval::Task,
    baseline: bool,
    (samples_out, fusion_samples_out, run_out): (Option<PathBuf>, Option<PathBuf>, Option<PathBuf>),
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
    if let Some(path) = &run_out {
        write_run(path, &report.ranked)?;
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
