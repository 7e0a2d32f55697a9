//! Claim vectors in memory, searched exactly: a dot product with every
//! vector (they are unit length, so it is the cosine). 384 floats a claim:
//! 1.5 KiB, 1.5 GiB at a million claims; `debunk bench match` measures the
//! time per post.

use std::collections::HashMap;

/// A claim close to the query, with its cosine similarity.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub claim_id: String,
    pub score: f32,
}

/// Unit vectors by claim id, packed in one array for a cache-friendly scan.
/// A claim may have several: its own text's first, then those of the posts
/// it appeared in (a confirmed post says the claim as it goes around), and
/// it is as similar to a query as its most similar one.
#[derive(Clone, Debug)]
pub struct Vectors {
    dim: usize,
    /// The claim of each row.
    ids: Vec<String>,
    /// The rows of each claim, its own text's first.
    at: HashMap<String, Vec<usize>>,
    data: Vec<f32>,
}

impl Vectors {
    pub fn new(dim: usize) -> Vectors {
        Vectors {
            dim,
            ids: Vec::new(),
            at: HashMap::new(),
            data: Vec::new(),
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Claims that have a vector.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Sets the claim's one vector; one of another length is ignored.
    pub fn upsert(&mut self, claim_id: &str, v: &[f32]) {
        self.set(claim_id, std::iter::once(v));
    }

    /// Sets the claim's vectors, its own text's first; those of another
    /// length are ignored.
    pub fn set<'a>(&mut self, claim_id: &str, vs: impl IntoIterator<Item = &'a [f32]>) {
        let vs: Vec<&[f32]> = vs.into_iter().filter(|v| v.len() == self.dim).collect();
        if vs.is_empty() {
            return;
        }
        self.remove(claim_id);
        let rows = vs
            .into_iter()
            .map(|v| {
                self.ids.push(claim_id.to_string());
                self.data.extend_from_slice(v);
                self.ids.len() - 1
            })
            .collect();
        self.at.insert(claim_id.to_string(), rows);
    }

    pub fn remove(&mut self, claim_id: &str) {
        let Some(mut rows) = self.at.remove(claim_id) else {
            return;
        };
        // From the last row down, so a row still to go never moves.
        rows.sort_unstable();
        for i in rows.into_iter().rev() {
            self.remove_row(i);
        }
    }

    /// The last row moves into the hole: removal is O(dim).
    fn remove_row(&mut self, i: usize) {
        let last = self.ids.len() - 1;
        self.ids.swap_remove(i);
        if i != last {
            let (head, tail) = self.data.split_at_mut(last * self.dim);
            head[i * self.dim..(i + 1) * self.dim].copy_from_slice(&tail[..self.dim]);
            if let Some(rows) = self.at.get_mut(&self.ids[i]) {
                for r in rows.iter_mut().filter(|r| **r == last) {
                    *r = i;
                }
            }
        }
        self.data.truncate(last * self.dim);
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The vector of the claim's own text.
    pub fn get(&self, claim_id: &str) -> Option<&[f32]> {
        let i = *self.at.get(claim_id)?.first()?;
        Some(self.row(i))
    }

    /// Cosine of the query with the claim's closest vector, if it has one.
    pub fn similarity(&self, query: &[f32], claim_id: &str) -> Option<f32> {
        let rows = self.at.get(claim_id)?;
        rows.iter()
            .map(|&i| dot(query, self.row(i)))
            .reduce(f32::max)
    }

    /// The `k` claims most similar to the query among those `keep` admits,
    /// best first (ties by id, so the order is stable).
    pub fn search(&self, query: &[f32], k: usize, keep: impl Fn(&str) -> bool) -> Vec<Hit> {
        if k == 0 || query.len() != self.dim {
            return Vec::new();
        }
        // The k best so far, worst first: most vectors lose to the worst.
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
        for (i, v) in self.data.chunks_exact(self.dim).enumerate() {
            let s = dot(query, v);
            if best.len() == k && s <= best[0].0 {
                continue;
            }
            if !keep(&self.ids[i]) {
                continue;
            }
            // A claim with several vectors is listed once, by its best.
            if self.at.get(&self.ids[i]).is_some_and(|rows| rows.len() > 1) {
                if let Some(j) = best.iter().position(|&(_, r)| self.ids[r] == self.ids[i]) {
                    if best[j].0 >= s {
                        continue;
                    }
                    best.remove(j);
                }
            }
            let at = best.partition_point(|&(b, _)| b < s);
            best.insert(at, (s, i));
            if best.len() > k {
                best.remove(0);
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .map(|(score, i)| Hit {
                claim_id: self.ids[i].clone(),
                score,
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.claim_id.cmp(&b.claim_id))
        });
        hits
    }

    /// Bytes the vectors take (the ids and map not counted).
    pub fn memory_bytes(&self) -> u64 {
        (self.data.len() * 4) as u64
    }
}

/// Four independent sums let the compiler keep four SIMD lanes busy.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            acc[j] += x[j] * y[j];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let mut v = v.to_vec();
        super::super::normalize(&mut v);
        v
    }

    #[test]
    fn search_returns_the_nearest_claims_best_first_within_the_filter() {
        let mut vs = Vectors::new(3);
        vs.upsert("a", &unit(&[1.0, 0.0, 0.0]));
        vs.upsert("b", &unit(&[1.0, 1.0, 0.0]));
        vs.upsert("c", &unit(&[0.0, 0.0, 1.0]));
        let q = unit(&[1.0, 0.2, 0.0]);
        let ids = |hits: Vec<Hit>| hits.into_iter().map(|h| h.claim_id).collect::<Vec<_>>();
        assert_eq!(ids(vs.search(&q, 2, |_| true)), ["a", "b"]);
        assert_eq!(ids(vs.search(&q, 2, |id| id != "a")), ["b", "c"]);
    }

    #[test]
    fn removing_a_claim_keeps_the_others_findable() {
        let mut vs = Vectors::new(2);
        vs.upsert("a", &unit(&[1.0, 0.0]));
        vs.upsert("b", &unit(&[0.0, 1.0]));
        vs.upsert("c", &unit(&[1.0, 1.0]));
        vs.remove("a");
        assert_eq!(vs.len(), 2);
        assert_eq!(vs.get("a"), None);
        assert_eq!(vs.get("c"), Some(&unit(&[1.0, 1.0])[..]));
        assert_eq!(vs.search(&unit(&[0.0, 1.0]), 1, |_| true)[0].claim_id, "b");
    }

    #[test]
    fn a_claim_with_several_vectors_is_as_close_as_its_closest_and_listed_once() {
        let mut vs = Vectors::new(2);
        vs.upsert("a", &unit(&[1.0, 0.0]));
        let own = unit(&[0.0, 1.0]);
        let post = unit(&[1.0, 0.1]);
        vs.set("b", [&own[..], &post[..]]);
        let q = unit(&[1.0, 0.2]);
        let hits = vs.search(&q, 2, |_| true);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].claim_id, "b");
        assert_eq!(hits[1].claim_id, "a");
        assert_eq!(vs.similarity(&q, "b"), Some(dot(&q, &post)));
        assert_eq!(vs.get("b"), Some(&own[..]));
        assert_eq!(vs.len(), 2);
        vs.remove("a");
        assert_eq!(vs.search(&q, 2, |_| true).len(), 1);
        vs.upsert("b", &own);
        assert_eq!(vs.similarity(&q, "b"), Some(dot(&q, &own)));
    }

    #[test]
    fn a_vector_of_another_length_is_not_stored() {
        let mut vs = Vectors::new(2);
        vs.upsert("a", &[1.0, 0.0, 0.0]);
        assert!(vs.is_empty());
    }
}
