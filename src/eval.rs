//! Measuring matching quality on claim-retrieval tasks (CheckThat! layout:
//! `claims.jsonl`, `*_queries.jsonl`, `*_qrels.tsv`, optional dedup map).
//!
//! Measures follow the CheckThat! definitions: a query's AP@k sums
//! precision@i at each relevant hit i ≤ k and divides by its number of
//! relevant claims; MAP@k is the mean over queries; Recall@k is the share of a
//! query's relevant claims in its top k; MRR uses the first relevant hit in the
//! returned list.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A post to match, as in the `*_queries.jsonl` files.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Query {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub lang: Option<String>,
    /// When the post was published, if the set says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
}

/// Relevant claim ids per query id.
pub type Qrels = HashMap<String, HashSet<String>>;

/// Ranked claim ids per query, best first.
pub type Run = Vec<(String, Vec<String>)>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub queries: usize,
    pub map_1: f64,
    pub map_5: f64,
    pub recall_5: f64,
    pub recall_10: f64,
    pub mrr: f64,
}

pub fn load_queries(path: &Path) -> Result<Vec<Query>> {
    read_lines(path)?
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(&line).map_err(|e| Error::BadRecord {
                file: path.to_path_buf(),
                line: i as u64 + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// Reads `query_id<TAB>claim_id` lines (a header line, if any, is skipped).
pub fn load_qrels(path: &Path) -> Result<Qrels> {
    let mut qrels = Qrels::new();
    for (query, claim) in read_pairs(path)? {
        qrels.entry(query).or_default().insert(claim);
    }
    Ok(qrels)
}

/// Reads `claim_id<TAB>canonical_id` lines.
pub fn load_dedup(path: &Path) -> Result<HashMap<String, String>> {
    Ok(read_pairs(path)?.into_iter().collect())
}

fn read_lines(path: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Invalid(format!("cannot open {}: {e}", path.display())))?;
    Ok(std::io::BufReader::new(file)
        .lines()
        .collect::<std::io::Result<_>>()?)
}

fn read_pairs(path: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, line) in read_lines(path)?.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(a), Some(b)) = (cols.next(), cols.next()) else {
            return Err(Error::BadRecord {
                file: path.to_path_buf(),
                line: i as u64 + 1,
                reason: "expected two tab-separated columns".into(),
            });
        };
        let (a, b) = (a.trim(), b.trim());
        // The data sets' files start with a header naming the columns.
        if i == 0 && (a.ends_with("_id") || a == "qid") {
            continue;
        }
        out.push((a.to_string(), b.to_string()));
    }
    Ok(out)
}

/// Scores a run against qrels; queries without qrels are left out. With a
/// dedup map, claim ids on both sides are mapped to their group first and a
/// group counts once in a ranking.
pub fn score(run: &Run, qrels: &Qrels, dedup: Option<&HashMap<String, String>>) -> Metrics {
    let canon = |id: &str| -> String {
        dedup
            .and_then(|d| d.get(id))
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let mut m = Metrics::default();
    for (qid, ranked) in run {
        let Some(relevant) = qrels.get(qid) else {
            continue;
        };
        let relevant: HashSet<String> = relevant.iter().map(|c| canon(c)).collect();
        let mut seen = HashSet::new();
        let ranked: Vec<String> = ranked
            .iter()
            .map(|c| canon(c))
            .filter(|c| seen.insert(c.clone()))
            .collect();
        let n_rel = relevant.len() as f64;
        let ap = |k: usize| {
            let mut hits = 0.0;
            let mut sum = 0.0;
            for (i, c) in ranked.iter().take(k).enumerate() {
                if relevant.contains(c) {
                    hits += 1.0;
                    sum += hits / (i + 1) as f64;
                }
            }
            sum / n_rel
        };
        let recall = |k: usize| {
            ranked
                .iter()
                .take(k)
                .filter(|c| relevant.contains(*c))
                .count() as f64
                / n_rel
        };
        m.queries += 1;
        m.map_1 += ap(1);
        m.map_5 += ap(5);
        m.recall_5 += recall(5);
        m.recall_10 += recall(10);
        m.mrr += ranked
            .iter()
            .position(|c| relevant.contains(c))
            .map_or(0.0, |p| 1.0 / (p + 1) as f64);
    }
    if m.queries > 0 {
        let n = m.queries as f64;
        m.map_1 /= n;
        m.map_5 /= n;
        m.recall_5 /= n;
        m.recall_10 /= n;
        m.mrr /= n;
    }
    m
}

/// Scores a run per query language (as given in the queries file, else `unknown`).
pub fn score_by_lang(run: &Run, qrels: &Qrels, queries: &[Query]) -> BTreeMap<String, Metrics> {
    let lang_of: HashMap<&str, &str> = queries
        .iter()
        .map(|q| (q.id.as_str(), q.lang.as_deref().unwrap_or("unknown")))
        .collect();
    let mut groups: BTreeMap<String, Run> = BTreeMap::new();
    for entry in run {
        let lang = lang_of.get(entry.0.as_str()).copied().unwrap_or("unknown");
        groups
            .entry(lang.to_string())
            .or_default()
            .push(entry.clone());
    }
    groups
        .into_iter()
        .map(|(lang, run)| {
            let m = score(&run, qrels, None);
            (lang, m)
        })
        .collect()
}

/// The reference point of `shared/data/README.md`: plain BM25 (k1 1.2, b 0.75)
/// over lowercased word tokens of claim text + title, no stemming, no stop words.
pub struct PlainBm25 {
    ids: Vec<String>,
    lengths: Vec<f32>,
    postings: HashMap<String, Vec<(u32, f32)>>,
    avg_len: f32,
}

impl PlainBm25 {
    pub fn new<'a>(docs: impl IntoIterator<Item = (&'a str, String)>) -> PlainBm25 {
        let mut bm = PlainBm25 {
            ids: Vec::new(),
            lengths: Vec::new(),
            postings: HashMap::new(),
            avg_len: 0.0,
        };
        for (id, text) in docs {
            let doc = bm.ids.len() as u32;
            let tokens = plain_tokens(&text);
            let mut tf: HashMap<String, f32> = HashMap::new();
            for t in &tokens {
                *tf.entry(t.clone()).or_default() += 1.0;
            }
            for (t, f) in tf {
                bm.postings.entry(t).or_default().push((doc, f));
            }
            bm.ids.push(id.to_string());
            bm.lengths.push(tokens.len() as f32);
        }
        bm.avg_len = bm.lengths.iter().sum::<f32>() / bm.lengths.len().max(1) as f32;
        bm
    }

    pub fn rank(&self, query: &str, k: usize) -> Vec<String> {
        let (k1, b) = (1.2f32, 0.75f32);
        let n = self.ids.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        let terms: HashSet<String> = plain_tokens(query).into_iter().collect();
        for t in terms {
            let Some(list) = self.postings.get(&t) else {
                continue;
            };
            let df = list.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                let norm = k1 * (1.0 - b + b * self.lengths[doc as usize] / self.avg_len);
                *scores.entry(doc).or_default() += idf * tf * (k1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(k)
            .map(|(d, _)| self.ids[d as usize].clone())
            .collect()
    }
}

fn plain_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels(pairs: &[(&str, &str)]) -> Qrels {
        let mut q = Qrels::new();
        for (a, b) in pairs {
            q.entry(a.to_string()).or_default().insert(b.to_string());
        }
        q
    }

    fn run(entries: &[(&str, &[&str])]) -> Run {
        entries
            .iter()
            .map(|(q, r)| (q.to_string(), r.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn average_precision_divides_by_the_number_of_relevant_claims() {
        let q = qrels(&[("q1", "a"), ("q1", "b"), ("q2", "c")]);
        let r = run(&[
            ("q1", &["a", "x", "b"]),
            ("q2", &["x", "y", "z", "w", "v", "c"]),
        ]);
        let m = score(&r, &q, None);
        // q1: (1/1 + 2/3) / 2; q2: nothing in the top 5.
        assert!((m.map_5 - (1.0 + 2.0 / 3.0) / 2.0 / 2.0).abs() < 1e-9);
        assert!((m.map_1 - 0.25).abs() < 1e-9);
        assert!((m.recall_5 - 0.5).abs() < 1e-9);
        assert!((m.recall_10 - 1.0).abs() < 1e-9);
        assert!((m.mrr - (1.0 + 1.0 / 6.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_dedup_map_credits_any_member_of_a_group_once() {
        let q = qrels(&[("q", "a")]);
        let dedup: HashMap<String, String> =
            [("b".to_string(), "a".to_string())].into_iter().collect();
        let r = run(&[("q", &["b", "a", "c"])]);
        assert_eq!(score(&r, &q, None).map_1, 0.0);
        let m = score(&r, &q, Some(&dedup));
        assert_eq!(m.map_1, 1.0);
        assert_eq!(m.recall_5, 1.0);
    }

    #[test]
    fn plain_bm25_prefers_the_document_sharing_rare_words() {
        let bm = PlainBm25::new([
            ("1", "the cat sat on the mat".to_string()),
            ("2", "the dog ate the bone".to_string()),
            ("3", "a cat and a dog".to_string()),
        ]);
        assert_eq!(bm.rank("dog bone", 3)[0], "2");
        assert_eq!(bm.rank("mat", 3), vec!["1"]);
    }
}

/// One evaluation task: files in the CheckThat! layout.
#[derive(Clone, Debug)]
pub struct Task {
    pub claims: std::path::PathBuf,
    pub queries: std::path::PathBuf,
    pub qrels: std::path::PathBuf,
    pub dedup: Option<std::path::PathBuf>,
    /// Query files of other tasks: a query whose text is also in one of
    /// them is left out (a train split that holds another set's dev posts).
    pub leave_out: Vec<std::path::PathBuf>,
    /// Semantic matching with this embedder (lexical only without).
    pub embedder: Option<std::sync::Arc<dyn crate::embed::Embedder>>,
    /// Pass each query's `lang` to the matcher. Off by default: posts in
    /// the wild carry no language, so the figures should include the cost
    /// of identifying it.
    pub use_query_lang: bool,
}

/// What `run` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub claims: u64,
    pub metrics: Metrics,
    /// Scored through the dedup map, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup_metrics: Option<Metrics>,
    pub by_lang: BTreeMap<String, Metrics>,
    /// Plain BM25 on the same task, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Metrics>,
    /// Queries whose best match fell in the `match` band, and how many of those were right.
    pub match_band: BandReport,
    /// What other `match` cut-offs would give, for choosing one on train data.
    pub cut_offs: Vec<CutOff>,
    pub mean_ms_per_post: f64,
    /// Each query's top 10 with their scores, for a run file.
    #[serde(skip)]
    pub ranked: Vec<(String, Vec<(String, f32)>)>,
}

/// Precision and coverage of the top match if the `match` cut-off were `at`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct CutOff {
    pub at: f32,
    pub precision: f64,
    pub coverage: f64,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct BandReport {
    /// Posts with no relevant claim (they repeat nothing) whose best match
    /// is in the band anyway.
    pub unrelated: usize,
    pub queries: usize,
    pub correct: usize,
    pub precision: f64,
    /// Share of all queries answered in the band.
    pub coverage: f64,
}

/// One candidate's features and label, for fitting the model.
pub struct Sample {
    pub query: String,
    pub claim: String,
    pub relevant: bool,
    pub values: [f32; crate::matcher::features::N],
    /// The semantic stage's features, when it scored the candidate.
    pub fusion: Option<[f32; crate::matcher::semantic::M]>,
}

/// Builds a knowledge base in memory from the task's claims, matches every
/// query on `threads` threads, and scores the rankings.
pub fn run(
    task: &Task,
    baseline: bool,
    threads: usize,
    mut samples: Option<&mut Vec<Sample>>,
    rank_by: Option<usize>,
    params: &crate::matcher::Params,
) -> Result<Report> {
    use crate::kb::{ImportOptions, KnowledgeBase};
    use crate::matcher::{Band, Request};

    let kb = KnowledgeBase::open_in_memory()?;
    let file = std::fs::File::open(&task.claims)
        .map_err(|e| Error::Invalid(format!("cannot open {}: {e}", task.claims.display())))?;
    let options = ImportOptions {
        source: task.claims.clone(),
        batch_size: 50_000,
        ..ImportOptions::default()
    };
    let imported = kb.import(std::io::BufReader::new(file), &options, |_| {})?;
    if let Some(embedder) = &task.embedder {
        kb.attach_embedder(embedder.clone())?;
        kb.sync_vectors(|_| {})?;
    }
    let mut queries = load_queries(&task.queries)?;
    if !task.leave_out.is_empty() {
        let mut texts = HashSet::new();
        for path in &task.leave_out {
            texts.extend(load_queries(path)?.into_iter().map(|q| q.text));
        }
        queries.retain(|q| !texts.contains(&q.text));
    }
    let qrels = load_qrels(&task.qrels)?;
    let dedup = task.dedup.as_deref().map(load_dedup).transpose()?;

    let started = std::time::Instant::now();
    let threads = threads.max(1);
    let chunk = queries.len().div_ceil(threads).max(1);
    let want_samples = samples.is_some();
    type Out = (
        Vec<(String, Vec<String>)>,
        Vec<(String, f32, Band)>,
        Vec<Sample>,
        Vec<(String, Vec<(String, f32)>)>,
    );
    let results: Vec<Result<Out>> = std::thread::scope(|scope| {
        let handles: Vec<_> = queries
            .chunks(chunk)
            .map(|part| {
                let kb = kb.clone();
                let qrels = &qrels;
                scope.spawn(move || -> Result<Out> {
                    let mut run = Vec::new();
                    let mut tops = Vec::new();
                    let mut samples = Vec::new();
                    let mut ranked = Vec::new();
                    for q in part {
                        let req = Request {
                            text: &q.text,
                            lang: q
                                .lang
                                .as_deref()
                                .filter(|_| task.use_query_lang)
                                .map(crate::text::Lang::from_code),
                            top: 1000,
                            url: None,
                            posted_at: q.posted_at.as_deref(),
                        };
                        let mut matches = kb.match_with(&req, params)?;
                        if let Some(i) = rank_by {
                            // Diagnostics: how well one feature ranks on its own.
                            matches.sort_by(|a, b| {
                                b.features.values[i].total_cmp(&a.features.values[i])
                            });
                        }
                        if let Some(best) = matches.first() {
                            tops.push((q.id.clone(), best.score, best.band));
                        }
                        if want_samples {
                            let relevant = qrels.get(&q.id);
                            for m in &matches {
                                samples.push(Sample {
                                    query: q.id.clone(),
                                    claim: m.claim_id.clone(),
                                    relevant: relevant.is_some_and(|r| r.contains(&m.claim_id)),
                                    values: m.features.values,
                                    fusion: m.fusion,
                                });
                            }
                        }
                        ranked.push((
                            q.id.clone(),
                            matches
                                .iter()
                                .take(10)
                                .map(|m| (m.claim_id.clone(), m.score))
                                .collect(),
                        ));
                        run.push((
                            q.id.clone(),
                            matches.into_iter().map(|m| m.claim_id).collect(),
                        ));
                    }
                    Ok((run, tops, samples, ranked))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Invalid("a matching thread panicked".into())))
            })
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut run: Run = Vec::new();
    let mut tops = Vec::new();
    let mut ranked = Vec::new();
    for r in results {
        let (part_run, part_tops, part_samples, part_ranked) = r?;
        run.extend(part_run);
        ranked.extend(part_ranked);
        tops.extend(part_tops);
        if let Some(out) = samples.as_deref_mut() {
            out.extend(part_samples);
        }
    }

    let mut band = BandReport::default();
    let canon = |id: &str| -> String {
        dedup
            .as_ref()
            .and_then(|d| d.get(id))
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let judged = tops
        .iter()
        .filter(|(q, _, _)| qrels.contains_key(q))
        .count();
    let top_right = |q: &str| -> bool {
        let Some(rel) = qrels.get(q) else {
            return false;
        };
        run.iter()
            .find(|(id, _)| id == q)
            .and_then(|(_, r)| r.first())
            .is_some_and(|t| rel.iter().any(|r| canon(r) == canon(t)))
    };
    let cut_offs = (10..=19)
        .map(|i| i as f32 * 0.05)
        .map(|at| {
            let above: Vec<&String> = tops
                .iter()
                .filter(|(q, s, _)| *s >= at && qrels.contains_key(q))
                .map(|(q, _, _)| q)
                .collect();
            let right = above.iter().filter(|q| top_right(q)).count();
            CutOff {
                at,
                precision: if above.is_empty() {
                    1.0
                } else {
                    right as f64 / above.len() as f64
                },
                coverage: above.len() as f64 / judged.max(1) as f64,
            }
        })
        .collect();
    for (q, _, b) in &tops {
        if *b != Band::Match {
            continue;
        }
        let Some(rel) = qrels.get(q) else {
            band.unrelated += 1;
            continue;
        };
        band.queries += 1;
        let top = run
            .iter()
            .find(|(id, _)| id == q)
            .and_then(|(_, r)| r.first());
        if top.is_some_and(|t| rel.iter().any(|r| canon(r) == canon(t))) {
            band.correct += 1;
        }
    }
    if band.queries > 0 {
        band.precision = band.correct as f64 / band.queries as f64;
    }
    if judged > 0 {
        band.coverage = band.queries as f64 / judged as f64;
    }

    let baseline = if baseline {
        let claims = kb_claim_texts(&kb)?;
        let bm25 = PlainBm25::new(claims.iter().map(|(id, t)| (id.as_str(), t.clone())));
        let run: Run = queries
            .iter()
            .map(|q| (q.id.clone(), bm25.rank(&q.text, 10)))
            .collect();
        Some(score(&run, &qrels, None))
    } else {
        None
    };

    Ok(Report {
        claims: imported.imported + imported.updated,
        metrics: score(&run, &qrels, None),
        dedup_metrics: dedup.as_ref().map(|d| score(&run, &qrels, Some(d))),
        by_lang: score_by_lang(&run, &qrels, &queries),
        baseline,
        match_band: band,
        cut_offs,
        mean_ms_per_post: elapsed * 1000.0 * threads as f64 / queries.len().max(1) as f64,
        ranked,
    })
}

/// (id, text + title) of every stored claim, for the plain BM25 reference.
fn kb_claim_texts(kb: &crate::kb::KnowledgeBase) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    kb.for_each_claim(|c| {
        let text = match &c.title {
            Some(t) => format!("{} {t}", c.text),
            None => c.text,
        };
        out.push((c.id, text));
        Ok(())
    })?;
    Ok(out)
}
