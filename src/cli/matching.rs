//! `debunk match`: one post, or a JSONL stream of them on every core.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::kb::KnowledgeBase;
use crate::verdict::Verdict;

pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One post to match, as the command line gives it.
pub(super) struct Post<'a> {
    pub text: &'a str,
    pub lang: Option<String>,
    pub url: Option<String>,
    /// Only claims of this narrative.
    pub narrative: Option<String>,
    pub posted_at: Option<String>,
}

pub(super) fn match_one(kb: &KnowledgeBase, post: Post<'_>, top: usize, json: bool) -> Result<()> {
    if post.text.trim().is_empty() {
        anyhow::bail!("the post text is empty");
    }
    let req = crate::matcher::Request {
        text: post.text,
        url: post.url.as_deref(),
        lang: post.lang.as_deref().map(crate::text::Lang::from_code),
        top,
        posted_at: post.posted_at.as_deref(),
    };
    let matches = match &post.narrative {
        Some(n) => kb.match_in_narrative(&req, n)?,
        None => kb.match_post(&req)?,
    };
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
        if let Some(narrative) = &c.narrative {
            writeln!(out, "         narrative: {narrative}")?;
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

pub(super) fn match_batch(
    kb: &KnowledgeBase,
    path: &Path,
    top: usize,
    threads: Option<usize>,
) -> Result<()> {
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
