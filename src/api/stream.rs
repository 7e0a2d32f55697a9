//! Bridges between async HTTP bodies and the blocking readers and writers
//! the knowledge base streams through: bounded channels both ways, so a
//! slow side slows the other instead of filling memory.

use std::io::{BufRead, Read, Write};

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Output bytes buffered before they are handed to the response stream.
const OUT_CHUNK: usize = 16 * 1024;
/// Chunks in flight each way.
const CHUNKS_IN_FLIGHT: usize = 8;

/// The request body as a blocking reader, fed as the client uploads.
pub fn body_reader(body: Body) -> ChannelReader {
    let (tx, rx) = mpsc::channel::<Bytes>(CHUNKS_IN_FLIGHT);
    let mut stream = body.into_data_stream();
    tokio::spawn(async move {
        // A full channel suspends this task until the reader takes a chunk.
        while let Some(Ok(chunk)) = stream.next().await {
            if tx.send(chunk).await.is_err() {
                break;
            }
        }
    });
    ChannelReader {
        rx,
        chunk: Bytes::new(),
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

/// The request body as a blocking `Read`.
pub struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    chunk: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.chunk = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
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
