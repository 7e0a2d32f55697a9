//! `/api/v1/match`: which known claims a post repeats, one post at a time
//! or as an NDJSON stream.

use std::io::Write;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::{blocking, stream, ApiError, ApiJson, AppState, MAX_MATCH_CHARS, MAX_TOP};
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
    /// Only claims of this narrative (its id).
    #[serde(default)]
    narrative: Option<String>,
    /// When the post was published (`YYYY-MM-DD` or RFC 3339): a claim
    /// checked near that day weighs a little more.
    #[serde(default)]
    posted_at: Option<String>,
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
    /// The narrative the claim belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a str>,
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
                narrative: c.narrative.as_deref(),
            },
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/match",
    summary = "Match one post",
    tag = "match",
    description = "Which known claims the post repeats: scored (a calibrated probability), banded (match, possible, none) and explained.",
    request_body(content = MatchRequest, content_type = "application/json", example = json!({"text": "Share before they delete it: the border fence opens to everyone on the 15th!", "top": 5})),
    responses(
        (status = 200, description = "The matches, best first", body = MatchResponse),
        (status = 400, description = "Malformed JSON, unknown fields, empty or too long text, bad top", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No narrative with the id given", body = super::openapi::Problem, content_type = "application/problem+json"),
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
    check_top(top)?;
    if let Some(at) = &req.posted_at {
        crate::formats::date::read_stamp(at)
            .map_err(|e| Error::Invalid(format!("posted_at {e}")))?;
    }
    let kb = state.kb.clone();
    let matches = blocking(move || {
        let post = Request {
            text: &req.text,
            url: req.url.as_deref(),
            lang: req.lang.as_deref().map(Lang::from_code),
            top,
            posted_at: req.posted_at.as_deref(),
        };
        match req.narrative.as_deref().filter(|n| !n.is_empty()) {
            Some(n) => kb.match_in_narrative(&post, n),
            None => kb.match_post(&post),
        }
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

#[utoipa::path(
    post,
    path = "/api/v1/match/batch",
    summary = "Match a stream of posts",
    tag = "match",
    description = "Matches a stream of posts: one JSON object per line in (`{\"id\", \"text\", \"lang\"?, \"url\"?}`), one line out per line in, in input order (`{\"id\", \"matches\"}` or `{\"id\", \"line\", \"error\"}`), streamed both ways. Past the record cap the rest is not read and a last line says so.",
    params(("x-top" = Option<usize>, Header, minimum = 1, maximum = 50, description = "Matches per post, 1 to 50 (default 5)")),
    request_body(content = String, content_type = "application/x-ndjson", example = json!("{\"id\": 1, \"text\": \"the border fence opens on the 15th\"}\n{\"id\": 2, \"text\": \"l9a7 corona fih puce\", \"lang\": \"ar\"}\n")),
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
    let media = super::media_type(&headers);
    if !matches!(
        media.as_str(),
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
    check_top(top)?;
    let kb = state.kb.clone();
    let metrics = std::sync::Arc::clone(&state.metrics);
    let cap = state.options.max_records;
    let (input, upload) = stream::body_reader(body);
    let (mut output, out_body) = stream::body_writer();
    tokio::task::spawn_blocking(move || {
        let _upload = upload;
        let mut capped = stream::Capped {
            inner: input,
            lines_left: cap,
            hit: false,
        };
        // Every batch request shares the process's matching threads.
        let pool = crate::batch::Pool::shared();
        let result = crate::batch::run_on(pool, &kb, &mut capped, &mut output, top);
        if let Ok(stats) = &result {
            metrics.count_bands(stats.bands);
        }
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
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out_body).into_response())
}

/// Matches asked per post must be 1 to `MAX_TOP`.
fn check_top(top: usize) -> Result<(), Error> {
    if (1..=MAX_TOP).contains(&top) {
        Ok(())
    } else {
        Err(Error::Invalid(format!("top must be 1 to {MAX_TOP}")))
    }
}
