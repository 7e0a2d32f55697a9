//! `debunk bench embed`: what the semantic model costs, measured.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{Embedder, Vectors};
use crate::error::{Error, Result};

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub model: String,
    pub texts: usize,
    /// One text per call, as a single post is matched.
    pub single_ms_per_text: f64,
    /// `claims::BATCH` texts per call, as claims are embedded at import.
    pub batch_ms_per_text: f64,
    pub batch_texts_per_second: f64,
    pub vectors: usize,
    /// One exact top-20 search over `vectors` claim vectors.
    pub search_ms: f64,
    pub vector_bytes: u64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "model             {} ({} texts)", self.model, self.texts)?;
        writeln!(
            f,
            "one at a time     {:.1} ms per text",
            self.single_ms_per_text
        )?;
        writeln!(
            f,
            "batched           {:.1} ms per text ({:.0} texts/s)",
            self.batch_ms_per_text, self.batch_texts_per_second
        )?;
        write!(
            f,
            "exact search      {:.2} ms per post over {} vectors ({:.0} MiB)",
            self.search_ms,
            self.vectors,
            self.vector_bytes as f64 / (1 << 20) as f64
        )
    }
}

/// Claim texts of the English 2A set and the Arabic records, alternating.
fn texts(data: &Path, n: usize) -> Result<Vec<String>> {
    let read = |rel: &str| -> Result<Vec<String>> {
        let path = data.join(rel);
        let body = std::fs::read_to_string(&path)
            .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
        Ok(body
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text")?.as_str().map(str::to_string))
            .take(n)
            .collect())
    };
    let en = read("clef2022-task2a-en/claims.jsonl")?;
    let ar = read("arabic-tweets-clef2022/train_tweets.jsonl").unwrap_or_default();
    let mut out: Vec<String> = Vec::with_capacity(n);
    let (mut a, mut b) = (en.into_iter(), ar.into_iter());
    while out.len() < n {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) => out.extend(x.into_iter().chain(y)),
        }
    }
    out.truncate(n);
    Ok(out)
}

pub fn run(embedder: &dyn Embedder, data: &Path, n: usize, vectors: usize) -> Result<Report> {
    let texts = texts(data, n.max(1))?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    // Warm-up: page the weights in.
    embedder.embed(&refs[..refs.len().min(4)])?;
    let started = Instant::now();
    for t in &refs {
        embedder.embed(std::slice::from_ref(t))?;
    }
    let single = started.elapsed().as_secs_f64() * 1000.0 / refs.len() as f64;
    let started = Instant::now();
    for chunk in refs.chunks(super::claims::BATCH) {
        embedder.embed(chunk)?;
    }
    let batch = started.elapsed().as_secs_f64() * 1000.0 / refs.len() as f64;

    let dim = embedder.dim();
    let mut store = Vectors::new(dim);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut v = vec![0f32; dim];
    for i in 0..vectors {
        for slot in &mut v {
            // xorshift: cheap, deterministic filler.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *slot = (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
        }
        super::normalize(&mut v);
        store.upsert(&i.to_string(), &v);
    }
    let query = embedder.embed(&refs[..1])?.remove(0);
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(store.search(&query, 20, |_| true));
    }
    let search = started.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    Ok(Report {
        model: embedder.name().to_string(),
        texts: refs.len(),
        single_ms_per_text: single,
        batch_ms_per_text: batch,
        batch_texts_per_second: 1000.0 / batch,
        vectors,
        search_ms: search,
        vector_bytes: store.memory_bytes(),
    })
}
