//! Matching a stream of posts: one JSON object per input line
//! (`{"id", "text", "lang"?, "url"?}`), one JSON line out per input line, in
//! input order, on a [`Pool`] of matching threads (one per core, shared by
//! every batch the server runs), in memory bounded by a fixed number of
//! chunks in flight whatever the input size.

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
    /// When it was published: `YYYY-MM-DD` or RFC 3339.
    #[serde(default)]
    posted_at: Option<String>,
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

/// A fixed set of matching threads that every batch run on it shares:
/// however many batches run at once, matching takes at most this many
/// threads, and their chunks wait in one bounded queue.
pub struct Pool {
    jobs: SyncSender<Job>,
    threads: usize,
}

type Job = Box<dyn FnOnce() + Send>;

impl Pool {
    /// Starts `threads` workers (at least one); they stop when the pool is dropped.
    pub fn new(threads: usize) -> Pool {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads * 4);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("debunk-match-{i}"))
                .spawn(move || loop {
                    let job = {
                        let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
                        queue.recv()
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "could not start a matching thread");
            }
        }
        Pool { jobs, threads }
    }

    /// The process-wide pool, one thread per core, started on first use:
    /// what the server's batch requests share.
    pub fn shared() -> &'static Pool {
        static SHARED: std::sync::LazyLock<Pool> = std::sync::LazyLock::new(|| {
            Pool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
        });
        &SHARED
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Queues a job, waiting while the queue is full.
    fn submit(&self, job: Job) -> Result<()> {
        self.jobs
            .send(job)
            .map_err(|_| Error::Invalid("the matching pool has stopped".into()))
    }
}

/// Matches every line of `input` on `threads` threads of its own, writing
/// one line per input line to `output`.
pub fn run(
    kb: &KnowledgeBase,
    input: impl BufRead,
    output: impl Write + Send,
    top: usize,
    threads: usize,
) -> Result<BatchStats> {
    run_on(&Pool::new(threads), kb, input, output, top)
}

/// [`run`] on a pool that other batches may share.
pub fn run_on(
    pool: &Pool,
    kb: &KnowledgeBase,
    input: impl BufRead,
    mut output: impl Write + Send,
    top: usize,
) -> Result<BatchStats> {
    // Chunks of this batch in flight, queued or matched but not yet
    // written: bounds its memory whatever the input and the pool's load.
    let in_flight = pool.threads() * 4;
    let (done_tx, done_rx) = sync_channel::<Done>(in_flight);
    let (credit_tx, credit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        credit_tx
            .send(())
            .map_err(|_| Error::Invalid("batch pipeline closed".into()))?;
    }
    std::thread::scope(|scope| -> Result<BatchStats> {
        let writer = scope.spawn(move || write_in_order(done_rx, &mut output, credit_tx));
        let read = read_chunks(input, &credit_rx, |(seq, first_line, lines)| {
            let kb = kb.clone();
            let done_tx = done_tx.clone();
            pool.submit(Box::new(move || {
                let (out, stats) = match_chunk(&kb, first_line, &lines, top);
                // A closed channel means the writer stopped: nothing to do.
                let _ = done_tx.send((seq, out, stats));
            }))
        });
        drop(done_tx);
        let written = writer
            .join()
            .map_err(|_| Error::Invalid("batch writer panicked".into()))?;
        read?;
        written
    })
}

/// A matched chunk: its sequence number, its output lines, its counts.
type Done = (u64, Vec<u8>, BatchStats);

fn read_chunks(
    mut input: impl BufRead,
    credits: &Receiver<()>,
    mut submit: impl FnMut(Chunk) -> Result<()>,
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
        submit((seq, first_line, lines))?;
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

/// One chunk's output lines; a line that fails (or a matcher that
/// panics) gets an error line in its place, never a gap in the output.
fn match_chunk(
    kb: &KnowledgeBase,
    first_line: u64,
    lines: &[Vec<u8>],
    top: usize,
) -> (Vec<u8>, BatchStats) {
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
            posted_at: post.posted_at.as_deref(),
        })
        .collect();
    // A matcher that panics fails this chunk's posts, never the batch.
    let matched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kb.match_posts(&reqs)))
        .unwrap_or_else(|_| {
            reqs.iter()
                .map(|_| Err(Error::Invalid("matching panicked".into())))
                .collect()
        });
    let mut matched = matched.into_iter();
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
    (out, stats)
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
    if let Some(at) = &post.posted_at {
        crate::formats::date::read_stamp(at).map_err(|e| format!("posted_at {e}"))?;
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
    done_rx: Receiver<Done>,
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
