//! `/api/v1/claims`: read, write, and where a claim appeared (search is in `search`).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::auth::Caller;
use super::{blocking, ApiBytes, ApiError, ApiJson, ApiPath, AppState};
use crate::error::Error;
use crate::formats;
use crate::keys::Role;
use crate::model::{Appearance, Claim};

#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}",
    summary = "Read one claim",
    tag = "claims",
    description = "One claim: as JSON, or as schema.org ClaimReview JSON-LD with `Accept: application/ld+json`.",
    params(("id" = String, Path, description = "The claim's id"), ("If-None-Match" = Option<String>, Header, description = "ETags of versions the client holds (or `*`): if the claim is still one of them, the answer is 304 without a body")),
    responses(
        (status = 200, description = "The claim", headers(("ETag" = String, description = "The version of the claim returned")), content((Claim = "application/json"), (Object = "application/ld+json"))),
        (status = 304, description = "The claim is still the version named by If-None-Match", headers(("ETag" = String, description = "The claim's current version"))),
        (status = 404, description = "No claim with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 406, description = "Neither JSON nor JSON-LD is acceptable", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kb = state.kb.clone();
    let claim = blocking(move || kb.get_claim(&id)).await?;
    let tag = crate::kb::etag(&claim);
    if header_text(&headers, header::IF_NONE_MATCH)?.is_some_and(|h| none_match(&h, &tag)) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        set_etag(&mut response, &claim);
        return Ok(response);
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*/*");
    let mut response = match representation(accept) {
        Some(Representation::Json) => Json(&claim).into_response(),
        Some(Representation::JsonLd) => (
            [(header::CONTENT_TYPE, "application/ld+json")],
            crate::formats::claimreview::to_json(&claim).to_string(),
        )
            .into_response(),
        None => {
            return Err(ApiError::NotAcceptable(
                "a claim comes as application/json or application/ld+json".into(),
            ))
        }
    };
    set_etag(&mut response, &claim);
    Ok(response)
}

enum Representation {
    Json,
    JsonLd,
}

/// The representation an `Accept` header prefers (highest q, then order).
fn representation(accept: &str) -> Option<Representation> {
    let mut best: Option<(f32, Representation)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let rep = match media.as_str() {
            "application/ld+json" => Representation::JsonLd,
            "application/json" | "application/*" | "*/*" => Representation::Json,
            _ => continue,
        };
        if q > 0.0 && best.as_ref().is_none_or(|(b, _)| q > *b) {
            best = Some((q, rep));
        }
    }
    best.map(|(_, r)| r)
}

fn set_etag(response: &mut Response, claim: &Claim) {
    if let Ok(tag) = HeaderValue::from_str(&crate::kb::etag(claim)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
}

fn if_match(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    header_text(headers, header::IF_MATCH)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Result<Option<String>, ApiError> {
    headers
        .get(&name)
        .map(|v| {
            v.to_str()
                .map(str::to_string)
                .map_err(|_| ApiError::BadRequest(format!("{name} is not readable text")))
        })
        .transpose()
}

/// The JSON merge patch (RFC 7396) a PATCH carries.
pub(super) fn merge_patch_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<serde_json::Value, ApiError> {
    let media = super::media_type(headers);
    if media != "application/merge-patch+json" && media != "application/json" {
        return Err(ApiError::UnsupportedMediaType(
            "send a JSON merge patch as application/merge-patch+json".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))
}

/// Whether an `If-None-Match` value names `tag`: `*`, or any listed tag
/// under the weak comparison RFC 9110 (13.1.2) asks for, `W/` ignored.
fn none_match(header: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    header.trim() == "*" || header.split(',').any(|t| bare(t) == bare(tag))
}

/// A claim from a request body, cleaned of control characters like an
/// imported one. Without an id it takes `path_id` (PUT) or, for a new
/// claim, the id an import derives from its review URL and text, so the
/// same fact-check posted twice is one claim.
fn from_body(claim: Claim, path_id: Option<&str>) -> Result<Claim, ApiError> {
    let mut claim = formats::clean::claim(claim).map_err(Error::Invalid)?;
    if claim.id.trim().is_empty() {
        claim.id = match path_id {
            Some(id) => id.to_string(),
            None => {
                let url = claim.url.as_deref().filter(|u| !u.trim().is_empty());
                formats::derive_id(url, claim.text.trim())
            }
        };
    }
    Ok(claim)
}

fn with_claim(status: StatusCode, claim: &Claim) -> Response {
    let mut response = (status, Json(claim)).into_response();
    set_etag(&mut response, claim);
    if status == StatusCode::CREATED {
        let location = format!("/api/v1/claims/{}", url_segment(&claim.id));
        if let Ok(v) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    response
}

/// A claim id as one path segment: ids may hold `/`, `?` or spaces.
fn url_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[utoipa::path(
    post,
    path = "/api/v1/claims",
    summary = "Create a claim",
    tag = "claims",
    description = "Creates a claim. It is searchable and matchable when the response arrives. Without an `id` the server derives one from the review URL and the text, as an import does, so posting the same fact-check twice is a 409, not a copy. Control characters (other than tab and newline) are dropped from text; an id holding one is refused.",
    request_body(content = Claim, content_type = "application/json", example = json!({"text": "Test claim: the border fence opens to everyone on the 15th", "title": "No, the border fence does not open on the 15th", "lang": "en", "verdict": "false", "url": "https://example.org/review/fence-15th", "publisher": "Test Desk"})),
    responses(
        (status = 201, description = "Created", body = Claim, headers(("ETag" = String, description = "The claim's version"), ("Location" = String, description = "The claim's URL"))),
        (status = 400, description = "Malformed JSON, wrong types, an unusable claim or an id with a control character", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A claim with this id exists", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(claim): ApiJson<Claim>,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let claim = from_body(claim, None)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let claim = blocking(move || kb.create_claim(claim)).await?;
    Ok(with_claim(StatusCode::CREATED, &claim))
}

#[utoipa::path(
    put,
    path = "/api/v1/claims/{id}",
    summary = "Replace or create a claim",
    tag = "claims",
    description = "Replaces the claim (or creates it). The id is the path's: the body may leave it out, and a body id that differs is a 400. With If-Match, only if the claim is still the version read.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Claim, content_type = "application/json", example = json!({"text": "Test claim: the border fence opens to everyone on the 15th", "title": "No, the border fence does not open on the 15th", "lang": "en", "verdict": "false", "url": "https://example.org/review/fence-15th", "publisher": "Test Desk"})),
    responses(
        (status = 200, description = "Replaced", body = Claim, headers(("ETag" = String, description = "The version of the claim returned"))),
        (status = 201, description = "Created", body = Claim, headers(("ETag" = String, description = "The version of the claim returned"))),
        (status = 400, description = "Malformed JSON, wrong types, or the body's id is not the path's", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The claim changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn replace(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(claim): ApiJson<Claim>,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    formats::clean::check_id(&id).map_err(Error::Invalid)?;
    let claim = from_body(claim, Some(&id))?;
    let tag = if_match(&headers)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let (claim, created) = blocking(move || kb.replace_claim(&id, claim, tag.as_deref())).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_claim(status, &claim))
}

#[utoipa::path(
    patch,
    path = "/api/v1/claims/{id}",
    summary = "Change fields of a claim",
    tag = "claims",
    description = "Changes fields of the claim with a JSON merge patch (RFC 7396): `null` removes a field. The id can't change.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Object, content_type = "application/merge-patch+json", example = json!({"summary": "The fence stays closed; the post shows an old photo.", "tags": ["border"]})),
    responses(
        (status = 200, description = "Patched", body = Claim, headers(("ETag" = String, description = "The version of the claim returned"))),
        (status = 400, description = "Not JSON, or the patched claim is not valid", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No claim with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The claim changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a merge patch", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn patch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let mut patch = merge_patch_body(&headers, &body)?;
    formats::clean::value(&mut patch);
    let tag = if_match(&headers)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let claim = blocking(move || kb.patch_claim(&id, &patch, tag.as_deref())).await?;
    Ok(with_claim(StatusCode::OK, &claim))
}

#[utoipa::path(
    delete,
    path = "/api/v1/claims/{id}",
    summary = "Delete a claim",
    tag = "claims",
    description = "Deletes the claim.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No claim with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The claim changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Editor)?;
    let tag = if_match(&headers)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    blocking(move || kb.delete_claim(&id, tag.as_deref())).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}/appearances",
    summary = "List where a claim was seen",
    tag = "claims",
    description = "Where the claim was seen.",
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The appearances", body = Vec<Appearance>, headers(("ETag" = String, description = "The version of the claim returned"))),
        (status = 400, description = "The id is not valid UTF-8", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No claim with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn appearances(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let kb = state.kb.clone();
    let claim = blocking(move || kb.get_claim(&id)).await?;
    let mut response = Json(&claim.appearances).into_response();
    set_etag(&mut response, &claim);
    Ok(response)
}

#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/appearances",
    summary = "Add where a claim was seen",
    tag = "claims",
    description = "Adds a place the claim was seen; its URL then matches posts that carry it.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Appearance, content_type = "application/json", example = json!({"url": "https://example.org/posts/fence-1", "text": "The fence opens on the 15th, share!"})),
    responses(
        (status = 201, description = "Added; the whole claim", body = Claim, headers(("ETag" = String, description = "The version of the claim returned"))),
        (status = 400, description = "Malformed JSON, wrong types, or neither url nor text", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No claim with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The claim changed since it was read", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn add_appearance(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(appearance): ApiJson<Appearance>,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let tag = if_match(&headers)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let appearance = formats::clean::appearance(appearance);
    let claim = blocking(move || kb.add_appearance(&id, appearance, tag.as_deref())).await?;
    let mut response = (StatusCode::CREATED, Json(&claim)).into_response();
    set_etag(&mut response, &claim);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_pick_the_representation() {
        assert!(matches!(representation("*/*"), Some(Representation::Json)));
        assert!(matches!(
            representation("application/ld+json"),
            Some(Representation::JsonLd)
        ));
        assert!(matches!(
            representation("application/json;q=0.5, application/ld+json"),
            Some(Representation::JsonLd)
        ));
        assert!(matches!(
            representation("application/ld+json;q=0.2, application/json"),
            Some(Representation::Json)
        ));
        assert!(representation("text/html").is_none());
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_a_star() {
        let tag = "\"abc\"";
        assert!(none_match("\"abc\"", tag));
        assert!(none_match("W/\"abc\"", tag));
        assert!(none_match("\"x\", W/\"abc\"", tag));
        assert!(none_match(" * ", tag));
        assert!(!none_match("\"abd\"", tag));
        assert!(!none_match("abc", tag));
    }

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(url_segment("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(url_segment("x-1_2.3~"), "x-1_2.3~");
    }
}
