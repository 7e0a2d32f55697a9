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

impl Error {
    /// The write failed because the disk holding the data folder is full,
    /// or the process may not make its files any larger (a quota, a file
    /// size limit): the caller cannot fix that by changing the request.
    pub fn is_storage_full(&self) -> bool {
        use rusqlite::ffi;
        if let Error::Store(rusqlite::Error::SqliteFailure(e, _)) = self {
            // SQLite says SQLITE_FULL on ENOSPC, and a short write on
            // EFBIG (a file size limit) or EDQUOT.
            if e.code == ffi::ErrorCode::DiskFull || e.extended_code == ffi::SQLITE_IOERR_WRITE {
                return true;
            }
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(c) = cause {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::StorageFull
                    || io.kind() == std::io::ErrorKind::QuotaExceeded
                    || io.kind() == std::io::ErrorKind::FileTooLarge
                {
                    return true;
                }
            }
            cause = c.source();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_apart_from_other_faults() {
        let full = std::io::Error::from_raw_os_error(28); // ENOSPC
        assert!(Error::Io(full).is_storage_full());
        let too_large = std::io::Error::from_raw_os_error(27); // EFBIG
        assert!(Error::Io(too_large).is_storage_full());
        let denied = std::io::Error::from_raw_os_error(13); // EACCES
        assert!(!Error::Io(denied).is_storage_full());
        let sqlite_full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert!(Error::Store(sqlite_full).is_storage_full());
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(!Error::Store(busy).is_storage_full());
        assert!(!Error::NotFound("x".into()).is_storage_full());
    }
}
