//! `/api/v1/posts`: posts seen in the wild. Each new sighting is matched,
//! and its matches become links for a moderator (see `links`).

use std::io::Write;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::auth::Caller;
use super::{blocking, stream, ApiError, ApiJson, ApiPath, AppState};
use crate::kb::PostOutcome;
use crate::keys::Role;
use crate::store::{Link, NewPost, Post};

/// The caller's key name, if the key may write: decisions are recorded
/// under it.
pub(super) fn editor(caller: &Caller) -> Result<String, ApiError> {
    caller.require(Role::Editor)?;
    Ok(caller
        .key
        .as_ref()
        .map_or_else(String::new, |k| k.name.clone()))
}

/// The optional body of a decision.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why, for the link's history.
    #[serde(default)]
    pub note: Option<String>,
}

/// Reads a body that may be empty.
pub(super) fn decision_body(body: &[u8]) -> Result<DecisionBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DecisionBody::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("bad body: {e}")))
}

#[utoipa::path(
    post,
    path = "/api/v1/posts",
    summary = "Receive a post",
    tag = "moderation",
    description = "Receives a post. A post seen before (same canonical URL, or the same normalized text) \
                   counts one more sighting. The post is matched; each match at or above the `suggest_at` \
                   threshold becomes a suggested link (or a confirmed one at or above `confirm_at`, \
                   never for a post under five words or only a URL). A rejected pair is never suggested again.",
    request_body(content = NewPost, content_type = "application/json", example = json!({"text": "Share before they delete it: the border fence opens to everyone on the 15th!", "url": "https://example.org/posts/fence-1", "platform": "tiktok", "lang": "en"})),
    responses(
        (status = 200, description = "The post and every link it has", body = PostOutcome),
        (status = 400, description = "Malformed JSON, unknown fields, empty or too long text, a bad URL", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn receive(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(post): ApiJson<NewPost>,
) -> Result<Json<PostOutcome>, ApiError> {
    let actor = editor(&caller)?;
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.ingest_post(post, &actor)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}",
    summary = "Read one post",
    tag = "moderation",
    description = "One post: its text, how often and where it was seen.",
    params(("id" = i64, Path, description = "The post's id")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 400, description = "The id is not a number", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Post>, ApiError> {
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.get_post(id)).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/posts/{id}/reject-all",
    summary = "Reject every suggestion of a post",
    tag = "moderation",
    description = "\"None of these\": rejects every suggested link of the post at once.",
    params(("id" = i64, Path, description = "The post's id")),
    request_body(content = Option<DecisionBody>, content_type = "application/json", example = json!({"note": "other floods, other year"})),
    responses(
        (status = 200, description = "The links rejected", body = Vec<Link>),
        (status = 400, description = "The id is not a number, or a bad body", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn reject_all(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Vec<Link>>), ApiError> {
    let actor = editor(&caller)?;
    let note = decision_body(&body)?.note;
    let kb = state.kb.clone();
    let links = blocking(move || kb.reject_all(id, &actor, note)).await?;
    Ok((StatusCode::OK, Json(links)))
}

#[utoipa::path(
    post,
    path = "/api/v1/posts/batch",
    summary = "Receive a stream of posts",
    tag = "moderation",
    description = "Receives a stream of posts as `POST /api/v1/posts` does, one JSON object per line in, \
                   one line out per line in, in input order (`{\"id\",\"seen\",\"links\"}` or \
                   `{\"line\",\"error\"}`), streamed both ways. Past the record cap the rest is not read \
                   and a last line says so.",
    request_body(content = String, content_type = "application/x-ndjson", example = json!("{\"text\": \"the border fence opens on the 15th\", \"platform\": \"x\"}\n{\"text\": \"l9a7 corona fih puce\", \"lang\": \"ar\"}\n")),
    responses(
        (status = 200, description = "One JSON line per post", body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not NDJSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn receive_batch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let actor = editor(&caller)?;
    if !matches!(
        super::media_type(&headers).as_str(),
        "application/x-ndjson" | "application/jsonl"
    ) {
        return Err(ApiError::UnsupportedMediaType(
            "send posts as NDJSON, with Content-Type: application/x-ndjson".into(),
        ));
    }
    let (kb, cap) = (state.kb.clone(), state.options.max_records);
    let (mut output, out_body) = stream::body_writer();
    let (input, upload) = stream::body_reader(body);
    tokio::task::spawn_blocking(move || {
        // Dropping it stops reading the request body.
        let _upload = upload;
        let mut capped = stream::Capped {
            inner: input,
            lines_left: cap,
            hit: false,
        };
        let result = kb.receive_posts(&mut capped, &actor, |line, outcome| {
            let out = match outcome {
                Ok(o) => serde_json::to_value(o)?,
                Err(e) => serde_json::json!({ "line": line, "error": e.to_string() }),
            };
            Ok(writeln!(output, "{out}")?)
        });
        let last = match result {
            Err(e) => Some(e.to_string()),
            Ok(()) if capped.hit => Some(format!(
                "the record cap of {cap} was reached; the rest was not read"
            )),
            Ok(()) => None,
        };
        if let Some(last) = last {
            let _ = writeln!(output, "{}", serde_json::json!({ "error": last }));
        }
        let _ = output.flush();
    });
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out_body).into_response())
}
