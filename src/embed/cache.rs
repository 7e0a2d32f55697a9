//! A file of vectors already computed, by text, for repeated evaluation
//! runs: every run builds a new knowledge base in memory and would
//! otherwise embed the same tens of thousands of claims again.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::Embedder;
use crate::error::Result;

type Key = [u8; 16];

/// An embedder that looks texts up in a file first and appends what it
/// had to compute. Entries are a 16-byte text digest and `dim` floats; the
/// file is per model (its name is part of the path).
pub struct Cached {
    inner: Arc<dyn Embedder>,
    path: PathBuf,
    known: Mutex<HashMap<Key, Vec<f32>>>,
}

impl Cached {
    /// Opens (or starts) `dir/<model name>.vectors`.
    pub fn open(inner: Arc<dyn Embedder>, dir: &std::path::Path) -> Result<Cached> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.vectors", inner.name()));
        let mut known = HashMap::new();
        if let Ok(mut f) = std::fs::File::open(&path) {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)?;
            let entry = 16 + inner.dim() * 4;
            // A torn last entry (a run stopped mid-write) is dropped.
            for e in bytes.chunks_exact(entry) {
                let mut key = [0u8; 16];
                key.copy_from_slice(&e[..16]);
                if let Some(v) = super::from_bytes(&e[16..], inner.dim()) {
                    known.insert(key, v);
                }
            }
        }
        Ok(Cached {
            inner,
            path,
            known: Mutex::new(known),
        })
    }
}

fn key(text: &str) -> Key {
    let mut k = [0u8; 16];
    k.copy_from_slice(&Sha256::digest(text.as_bytes())[..16]);
    k
}

impl Embedder for Cached {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let keys: Vec<Key> = texts.iter().map(|t| key(t)).collect();
        let missing: Vec<usize> = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            (0..texts.len())
                .filter(|&i| !known.contains_key(&keys[i]))
                .collect()
        };
        if !missing.is_empty() {
            let todo: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
            let fresh = self.inner.embed(&todo)?;
            let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            let mut out = Vec::new();
            for (&i, v) in missing.iter().zip(fresh) {
                out.extend_from_slice(&keys[i]);
                out.extend(super::to_bytes(&v));
                known.insert(keys[i], v);
            }
            file.write_all(&out)?;
        }
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        Ok(keys.iter().map(|k| known[k].clone()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::HashEmbedder;

    #[test]
    fn a_reopened_cache_answers_without_the_model_and_agrees_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let model: Arc<dyn Embedder> = Arc::new(HashEmbedder { dim: 8 });
        let first = Cached::open(model.clone(), dir.path()).unwrap();
        let v = first.embed(&["a b c", "d e"]).unwrap();
        drop(first);
        let again = Cached::open(model.clone(), dir.path()).unwrap();
        assert_eq!(again.known.lock().unwrap().len(), 2);
        assert_eq!(
            again.embed(&["d e", "a b c"]).unwrap(),
            vec![v[1].clone(), v[0].clone()]
        );
        assert_eq!(model.embed(&["a b c"]).unwrap()[0], v[0]);
    }
}
