//! `/api/v1/audit`: who changed what, when, before and after.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{blocking, ApiError, ApiQuery, AppState};
use crate::store::AuditEntry;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// `claim`, `link`, `narrative` or `settings`.
    entity: Option<String>,
    /// The entity's id (a claim id, a link number, a narrative id).
    id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    summary = "Read the audit trail",
    tag = "moderation",
    description = "The audit trail, oldest first (the latest 500 changes): every change to a claim made \
                   through moderation, a link, a narrative or the settings, with who, when, before and after.",
    params(AuditParams),
    responses(
        (status = 200, description = "The changes", body = Vec<AuditEntry>),
        (status = 400, description = "A bad parameter", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let kb = state.kb.clone();
    let entries =
        blocking(move || kb.audit_log(params.entity.as_deref(), params.id.as_deref())).await?;
    Ok(Json(entries))
}
