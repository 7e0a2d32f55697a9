//! `/api/v1/keys`: API key management over HTTP, for `admin` keys only
//! (the same as `debunk keys` on the server's machine).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::openapi::Problem;
use super::{blocking, ApiError, ApiJson, ApiPath, AppState};
use crate::error::Error;
use crate::keys::{ApiKey, Role};

/// A key to make.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// Who or what uses the key.
    name: String,
    role: Role,
}

/// A key just made, with its secret: shown in this answer only.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    key: ApiKey,
    /// Send as `Authorization: Bearer <secret>`. Only its hash is kept.
    secret: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/keys",
    summary = "List API keys",
    tag = "keys",
    description = "Every API key, revoked ones included; never a secret.",
    responses(
        (status = 200, description = "The keys, oldest first", body = Vec<ApiKey>),
        (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    caller.require(Role::Admin)?;
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.store().list_keys()).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/keys",
    summary = "Make an API key",
    tag = "keys",
    description = "Makes a key; the answer carries its secret, which is never shown again.",
    request_body(content = NewKey, content_type = "application/json", example = json!({"name": "newsroom desk", "role": "editor"})),
    responses(
        (status = 201, description = "The key and its secret", body = CreatedKey),
        (status = 400, description = "Malformed JSON, an unknown role or an empty name", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 256 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewKey>,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let kb = state.kb.clone();
    let (key, secret) = blocking(move || kb.store().create_key(&new.name, new.role)).await?;
    tracing::info!(key = %key.id, role = %key.role, by = ?caller.key.map(|k| k.id), "API key created");
    Ok((StatusCode::CREATED, Json(CreatedKey { key, secret })).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/keys/{id}",
    summary = "Revoke an API key",
    tag = "keys",
    description = "Revokes a key: requests with it are refused from now on.",
    params(("id" = String, Path, description = "The key's public id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No active key with this id", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Role::Admin)?;
    let kb = state.kb.clone();
    let who = id.clone();
    if blocking(move || kb.store().revoke_key(&who)).await? {
        tracing::info!(key = %id, by = ?caller.key.map(|k| k.id), "API key revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("active key {id}")).into())
    }
}
