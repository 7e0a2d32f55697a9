//! Matching a stream of posts: one JSON object per input line
//! (`{"id", "text", "lang"?, "url"?}`), one JSON line out per input line, in
//! input order, on every core, in memory bounded by a fixed number of chunks
//! in flight whatever the input size.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kb::KnowledgeBase;
use crate::matcher::{Band, Match, Request};
use crate::text::Lang;

/// A chunk of input: its sequence number, its first line number, its lines.
type Chunk = (u64, u64, Vec<Vec<u8>>);

/// Lines handed to a worker at once.
const CHUNK_LINES: usize = 64;
/// Longest accepted input line; longer ones get an error line.
pub const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Deserialize)]
struct Post {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    matches: &'a [Match],
}

#[derive(Serialize)]
struct Failure<'a> {
    id: &'a serde_json::Value,
    line: u64,
    error: &'a str,
}

/// Counts of a batch run.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct BatchStats {
    pub posts: u64,
    pub errors: u64,
    /// Matches returned, by band: `match`, `possible`, none.
    pub bands: [u64; 3],
}

/// Matches every line of `input`, writing one line per input line to `output`.
pub fn run(
    kb: &KnowledgeBase,
    input: impl BufRead,
    mut output: impl Write + Send,
    top: usize,
    threads: usize,
) -> Result<BatchStats> {
    let threads = threads.max(1);
    let in_flight = threads * 4;
    let (work_tx, work_rx) = sync_channel::<Chunk>(in_flight);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<u8>, BatchStats)>(in_flight);
    let (credit_tx, credit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        credit_tx
            .send(())
            .map_err(|_| Error::Invalid("batch pipeline closed".into()))?;
    }

    std::thread::scope(|scope| -> Result<BatchStats> {
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let kb = kb.clone();
            scope.spawn(move || worker(&kb, &work_rx, &done_tx, top));
        }
        drop(done_tx);
        let writer = scope.spawn(move || write_in_order(done_rx, &mut output, credit_tx));
        let read = read_chunks(input, &work_tx, &credit_rx);
        drop(work_tx);
        let written = writer
            .join()
            .map_err(|_| Error::Invalid("batch writer panicked".into()))?;
        read?;
        written
    })
}

fn read_chunks(
    mut input: impl BufRead,
    work_tx: &SyncSender<Chunk>,
    credits: &Receiver<()>,
) -> Result<()> {
    let mut seq = 0u64;
    let mut line_no = 0u64;
    loop {
        let mut lines = Vec::with_capacity(CHUNK_LINES);
        let first_line = line_no + 1;
        while lines.len() < CHUNK_LINES {
            let mut line = Vec::new();
            let n = read_capped_line(&mut input, &mut line)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            lines.push(line);
        }
        if lines.is_empty() {
            return Ok(());
        }
        // Wait for the writer to free a slot: bounds memory whatever the input.
        if credits.recv().is_err() {
            return Ok(());
        }
        if work_tx.send((seq, first_line, lines)).is_err() {
            return Ok(());
        }
        seq += 1;
    }
}

/// Reads one line; a line over the cap is kept as a marker (its first bytes),
/// the rest skipped without being buffered. Returns bytes consumed.
fn read_capped_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> Result<usize> {
    let mut consumed = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = (MAX_LINE_BYTES + 1).saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        input.consume(take);
        consumed += take;
        if done {
            return Ok(consumed);
        }
    }
}

fn worker(
    kb: &KnowledgeBase,
    work_rx: &Mutex<Receiver<Chunk>>,
    done_tx: &SyncSender<(u64, Vec<u8>, BatchStats)>,
    top: usize,
) {
    loop {
        let next = {
            let rx = work_rx.lock().unwrap_or_else(|e| e.into_inner());
            rx.recv()
        };
        let Ok((seq, first_line, lines)) = next else {
            return;
        };
        let mut out = Vec::new();
        let mut stats = BatchStats::default();
        // The chunk is matched as one: its undecided posts are embedded together.
        let posts: Vec<std::result::Result<Post, String>> =
            lines.iter().map(|l| parse_line(l)).collect();
        let reqs: Vec<Request<'_>> = posts
            .iter()
            .flatten()
            .map(|post| Request {
                text: &post.text,
                url: post.url.as_deref(),
                lang: post.lang.as_deref().map(Lang::from_code),
                top,
            })
            .collect();
        let mut matched = kb.match_posts(&reqs).into_iter();
        for (i, (line, post)) in lines.iter().zip(&posts).enumerate() {
            let line_no = first_line + i as u64;
            stats.posts += 1;
            let written = match post {
                Ok(post) => {
                    let matches = matched.next().unwrap_or_else(|| Ok(Vec::new()));
                    write_matches(post, matches, &mut out, &mut stats.bands)
                }
                Err(reason) => Err(reason.clone()),
            };
            if let Err(reason) = written {
                stats.errors += 1;
                let id = serde_json::from_slice::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(serde_json::Value::Null);
                let failure = Failure {
                    id: &id,
                    line: line_no,
                    error: &reason,
                };
                // Serializing a struct of plain values cannot fail.
                let _ = serde_json::to_writer(&mut out, &failure);
                out.push(b'\n');
            }
        }
        if done_tx.send((seq, out, stats)).is_err() {
            return;
        }
    }
}

/// One input line as a post, or why it is not one.
fn parse_line(line: &[u8]) -> std::result::Result<Post, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!("line longer than {MAX_LINE_BYTES} bytes"));
    }
    let text = std::str::from_utf8(line).map_err(|_| "invalid UTF-8".to_string())?;
    let post: Post =
        serde_json::from_str(text.trim_end()).map_err(|e| format!("invalid JSON: {e}"))?;
    if post.text.trim().is_empty() {
        return Err("text is empty".into());
    }
    Ok(post)
}

/// Writes a post's output line, counting its bands.
fn write_matches(
    post: &Post,
    matches: crate::Result<Vec<crate::matcher::Match>>,
    out: &mut Vec<u8>,
    bands: &mut [u64; 3],
) -> std::result::Result<(), String> {
    let matches = matches.map_err(|e| {
        tracing::error!(error = %e, "matching failed");
        "matching failed".to_string()
    })?;
    for m in &matches {
        bands[band_slot(m.band)] += 1;
    }
    let output = Output {
        id: &post.id,
        matches: &matches,
    };
    serde_json::to_writer(&mut *out, &output).map_err(|e| e.to_string())?;
    out.push(b'\n');
    Ok(())
}

/// Where a band counts in `BatchStats::bands`.
pub fn band_slot(band: Band) -> usize {
    match band {
        Band::Match => 0,
        Band::Possible => 1,
        Band::None => 2,
    }
}

fn write_in_order(
    done_rx: Receiver<(u64, Vec<u8>, BatchStats)>,
    output: &mut impl Write,
    credits: SyncSender<()>,
) -> Result<BatchStats> {
    let mut pending: BTreeMap<u64, (Vec<u8>, BatchStats)> = BTreeMap::new();
    let mut next = 0u64;
    let mut total = BatchStats::default();
    for (seq, bytes, stats) in done_rx {
        pending.insert(seq, (bytes, stats));
        while let Some((bytes, stats)) = pending.remove(&next) {
            output.write_all(&bytes)?;
            total.posts += stats.posts;
            total.errors += stats.errors;
            for (t, b) in total.bands.iter_mut().zip(stats.bands) {
                *t += b;
            }
            next += 1;
            // Returning the credit lets the reader send one more chunk.
            let _ = credits.send(());
        }
    }
    output.flush()?;
    Ok(total)
}
