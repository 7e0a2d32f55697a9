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
