//! `/api/v1/match`: which known claims a post repeats, one post at a time
//! or as an NDJSON stream.

use std::io::{BufRead, Read, Write};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::auth::Caller;
use super::{blocking, ApiError, ApiJson, AppState, MAX_MATCH_CHARS, MAX_TOP};
use crate::error::Error;
use crate::matcher::{Band, Explanation, Match, Request};
use crate::text::Lang;
use crate::verdict::Verdict;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// The post (up to 5,000 characters).
    text: String,
    /// A URL where the post was seen.
    #[serde(default)]
    url: Option<String>,
    /// The post's language (ISO 639-1) when known; detected otherwise.
    #[serde(default)]
    lang: Option<String>,
    /// Matches wanted, 1 to 50 (default 5).
    #[serde(default)]
    top: Option<usize>,
}

/// One match as the API shows it: the matcher's verdict on the claim and
/// enough of the claim to act on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchView<'a> {
    claim_id: &'a str,
    score: f32,
    band: Band,
    explanation: &'a Explanation,
    claim: ClaimSummary<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ClaimSummary<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
}

impl<'a> From<&'a Match> for MatchView<'a> {
    fn from(m: &'a Match) -> Self {
        let c = &m.claim;
        MatchView {
            claim_id: &m.claim_id,
            score: m.score,
            band: m.band,
            explanation: &m.explanation,
            claim: ClaimSummary {
                text: &c.text,
                title: c.title.as_deref(),
                lang: c.lang.as_deref(),
                verdict: c.verdict,
                url: c.url.as_deref(),
                publisher: c.publisher.as_deref(),
            },
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/match",
    tag = "match",
    description = "Which known claims the post repeats: scored (a calibrated probability), banded (match, possible, none) and explained.",
    request_body(content = MatchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The matches, best first", body = MatchResponse),
        (status = 400, description = "Malformed JSON, unknown fields, empty or too long text, bad top", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn match_one(
    State(state): State<AppState>,
    Extension(_caller): Extension<Caller>,
    ApiJson(req): ApiJson<MatchRequest>,
) -> Result<Response, ApiError> {
    if req.text.trim().is_empty() {
        return Err(Error::Invalid("text is empty".into()).into());
    }
    if req.text.chars().count() > MAX_MATCH_CHARS {
        return Err(
            Error::Invalid(format!("text is longer than {MAX_MATCH_CHARS} characters")).into(),
        );
    }
    let top = req.top.unwrap_or(5);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(Error::Invalid(format!("top must be 1 to {MAX_TOP}")).into());
    }
    let kb = state.kb.clone();
    let matches = blocking(move || {
        kb.match_post(&Request {
            text: &req.text,
            url: req.url.as_deref(),
            lang: req.lang.as_deref().map(Lang::from_code),
            top,
        })
    })
    .await?;
    for m in &matches {
        state.metrics.count_match(m.band);
    }
    let matches: Vec<MatchView<'_>> = matches.iter().map(MatchView::from).collect();
    Ok(Json(MatchResponse { matches }).into_response())
}

/// The answer of `POST /api/v1/match`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MatchResponse<'a> {
    /// Best first.
    matches: Vec<MatchView<'a>>,
}

/// Output bytes buffered before they are handed to the response stream.
const OUT_CHUNK: usize = 16 * 1024;
/// Chunks in flight between the matcher and the client: with the matcher's
/// own bounded pipeline, what bounds the memory of a batch of any size.
const OUT_CHUNKS_IN_FLIGHT: usize = 8;

/// `POST /api/v1/match/batch`: NDJSON in (`{"id","text","lang"?,"url"?}`
/// per line), NDJSON out, one line per line in, in input order, both ways
/// streamed. A bad line gets an error line; past the record cap the rest
/// is not read and a last line says so.
#[utoipa::path(
    post,
    path = "/api/v1/match/batch",
    tag = "match",
    description = "Matches a stream of posts: one JSON object per line in (`{\"id\", \"text\", \"lang\"?, \"url\"?}`), one line out per line in, in input order (`{\"id\", \"matches\"}` or `{\"id\", \"line\", \"error\"}`), streamed both ways. Past the record cap the rest is not read and a last line says so.",
    params(("x-top" = Option<usize>, Header, description = "Matches per post, 1 to 50 (default 5)")),
    request_body(content = String, content_type = "application/x-ndjson"),
    responses(
        (status = 200, description = "One JSON line per post", body = String, content_type = "application/x-ndjson"),
        (status = 400, description = "A bad x-top", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not NDJSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn match_batch(
    State(state): State<AppState>,
    Extension(_caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = media.split(';').next().unwrap_or("").trim();
    if !matches!(
        media,
        "application/x-ndjson" | "application/jsonl" | "application/json-seq" | "text/plain"
    ) {
        return Err(ApiError::UnsupportedMediaType(
            "send posts as NDJSON, with Content-Type: application/x-ndjson".into(),
        ));
    }
    let top = headers
        .get("x-top")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.parse::<usize>())
        .transpose()
        .map_err(|_| ApiError::BadRequest("x-top is not a number".into()))?
        .unwrap_or(5);
    if !(1..=MAX_TOP).contains(&top) {
        return Err(Error::Invalid(format!("top must be 1 to {MAX_TOP}")).into());
    }
    // The body, as a blocking reader for the matcher's pipeline: chunks
    // come through a small channel, so a slow matcher slows the upload.
    let (in_tx, in_rx) = std::sync::mpsc::sync_channel::<Bytes>(OUT_CHUNKS_IN_FLIGHT);
    let mut stream = body.into_data_stream();
    tokio::spawn(async move {
        while let Some(Ok(chunk)) = stream.next().await {
            let tx = in_tx.clone();
            // A full channel blocks; do it off the async threads.
            match tokio::task::spawn_blocking(move || tx.send(chunk)).await {
                Ok(Ok(())) => {}
                _ => break,
            }
        }
    });
    let (out_tx, out_rx) = mpsc::channel::<Bytes>(OUT_CHUNKS_IN_FLIGHT);
    let kb = state.kb.clone();
    let cap = state.options.max_records;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::new(ChannelReader {
            rx: in_rx,
            chunk: Bytes::new(),
        });
        let mut output = ChannelWriter {
            tx: out_tx,
            buf: Vec::with_capacity(OUT_CHUNK),
        };
        let mut capped = Capped {
            inner: input,
            lines_left: cap,
            hit: false,
        };
        let result = crate::batch::run(&kb, &mut capped, &mut output, top, threads);
        let last = match result {
            Err(e) => Some(serde_json::json!({ "error": e.to_string() })),
            Ok(_) if capped.hit => Some(serde_json::json!({
                "error": format!("the record cap of {cap} was reached; the rest was not read")
            })),
            Ok(_) => None,
        };
        if let Some(last) = last {
            let _ = writeln!(output, "{last}");
        }
        let _ = output.flush();
    });
    let stream = futures_util::stream::unfold(out_rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The request body as a blocking `Read`.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<Bytes>,
    chunk: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.recv() {
                Ok(chunk) => self.chunk = chunk,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// The response body as a blocking `Write`; fails once the client is gone,
/// which stops the matcher.
struct ChannelWriter {
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
struct Capped<R> {
    inner: R,
    lines_left: usize,
    hit: bool,
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
