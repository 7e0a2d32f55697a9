//! The HTTP adapter (axum): extract, call the knowledge base off the async
//! threads, render. Handlers stay thin; errors become RFC 9457
//! problem+json in one place ([`problem`]); who may call what is decided
//! in [`auth`].
//!
//! Every response carries an `x-request-id` (the caller's, or a new one),
//! and the log line of every failed request names it.

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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kb::KnowledgeBase;
pub use problem::ApiError;

/// Largest JSON body, in bytes.
pub const MAX_JSON_BODY: usize = 256 * 1024;
/// Longest text to match, in characters.
pub const MAX_MATCH_CHARS: usize = 5_000;
/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
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
    /// Seconds a request may take before it is stopped (503).
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

/// The whole API, ready to serve (or to call in-process, as the tests do).
pub fn router(kb: KnowledgeBase, options: ServeOptions) -> Router {
    let (routes, spec) = routes().split_for_parts();
    let state = AppState {
        kb,
        limiter: Arc::new(auth::RateLimiter::new(options.rate_limit)),
        options: Arc::new(options),
        metrics: Arc::new(ops::Metrics::default()),
        openapi: Arc::new(spec.to_json().unwrap_or_default()),
    };
    let cors = cors_layer(&state.options.cors_origins);
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(cors)
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

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub fn serve(kb: KnowledgeBase, addr: SocketAddr, options: ServeOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        tracing::info!(addr = %listener.local_addr()?, private = options.private, "serving");
        let app = router(kb, options).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving HTTP")
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
            axum::http::header::IF_MATCH,
            HeaderName::from_static("x-top"),
            REQUEST_ID.clone(),
        ])
        .expose_headers([
            axum::http::header::ETAG,
            axum::http::header::RETRY_AFTER,
            REQUEST_ID.clone(),
        ])
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request id, timeout and metrics around every request.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = request.method().clone();
    let span = tracing::info_span!("request", id = %id, %method, route = %route);
    let limit = Duration::from_secs(state.options.timeout_secs.max(1));
    let run = tracing::Instrument::instrument(tokio::time::timeout(limit, next.run(request)), span);
    let mut response = match run.await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(request_id = %id, route = %route, "request timed out");
            ApiError::Timeout.into_response()
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    let status = response.status();
    if status.is_server_error() {
        tracing::error!(request_id = %id, %method, route = %route, status = status.as_u16(), "request failed");
    }
    state
        .metrics
        .observe(&method, &route, status.as_u16(), started.elapsed());
    response
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness an id is still unique enough from the clock.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn not_found() -> ApiError {
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
