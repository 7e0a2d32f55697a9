//! The claim vectors of a knowledge base: computed from the claims by the
//! embedder, stored in SQLite, held in memory for search, and kept following
//! the store's change log like the index, so they catch up after a crash or
//! an import from where they stopped.

use std::sync::{Arc, Mutex, RwLock};

use super::{model_text, Embedder, Hit, Vectors};
use crate::error::Result;
use crate::store::Store;

/// Change rows read per catch-up step.
const STEP: usize = 512;

/// Texts per engine call: the engine streams each weight once per batch, so
/// larger batches are cheaper per text (measured flat past ~64).
pub const BATCH: usize = 64;

pub struct ClaimVectors {
    embedder: Arc<dyn Embedder>,
    vectors: RwLock<Vectors>,
    /// The last change row applied; held while catching up, so one runs at a time.
    seq: Mutex<i64>,
}

impl ClaimVectors {
    /// Loads the vectors this model already stored.
    pub fn open(embedder: Arc<dyn Embedder>, store: &Store) -> Result<ClaimVectors> {
        let name = embedder.name().to_string();
        let mut vectors = Vectors::new(embedder.dim());
        store.for_each_vector(&name, |id, bytes| {
            // A claim's own vector, then its appearances', back to back.
            let dim = vectors.dim();
            if dim > 0 && bytes.len() % (dim * 4) == 0 {
                let all: Vec<Vec<f32>> = bytes
                    .chunks_exact(dim * 4)
                    .filter_map(|b| super::from_bytes(b, dim))
                    .collect();
                vectors.set(id, all.iter().map(Vec::as_slice));
            }
        })?;
        Ok(ClaimVectors {
            seq: Mutex::new(store.vector_seq(&name)?),
            embedder,
            vectors: RwLock::new(vectors),
        })
    }

    pub fn embedder(&self) -> &dyn Embedder {
        self.embedder.as_ref()
    }

    /// Claims that have a vector.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the vectors take in memory.
    pub fn memory_bytes(&self) -> u64 {
        self.read().memory_bytes()
    }

    /// The change row the vectors have applied.
    pub fn seq(&self) -> i64 {
        *self.lock_seq()
    }

    /// One vector per post text (Arabizi transliterated first).
    pub fn embed_posts(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        // A post's signature line says who and when, which the date
        // feature weighs; in the vector it only blurs what was said.
        let prepared: Vec<String> = texts
            .iter()
            .map(|t| model_text(crate::text::without_signature(t)))
            .collect();
        let refs: Vec<&str> = prepared.iter().map(String::as_str).collect();
        let mut out = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(BATCH) {
            out.extend(self.embedder.embed(chunk)?);
        }
        Ok(out)
    }

    pub fn search(&self, query: &[f32], k: usize, keep: impl Fn(&str) -> bool) -> Vec<Hit> {
        self.read().search(query, k, keep)
    }

    pub fn similarity(&self, query: &[f32], claim_id: &str) -> Option<f32> {
        self.read().similarity(query, claim_id)
    }

    /// Embeds the claims changed since the last step, durably, then shows
    /// them to searches; `progress` hears the vectors written so far.
    /// Returns how many were written.
    pub fn catch_up(&self, store: &Store, mut progress: impl FnMut(u64)) -> Result<u64> {
        let mut seq = self.lock_seq();
        let name = self.embedder.name().to_string();
        let mut written = 0u64;
        loop {
            let changes = store.changes_since(*seq, STEP)?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                break;
            };
            let mut ids: Vec<&str> = changes.iter().map(|c| c.claim_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let claims = store.get_claims(&ids)?;
            // Each claim's own text, then the posts it appeared in: a
            // confirmed post is the claim as it goes around, and a later
            // post that repeats it is as close to the claim as to it.
            let texts: Vec<Vec<&str>> = claims.iter().map(claim_texts).collect();
            let flat: Vec<&str> = texts.iter().flatten().copied().collect();
            let mut embedded = self.embed_posts(&flat)?.into_iter();
            let vectors: Vec<Vec<Vec<f32>>> = texts
                .iter()
                .map(|t| embedded.by_ref().take(t.len()).collect())
                .collect();
            // `get_claims` leaves deleted claims out: their vectors go.
            let kept: std::collections::HashSet<&str> =
                claims.iter().map(|c| c.id.as_str()).collect();
            let removed: Vec<String> = ids
                .iter()
                .filter(|id| !kept.contains(*id))
                .map(|id| id.to_string())
                .collect();
            let set: Vec<(String, Vec<u8>)> = claims
                .iter()
                .zip(&vectors)
                .map(|(c, vs)| {
                    (
                        c.id.clone(),
                        vs.iter().flat_map(|v| super::to_bytes(v)).collect(),
                    )
                })
                .collect();
            store.apply_vectors(&name, &set, &removed, last)?;
            {
                let mut mem = self.vectors.write().unwrap_or_else(|e| e.into_inner());
                for (c, vs) in claims.iter().zip(&vectors) {
                    mem.set(&c.id, vs.iter().map(Vec::as_slice));
                }
                for id in &removed {
                    mem.remove(id);
                }
            }
            *seq = last;
            written += set.len() as u64;
            progress(written);
        }
        Ok(written)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vectors> {
        // Writers finish each update before releasing: a poisoned lock
        // still holds whole vectors.
        self.vectors.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_seq(&self) -> std::sync::MutexGuard<'_, i64> {
        self.seq.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Appearance texts embedded per claim, most recent first: bounded, as a
/// viral claim may gather thousands of confirmed posts, and each costs an
/// embedding whenever the claim changes.
const APPEARANCES_EMBEDDED: usize = 16;

/// The texts a claim's vectors are made from: its own first.
fn claim_texts(c: &crate::model::Claim) -> Vec<&str> {
    let appearances = c
        .appearances
        .iter()
        .rev()
        .filter_map(|a| a.text.as_deref())
        .filter(|t| !t.trim().is_empty())
        .take(APPEARANCES_EMBEDDED);
    std::iter::once(c.text.as_str())
        .chain(appearances)
        .collect()
}
