//! The one error type of the core, in domain terms. Adapters (CLI, HTTP) map
//! it to exit codes and status codes; nothing here knows about either.

use std::path::PathBuf;

/// Everything the knowledge base can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No record with this id.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller's input cannot be used (bad field, bad query, bad option).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// One record of an input file is malformed; `line` is 1-based.
    #[error("{}:{line}: {reason}", file.display())]
    BadRecord {
        file: PathBuf,
        line: u64,
        reason: String,
    },
    /// The write clashes with what is stored (an id taken, say).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller's version of the record (its entity tag) is not the
    /// stored one: someone else changed it since it was read.
    #[error("precondition failed: {0}")]
    Stale(String),
    /// Another process (a running server, usually) holds the index's writer:
    /// this one may read, not write.
    #[error("another debunk process (a running server?) holds this data folder's index")]
    IndexBusy,
    #[error("storage error: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
