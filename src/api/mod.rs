//! The HTTP adapter (axum): extract, call the knowledge base off the async
//! threads, render. Handlers stay thin; errors become RFC 9457
//! problem+json in one place ([`problem`]); who may call what is decided
//! in [`auth`].
//!
//! The listener, the request id, the time limit, CORS and unknown paths
//! belong to [`crate::server`], which mounts these routes.

pub mod audit;
pub mod auth;
pub mod claims;
pub mod keys;
pub mod links;
pub mod matching;
pub mod narratives;
pub mod openapi;
pub mod ops;
pub mod posts;
pub mod problem;
pub mod search;
pub mod stream;
pub mod transfer;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kb::KnowledgeBase;
pub use problem::ApiError;

/// Largest JSON body, in bytes.
pub const MAX_JSON_BODY: usize = 256 * 1024;
/// Longest text to match, in characters.
pub const MAX_MATCH_CHARS: usize = 5_000;
/// Longest search query, in characters: what a journalist pastes, as long
/// as a text to match.
pub const MAX_QUERY_CHARS: usize = MAX_MATCH_CHARS;
/// Most hits one search page returns.
pub const MAX_LIMIT: usize = 100;
/// Most matches asked per post.
pub const MAX_TOP: usize = 50;

/// How `debunk serve` runs.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeOptions {
    /// Refuse reads without a key too (every route but /healthz and /readyz).
    #[arg(long)]
    pub private: bool,
    /// An origin browsers may call the API from (repeatable; `*` for any).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Seconds a request may take before it is stopped (503), and a
    /// connection may wait before sending a whole request head.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    /// Requests a minute per key, or per address without one (0: no limit).
    #[arg(long, default_value_t = 600)]
    pub rate_limit: u32,
    /// Most records one batch-match or import request may carry.
    #[arg(long, default_value_t = 100_000)]
    pub max_records: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            private: false,
            cors_origins: Vec::new(),
            timeout_secs: 30,
            rate_limit: 600,
            max_records: 100_000,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub kb: KnowledgeBase,
    pub options: Arc<ServeOptions>,
    pub limiter: Arc<auth::RateLimiter>,
    pub metrics: Arc<ops::Metrics>,
    /// `/openapi.json`, rendered once.
    pub openapi: Arc<String>,
}

impl AppState {
    pub fn new(kb: KnowledgeBase, options: ServeOptions) -> AppState {
        AppState {
            kb,
            limiter: Arc::new(auth::RateLimiter::new(options.rate_limit)),
            options: Arc::new(options),
            metrics: Arc::new(ops::Metrics::default()),
            openapi: Arc::new(openapi_json()),
        }
    }
}

/// The API's routes with their own layers (keys, roles, rate limit, body
/// limit), without the server's: see [`crate::server::app`], which mounts
/// them beside other pages and answers unknown paths.
pub fn router(kb: KnowledgeBase, options: ServeOptions) -> Router {
    router_with(AppState::new(kb, options))
}

/// [`router`] over a state the caller keeps (the server reads its metrics).
pub fn router_with(state: AppState) -> Router {
    let (routes, _) = routes().split_for_parts();
    // A route layer, so that it runs only for a route and method that
    // exist: a method no route has is a 405 whoever asks, not a 401.
    routes
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .with_state(state)
}

/// Every route, each with its OpenAPI description: a route can't be
/// served without being described.
fn routes() -> OpenApiRouter<AppState> {
    // Streamed routes read their bodies record by record, under a record
    // cap instead of a byte limit.
    let streamed = OpenApiRouter::new()
        .routes(routes!(matching::match_batch))
        .routes(routes!(transfer::import))
        .routes(routes!(posts::receive_batch))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(openapi::spec))
        .routes(routes!(openapi::docs))
        .routes(routes!(search::search, claims::create))
        .routes(routes!(
            claims::get_one,
            claims::replace,
            claims::patch,
            claims::delete
        ))
        .routes(routes!(claims::appearances, claims::add_appearance))
        .routes(routes!(matching::match_one))
        .routes(routes!(transfer::export))
        .routes(routes!(keys::list, keys::create))
        .routes(routes!(keys::revoke))
        .routes(routes!(posts::receive))
        .routes(routes!(posts::get_one))
        .routes(routes!(posts::reject_all))
        .routes(routes!(links::list))
        .routes(routes!(links::get_one))
        .routes(routes!(links::confirm))
        .routes(routes!(links::reject))
        .routes(routes!(links::decide_many))
        .routes(routes!(links::review))
        .routes(routes!(links::settings, links::put_settings))
        .routes(routes!(narratives::list, narratives::create))
        .routes(routes!(
            narratives::get_one,
            narratives::patch,
            narratives::delete
        ))
        .routes(routes!(audit::list))
        .merge(streamed)
}

/// The OpenAPI description of the API, as `/openapi.json` serves it.
pub fn openapi_json() -> String {
    routes().split_for_parts().1.to_json().unwrap_or_default()
}

/// Unknown paths under `/api/`: the API's own 404.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// A JSON body whose every rejection is a problem+json.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

/// A raw body under the JSON body limit, whose every rejection (the limit
/// above all) is a problem+json.
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|e| problem::from_bytes_rejection(&e))
    }
}

/// Wraps one of axum's parts extractors so that its rejection is a
/// problem+json (`bad-request`) like every other error.
macro_rules! problem_extractor {
    ($(#[$doc:meta])* $name:ident, $inner:ident) => {
        $(#[$doc])*
        pub struct $name<T>(pub T);

        impl<S, T> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                let axum::extract::$inner(value) =
                    axum::extract::$inner::<T>::from_request_parts(parts, state)
                        .await
                        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
                Ok($name(value))
            }
        }
    };
}

problem_extractor!(
    /// Query parameters whose every rejection is a problem+json.
    ApiQuery,
    Query
);
problem_extractor!(
    /// A path parameter whose every rejection is a problem+json.
    ApiPath,
    Path
);

/// The media type of the request body, without parameters, lowercased.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Runs blocking knowledge-base work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(tokio::task::spawn_blocking(f).await??)
}

impl IntoResponse for crate::error::Error {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}
