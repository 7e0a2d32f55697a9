//! Exchange formats: reading JSONL, schema.org ClaimReview JSON-LD and the
//! Fact Check Tools API response shape into `Claim`s, and writing JSONL and
//! ClaimReview back out. Readers stream: one record in memory at a time.
//!
//! - [`jsonl`]: one object per line, debunk's own export or the claims files
//!   of `shared/data`; lines capped at [`MAX_LINE_BYTES`].
//! - [`claimreview`]: schema.org ClaimReview (one node, an array, an
//!   `@graph`, a Data Commons `DataFeed`) both ways.
//! - [`factcheck_api`]: `{"claims": [...]}` as the Google Fact Check Tools
//!   API returns it.
//! - [`clean`] strips control characters from text and refuses them in
//!   ids, for every record read here and every claim a request writes.
//! - `document` streams the elements of one big JSON document to those
//!   mappers; [`date`] reads dates into ISO 8601.

use std::io::{self, BufRead, Read, Write};

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::model::Claim;

pub mod claimreview;
pub mod clean;
pub mod date;
mod document;
pub mod factcheck_api;
pub mod jsonl;

pub use date::normalize_date;

/// Input formats `read` understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Sniff the first non-blank bytes.
    Auto,
    Jsonl,
    Claimreview,
    FactcheckApi,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Claimreview,
}

/// One record that could not be read; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Longest JSONL line accepted; longer lines are skipped (not buffered) and reported.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How much of the input `Format::Auto` looks at: enough for the first line
/// of any sane JSONL file and the top-level keys of a pretty-printed document.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Reads records from `input`, handing each good claim or bad record to `sink`
/// in file order. An error returned by `sink` stops reading and is returned.
/// A document-level failure (e.g. truncated JSON in a ClaimReview file) is
/// reported to `sink` as a `RecordError` too, after the records before it.
pub fn read(
    mut input: impl BufRead,
    format: Format,
    mut sink: impl FnMut(std::result::Result<Claim, RecordError>) -> Result<()>,
) -> Result<()> {
    // The prefix is read once and put back in front of the rest, so sniffing
    // never needs the whole file and a UTF-8 byte order mark is dropped for
    // every format.
    let mut prefix = Vec::new();
    (&mut input).take(SNIFF_BYTES).read_to_end(&mut prefix)?;
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
    }
    let format = match format {
        Format::Auto => sniff(&prefix),
        f => f,
    };
    let input = io::Cursor::new(prefix).chain(input);
    match format {
        Format::Auto | Format::Jsonl => jsonl::read(input, &mut sink),
        Format::Claimreview => document::read(input, document::Shape::ClaimReview, &mut sink),
        Format::FactcheckApi => document::read(input, document::Shape::FactcheckApi, &mut sink),
    }
}

/// Guesses the format from the first bytes of the input.
///
/// `[` is a ClaimReview array. `{` is either the first line of a JSONL file
/// (a complete object, then another `{` after a newline) or one document,
/// told apart by its top-level keys: `claims` for the Fact Check Tools API,
/// JSON-LD keys for ClaimReview. Anything else is read as JSONL, whose
/// per-line errors say what is wrong.
pub fn sniff(prefix: &[u8]) -> Format {
    let start = prefix
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(prefix.len());
    let body = &prefix[start..];
    match body.first() {
        Some(b'[') => return Format::Claimreview,
        Some(b'{') => {}
        _ => return Format::Jsonl,
    }
    let mut stream =
        serde_json::Deserializer::from_slice(body).into_iter::<serde::de::IgnoredAny>();
    if let Some(Ok(_)) = stream.next() {
        let after = &body[stream.byte_offset()..];
        let next = after.iter().find(|b| !b.is_ascii_whitespace());
        let newline = after
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .any(|b| *b == b'\n');
        if next == Some(&b'{') && newline {
            return Format::Jsonl;
        }
    }
    let keys = document::top_level_keys(body);
    let has = |k: &str| keys.iter().any(|key| key == k);
    if has("claims") {
        Format::FactcheckApi
    } else if [
        "@graph",
        "@type",
        "@context",
        "dataFeedElement",
        "claimReviewed",
    ]
    .iter()
    .any(|k| has(k))
    {
        Format::Claimreview
    } else {
        Format::Jsonl
    }
}

/// The id of a record whose source gave none: `cr-` and the first 16 hex
/// digits of SHA-256 over the review URL, a newline and the claim text.
/// Stable across runs, so importing the same fact-check again updates the
/// claim instead of adding a copy.
pub fn derive_id(review_url: Option<&str>, text: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(review_url.unwrap_or("").as_bytes());
    hash.update(b"\n");
    hash.update(text.as_bytes());
    let digest = hash.finalize();
    let mut id = String::from("cr-");
    for b in &digest[..8] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// Streams claims out in one of the export formats.
pub struct Writer<W: Write> {
    out: W,
    format: ExportFormat,
    count: u64,
}

impl<W: Write> Writer<W> {
    pub fn new(mut out: W, format: ExportFormat) -> Result<Self> {
        if format == ExportFormat::Claimreview {
            out.write_all(b"[")?;
        }
        Ok(Writer {
            out,
            format,
            count: 0,
        })
    }

    pub fn write(&mut self, claim: &Claim) -> Result<()> {
        match self.format {
            ExportFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, claim)?;
                self.out.write_all(b"\n")?;
            }
            ExportFormat::Claimreview => {
                // One record per line keeps big exports diffable and greppable.
                self.out
                    .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut self.out, &claimreview::to_json(claim))?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Closes the document (e.g. the JSON array) and flushes; returns the writer.
    pub fn finish(mut self) -> Result<W> {
        if self.format == ExportFormat::Claimreview {
            self.out
                .write_all(if self.count == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Helpers shared by the readers for JSON values whose type a source may
/// get wrong.
pub(crate) mod value {
    use serde_json::{Map, Value};

    /// A non-blank string, or a readable reason why the field is not one.
    pub fn opt_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("expected a string for \"{key}\"")),
        }
    }

    /// The text of a JSON-LD value that may be a string, a node with a
    /// `name` or `@value`, or a list of those (first wins).
    pub fn text_of(v: &Value) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(items) => items.iter().find_map(text_of),
            Value::Object(o) => ["@value", "name", "value"]
                .iter()
                .find_map(|k| o.get(*k).and_then(text_of)),
            _ => None,
        }
    }

    /// The first node of a value that may be a node or a list of nodes.
    pub fn node(v: Option<&Value>) -> Option<&Map<String, Value>> {
        match v? {
            Value::Object(o) => Some(o),
            Value::Array(items) => items.iter().find_map(|i| i.as_object()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
