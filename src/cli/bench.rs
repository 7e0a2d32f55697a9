//! `debunk bench`: the printers of the benchmarks' figures.

use std::io::{self, Write};

use anyhow::{Context, Result};

pub(super) fn bench_match(options: &crate::bench::Options, json: bool) -> Result<()> {
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

pub(super) fn bench_pages(options: &crate::bench::Options, json: bool) -> Result<()> {
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
