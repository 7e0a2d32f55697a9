//! The HTTP server above the API (and, beside it, the web pages): the
//! listener, the layers every route shares (request id, time limit,
//! metrics, tracing, CORS), graceful shutdown, and the answer to paths no
//! router knows.
//!
//! Connections are served by hyper directly rather than `axum::serve`, so
//! that a client must send its request head within the time limit: a
//! connection trickling a header line would otherwise stay open forever.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::api::{self, ApiError, AppState, ServeOptions};
use crate::kb::KnowledgeBase;
use crate::web;

/// The whole application: the API, `extra` beside it (the web pages, say),
/// every shared layer, and the 404 for everything else. `extra` must not
/// set a fallback of its own: unknown paths are answered here.
pub fn app(state: AppState, extra: Router) -> Router {
    let cors = cors_layer(&state.options.cors_origins);
    Router::new()
        .merge(api::router_with(state.clone()))
        .merge(extra)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, observe))
        .layer(cors)
}

/// What `serve` serves: the API and the web pages, under every shared layer.
pub fn site(kb: KnowledgeBase, options: ServeOptions) -> Router {
    let pages = web::router(
        kb.clone(),
        web::Options {
            private: options.private,
            ..web::Options::default()
        },
    );
    app(AppState::new(kb, options), pages)
}

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub fn serve(kb: KnowledgeBase, addr: SocketAddr, options: ServeOptions) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        tracing::info!(addr = %listener.local_addr()?, private = options.private, "serving");
        let head_limit = Duration::from_secs(options.timeout_secs.max(1));
        let app = site(kb, options);
        run(listener, app, head_limit, shutdown_signal()).await;
        Ok(())
    })
}

/// Accepts connections until `stop` resolves, then waits for the requests
/// in flight. Each connection must send a request head within `head_limit`.
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    head_limit: Duration,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors, say: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                // The rate limit counts anonymous callers by address.
                request.extensions_mut().insert(ConnectInfo(remote));
                app.clone().oneshot(request.map(Body::new))
            });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(head_limit);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
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

/// Unknown paths: the API's problem+json under `/api/`, the web's HTML
/// 404 page, in the visitor's language, elsewhere.
async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        api::not_found().await.into_response()
    } else {
        web::not_found(request.headers())
    }
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
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("x-top"),
            REQUEST_ID.clone(),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::LOCATION,
            REQUEST_ID.clone(),
        ])
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request id, time limit, tracing and metrics around every request.
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
