//! `/api/v1/narratives`: claims in any language that tell one false story,
//! with the posts linked to them and their timeline.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};

use super::auth::Caller;
use super::posts::editor;
use super::{blocking, ApiError, ApiJson, ApiPath, AppState};
use crate::kb::{NarrativeInput, NarrativeView};
use crate::store::Narrative;

#[utoipa::path(
    get,
    path = "/api/v1/narratives",
    summary = "List narratives",
    tag = "moderation",
    description = "Every narrative, newest first.",
    responses(
        (status = 200, description = "The narratives", body = Vec<Narrative>),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Narrative>>, ApiError> {
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.list_narratives()).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/narratives",
    summary = "Create a narrative",
    tag = "moderation",
    description = "Creates a narrative over the claims named; each joins it (leaving any other narrative).",
    request_body(content = NarrativeInput, content_type = "application/json", example = json!({"title": "Storm the border fence on the 15th", "event_date": "2024-09-15", "place": "Fnideq", "status": "active", "claims": []})),
    responses(
        (status = 201, description = "Created", body = NarrativeView),
        (status = 400, description = "Malformed JSON, no title, an unknown claim, an end before the start", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<NarrativeInput>,
) -> Result<(StatusCode, Json<NarrativeView>), ApiError> {
    let actor = editor(&caller)?;
    let kb = state.kb.clone();
    let view = blocking(move || kb.create_narrative(input, &actor)).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(
    get,
    path = "/api/v1/narratives/{id}",
    summary = "Read one narrative",
    tag = "moderation",
    description = "A narrative with its claims, the posts linked to them, and their timeline per day and platform.",
    params(("id" = String, Path, description = "The narrative's id")),
    responses(
        (status = 200, description = "The narrative", body = NarrativeView),
        (status = 404, description = "No narrative with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<NarrativeView>, ApiError> {
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.narrative(&id)).await?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/narratives/{id}",
    summary = "Change a narrative",
    tag = "moderation",
    description = "Changes a narrative with a JSON merge patch (RFC 7396) over its fields and its `claims` list.",
    params(("id" = String, Path, description = "The narrative's id")),
    request_body(content = Object, content_type = "application/merge-patch+json", example = json!({"status": "dormant"})),
    responses(
        (status = 200, description = "Patched", body = NarrativeView),
        (status = 400, description = "Not JSON, or the patched narrative is not valid", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No narrative with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The narrative changed while it was being patched", body = super::openapi::Problem, content_type = "application/problem+json"),
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
) -> Result<Json<NarrativeView>, ApiError> {
    let actor = editor(&caller)?;
    let patch = super::claims::merge_patch_body(&headers, &body)?;
    let kb = state.kb.clone();
    Ok(Json(
        blocking(move || kb.patch_narrative(&id, &patch, &actor)).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/narratives/{id}",
    summary = "Delete a narrative",
    tag = "moderation",
    description = "Deletes a narrative; its claims stay, in no narrative.",
    params(("id" = String, Path, description = "The narrative's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No narrative with this id", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let actor = editor(&caller)?;
    let kb = state.kb.clone();
    blocking(move || kb.delete_narrative(&id, &actor)).await?;
    Ok(StatusCode::NO_CONTENT)
}
