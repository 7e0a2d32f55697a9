//! The API's OpenAPI 3.1 description, generated from the handlers'
//! annotations and the types they exchange, served at `/openapi.json`,
//! and an interactive page over it at `/docs` whose every byte debunk
//! serves itself.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "debunk",
        description = "A multilingual fact-check knowledge base: search fact-checks, write them, \
                       and match posts to the false claims they repeat.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "claims", description = "Fact-checked claims: search, read, write"),
        (name = "match", description = "Which known claims a post repeats"),
        (name = "moderation", description = "Posts, their links to claims, the review queue, narratives and the audit trail"),
        (name = "keys", description = "API keys, for admin keys"),
        (name = "operations", description = "Probes, metrics and this description")
    )
)]
pub struct ApiDoc;

/// Declares the bearer-key scheme the write routes name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key made with `debunk keys create` (`dbk_...`).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The formats `POST /api/v1/import` reads (a description only: the
/// handler reads the name and says what it can't take).
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ImportFormatName {
    Auto,
    Jsonl,
    Claimreview,
    FactcheckApi,
}

/// The formats `GET /api/v1/export` writes (a description only).
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ExportFormatName {
    Jsonl,
    Claimreview,
}

/// The orders a search can sort by (a description only).
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum SortName {
    Relevance,
    Date,
}

/// An RFC 9457 problem: every error the API returns.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Names the kind of error: `https://debunk.dev/problems/<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What exactly went wrong, when it is safe to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `{"status": ...}` of the probes.
#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: String,
    /// `/readyz`: `semantic` (cross-lingual, with the embedding model) or `lexical`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    summary = "This description",
    tag = "operations",
    description = "This description of the API, OpenAPI 3.1.",
    responses(
        (status = 200, description = "This API's OpenAPI 3.1 description", body = Object),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn spec(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_ref().clone(),
    )
        .into_response()
}

/// `GET /docs`: every route, its parameters, bodies and answers, with a
/// form to try each one from the browser.
#[utoipa::path(
    get,
    path = "/docs",
    summary = "Interactive documentation",
    tag = "operations",
    description = "Interactive documentation of every route, with a form to try each from the browser.",
    responses(
        (status = 200, description = "Interactive API documentation", content_type = "text/html", body = String),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn docs() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
