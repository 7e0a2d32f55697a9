//! Bridges between async HTTP bodies and the blocking readers and writers
//! the knowledge base streams through: bounded channels both ways, so a
//! slow side slows the other instead of filling memory.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Output bytes buffered before they are handed to the response stream.
const OUT_CHUNK: usize = 16 * 1024;
/// Chunks in flight each way.
const CHUNKS_IN_FLIGHT: usize = 8;

/// What the feeding task hands the reader.
enum Piece {
    Data(Bytes),
    /// The body ended as its framing says it should.
    End,
    /// The body failed midway (connection reset, bad chunk framing,
    /// fewer bytes than its Content-Length).
    Failed(String),
}

/// The request body as a blocking reader, fed as the client uploads, and
/// the guard that stops it: drop the guard (the handler went away, e.g. on
/// the time limit) and the reader fails on its next read.
pub fn body_reader(body: Body) -> (ChannelReader, Upload) {
    let (tx, rx) = mpsc::channel::<Piece>(CHUNKS_IN_FLIGHT);
    let mut stream = body.into_data_stream();
    let feeder = tokio::spawn(async move {
        // A full channel suspends this task until the reader takes a chunk.
        loop {
            let piece = match stream.next().await {
                Some(Ok(chunk)) => Piece::Data(chunk),
                Some(Err(e)) => Piece::Failed(e.to_string()),
                None => Piece::End,
            };
            let last = !matches!(piece, Piece::Data(_));
            if tx.send(piece).await.is_err() || last {
                break;
            }
        }
    });
    let stopped = Arc::new(AtomicBool::new(false));
    let reader = ChannelReader {
        rx,
        chunk: Bytes::new(),
        ended: false,
        stopped: Arc::clone(&stopped),
    };
    let upload = Upload {
        stopped,
        feeder: feeder.abort_handle(),
    };
    (reader, upload)
}

/// Held by whoever waits for the body's reader; dropping it stops the
/// upload: the feeding task ends and the reader fails instead of ending,
/// so nothing read after it counts as a whole input.
pub struct Upload {
    stopped: Arc<AtomicBool>,
    feeder: tokio::task::AbortHandle,
}

impl Drop for Upload {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Release);
        self.feeder.abort();
    }
}

/// A response body written by blocking code: the writer and the body.
pub fn body_writer() -> (ChannelWriter, Body) {
    let (tx, rx) = mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    (
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(OUT_CHUNK),
        },
        Body::from_stream(stream),
    )
}

/// The request body as a blocking `Read` and `BufRead`: it ends only when
/// the body ended as framed; a body that failed, or an upload that was
/// stopped, is an error, never an end of input.
pub struct ChannelReader {
    rx: mpsc::Receiver<Piece>,
    chunk: Bytes,
    ended: bool,
    stopped: Arc<AtomicBool>,
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        // Checked on every call, not only when a chunk runs out, so a
        // stopped import reads no further record from what is buffered.
        if self.stopped.load(Ordering::Acquire) {
            return Err(broken("the request was stopped before its body was read"));
        }
        while self.chunk.is_empty() && !self.ended {
            match self.rx.blocking_recv() {
                Some(Piece::Data(chunk)) => self.chunk = chunk,
                Some(Piece::End) => self.ended = true,
                Some(Piece::Failed(why)) => {
                    return Err(broken(&format!("the body failed midway: {why}")))
                }
                None => return Err(broken("the body stopped before its end")),
            }
        }
        Ok(&self.chunk)
    }

    fn consume(&mut self, n: usize) {
        let _ = self.chunk.split_to(n.min(self.chunk.len()));
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

fn broken(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::UnexpectedEof, why.to_string())
}

/// The response body as a blocking `Write`; fails once the client is gone,
/// which stops the matcher.
pub struct ChannelWriter {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= OUT_CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(OUT_CHUNK),
        ));
        self.tx
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

/// A reader that ends after `lines_left` lines, noting whether more followed.
pub struct Capped<R> {
    pub inner: R,
    pub lines_left: usize,
    pub hit: bool,
}

impl<R: BufRead> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.lines_left == 0 {
            if !self.hit && !self.inner.fill_buf()?.is_empty() {
                self.hit = true;
            }
            return Ok(&[]);
        }
        let available = self.inner.fill_buf()?;
        // Hand out at most up to the end of the current line.
        let end = available
            .iter()
            .position(|&b| b == b'\n')
            .map_or(available.len(), |i| i + 1);
        Ok(&available[..end])
    }

    fn consume(&mut self, n: usize) {
        if self.lines_left > 0 {
            let available = self.inner.fill_buf().map(|b| b[..n].contains(&b'\n'));
            if matches!(available, Ok(true)) {
                self.lines_left -= 1;
            }
        }
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reader_stops_after_its_lines_and_notes_the_rest() {
        let mut r = Capped {
            inner: std::io::BufReader::new(&b"a\nbb\nccc\ndddd\n"[..]),
            lines_left: 2,
            hit: false,
        };
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nbb\n");
        assert!(r.hit);
        let mut all = Capped {
            inner: std::io::BufReader::new(&b"a\nbb"[..]),
            lines_left: 2,
            hit: false,
        };
        let mut out = String::new();
        all.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nbb");
        assert!(!all.hit);
    }
}
