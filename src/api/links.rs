//! `/api/v1/links`, `/api/v1/review` and `/api/v1/settings`: the links
//! between posts and claims, the queue a moderator works, and the
//! thresholds that fill it.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::auth::Caller;
use super::posts::{decision_body, editor, DecisionBody};
use super::{blocking, ApiError, ApiJson, ApiPath, ApiQuery, AppState};
use crate::kb::Settings;
use crate::keys::Role;
use crate::store::{Decision, Link, LinkFilter, LinkStatus, ReviewFilter, ReviewItem};
use serde::Deserialize;

/// The orders of the review queue.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // a description only: the facade reads the name
pub enum ReviewSort {
    Newest,
    MostSeen,
}

/// A link's entity tag: its version, quoted.
fn with_etag(link: &Link) -> Response {
    let mut response = Json(link).into_response();
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{}\"", link.version)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// The version an `If-Match` names (`"3"`, `W/"3"` or `3`).
fn if_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest("If-Match is a link's ETag, e.g. \"1\"".into()))
}

#[utoipa::path(
    get,
    path = "/api/v1/links",
    summary = "List links",
    tag = "moderation",
    description = "Links between posts and claims, oldest first (at most 500).",
    params(LinkFilter),
    responses(
        (status = 200, description = "The links", body = Vec<Link>),
        (status = 400, description = "A bad parameter", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<LinkFilter>,
) -> Result<Json<Vec<Link>>, ApiError> {
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.list_links(&filter)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/links/{id}",
    summary = "Read one link",
    tag = "moderation",
    description = "One link with its evidence and decision.",
    params(("id" = i64, Path, description = "The link's id")),
    responses(
        (status = 200, description = "The link", body = Link, headers(("ETag" = String, description = "The link's version"))),
        (status = 400, description = "The id is not a number", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No link with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let kb = state.kb.clone();
    Ok(with_etag(&blocking(move || kb.get_link(id)).await?))
}

async fn decide(
    state: AppState,
    caller: Caller,
    id: i64,
    headers: HeaderMap,
    body: &[u8],
    status: LinkStatus,
) -> Result<Response, ApiError> {
    let decision = Decision {
        status,
        actor: editor(&caller)?,
        note: decision_body(body)?.note,
        if_version: if_version(&headers)?,
    };
    let kb = state.kb.clone();
    Ok(with_etag(
        &blocking(move || kb.decide_link(id, decision)).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/links/{id}/confirm",
    summary = "Confirm a link",
    tag = "moderation",
    description = "Confirms a suggested link: the post becomes an appearance of the claim, and its text \
                   matching material, before the response arrives.",
    params(("id" = i64, Path, description = "The link's id"), ("If-Match" = Option<String>, Header, description = "The link's ETag as last read")),
    request_body(content = Option<DecisionBody>, content_type = "application/json", example = json!({"note": "same video, same claim"})),
    responses(
        (status = 200, description = "Confirmed", body = Link, headers(("ETag" = String, description = "The link's version"))),
        (status = 400, description = "A bad id, body or If-Match", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No link with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was decided already", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The link changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    decide(state, caller, id, headers, &body, LinkStatus::Confirmed).await
}

#[utoipa::path(
    post,
    path = "/api/v1/links/{id}/reject",
    summary = "Reject a link",
    tag = "moderation",
    description = "Rejects a suggested link: the post and the claim are never linked again.",
    params(("id" = i64, Path, description = "The link's id"), ("If-Match" = Option<String>, Header, description = "The link's ETag as last read")),
    request_body(content = Option<DecisionBody>, content_type = "application/json", example = json!({"note": "same topic, another claim"})),
    responses(
        (status = 200, description = "Rejected", body = Link, headers(("ETag" = String, description = "The link's version"))),
        (status = 400, description = "A bad id, body or If-Match", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No link with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was decided already", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The link changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    decide(state, caller, id, headers, &body, LinkStatus::Rejected).await
}

#[utoipa::path(
    get,
    path = "/api/v1/review",
    summary = "The review queue",
    tag = "moderation",
    description = "The review queue: each link with its post (text, times seen, first and last seen, \
                   platforms), its claim with the verdict, and the explanation.",
    params(
        ("status" = Option<LinkStatus>, Query, description = "Link status (default suggested)"),
        ("band" = Option<String>, Query, description = "match or possible"),
        ("lang" = Option<String>, Query, description = "The post's language (ISO 639-1)"),
        ("platform" = Option<String>, Query, description = "A platform the post was seen on"),
        ("since" = Option<String>, Query, description = "Only posts last seen at or after this time (RFC 3339 or a day)"),
        ("sort" = inline(Option<ReviewSort>), Query, description = "newest (last seen first, the default) or most_seen"),
        ("limit" = Option<usize>, Query, description = "Most items, 1 to 500 (default 50)")
    ),
    responses(
        (status = 200, description = "The queue", body = Vec<ReviewItem>),
        (status = 400, description = "A bad parameter", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn review(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<ReviewFilter>,
) -> Result<Json<Vec<ReviewItem>>, ApiError> {
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.review(&filter)).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/settings",
    summary = "Read the thresholds",
    tag = "moderation",
    description = "This data folder's thresholds. They say how sure a match must be to reach the \
                   queue or skip it, which is the moderators' business: an editor key reads them.",
    responses(
        (status = 200, description = "The thresholds", body = Settings),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Settings>, ApiError> {
    caller.require(Role::Editor)?;
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.settings()).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/settings",
    summary = "Set the thresholds",
    tag = "moderation",
    description = "Sets the thresholds: `suggest_at` ≤ `confirm_at` (or `confirm_at` null: no automatic confirmation).",
    request_body(content = Settings, content_type = "application/json", example = json!({"suggest_at": 0.3, "confirm_at": 0.95})),
    responses(
        (status = 200, description = "The thresholds as stored", body = Settings),
        (status = 400, description = "Malformed JSON, scores outside [0, 1], or confirm_at below suggest_at", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn put_settings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(settings): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    caller.require(Role::Admin)?;
    let actor = editor(&caller)?;
    let kb = state.kb.clone();
    Ok(Json(
        blocking(move || kb.put_settings(settings, &actor)).await?,
    ))
}

/// Several decisions at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDecision {
    /// The links to decide.
    ids: Vec<i64>,
    /// `confirmed` or `rejected`.
    status: LinkStatus,
    #[serde(default)]
    note: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/links/decide",
    summary = "Decide several links",
    tag = "moderation",
    description = "Confirms or rejects several suggested links at once, all or nothing: if one is unknown \
                   or decided already, none is decided.",
    request_body(content = BulkDecision, content_type = "application/json", example = json!({"ids": [1, 2], "status": "rejected", "note": "not this story"})),
    responses(
        (status = 200, description = "The links as decided, in the order given", body = Vec<Link>),
        (status = 400, description = "Malformed JSON, or a status other than confirmed or rejected", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No link with one of these ids", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "One of the links was decided already", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn decide_many(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(bulk): ApiJson<BulkDecision>,
) -> Result<Json<Vec<Link>>, ApiError> {
    let decision = Decision {
        status: bulk.status,
        actor: editor(&caller)?,
        note: bulk.note,
        if_version: None,
    };
    let kb = state.kb.clone();
    Ok(Json(
        blocking(move || kb.decide_links(&bulk.ids, decision)).await?,
    ))
}
