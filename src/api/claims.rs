//! `/api/v1/claims`: read, write, and where a claim appeared (search is in `search`).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::auth::Caller;
use super::{blocking, ApiError, ApiJson, ApiPath, AppState};
use crate::keys::Role;
use crate::model::{Appearance, Claim};

#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}",
    tag = "claims",
    description = "One claim: as JSON, or as schema.org ClaimReview JSON-LD with `Accept: application/ld+json`.",
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The claim", headers(("ETag" = String, description = "The version of the claim returned")), content((Claim = "application/json"), (Object = "application/ld+json"))),
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
    headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .map(str::to_string)
                .map_err(|_| ApiError::BadRequest("If-Match is not readable text".into()))
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
    tag = "claims",
    description = "Creates a claim. It is searchable and matchable when the response arrives.",
    request_body(content = Claim, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Claim, headers(("ETag" = String, description = "The claim's version"), ("Location" = String, description = "The claim's URL"))),
        (status = 400, description = "Malformed JSON, wrong types or an unusable claim", body = super::openapi::Problem, content_type = "application/problem+json"),
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
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let claim = blocking(move || kb.create_claim(claim)).await?;
    Ok(with_claim(StatusCode::CREATED, &claim))
}

#[utoipa::path(
    put,
    path = "/api/v1/claims/{id}",
    tag = "claims",
    description = "Replaces the claim (or creates it). With If-Match, only if the claim is still the version read.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Claim, content_type = "application/json"),
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
    tag = "claims",
    description = "Changes fields of the claim with a JSON merge patch (RFC 7396): `null` removes a field. The id can't change.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Object, content_type = "application/merge-patch+json"),
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
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require(Role::Editor)?;
    let patch = merge_patch_body(&headers, &body)?;
    let tag = if_match(&headers)?;
    let kb = state.kb.acting_as(&super::posts::editor(&caller)?);
    let claim = blocking(move || kb.patch_claim(&id, &patch, tag.as_deref())).await?;
    Ok(with_claim(StatusCode::OK, &claim))
}

#[utoipa::path(
    delete,
    path = "/api/v1/claims/{id}",
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
    tag = "claims",
    description = "Where the claim was seen.",
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The appearances", body = Vec<Appearance>, headers(("ETag" = String, description = "The version of the claim returned"))),
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
    tag = "claims",
    description = "Adds a place the claim was seen; its URL then matches posts that carry it.",
    params(("id" = String, Path, description = "The claim's id"), ("If-Match" = Option<String>, Header, description = "The ETag of the claim as last read: the write happens only if it is still current")),
    request_body(content = Appearance, content_type = "application/json"),
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
    fn ids_become_one_path_segment() {
        assert_eq!(url_segment("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(url_segment("x-1_2.3~"), "x-1_2.3~");
    }
}
