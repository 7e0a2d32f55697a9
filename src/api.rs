//! The HTTP adapter (axum): extract, call the knowledge base off the async
//! threads, render. Every error becomes RFC 9457 problem+json here, in one place.

use std::net::SocketAddr;

use anyhow::Context;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::error::Error;
use crate::index::{SearchPage, SearchQuery};
use crate::kb::KnowledgeBase;
use crate::verdict::Verdict;

/// Longest accepted search query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most hits one search page returns.
pub const MAX_LIMIT: usize = 100;

#[derive(Clone)]
pub struct AppState {
    pub kb: KnowledgeBase,
}

pub fn router(kb: KnowledgeBase) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/claims", get(search_claims))
        .with_state(AppState { kb })
}

/// Serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub fn serve(kb: KnowledgeBase, addr: SocketAddr) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        tracing::info!(addr = %listener.local_addr()?, "serving");
        axum::serve(listener, router(kb))
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
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    lang: Option<String>,
    verdict: Option<String>,
    publisher: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn search_claims(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchPage>, ApiError> {
    if p.q.chars().count() > MAX_QUERY_CHARS {
        return Err(
            Error::Invalid(format!("q is longer than {MAX_QUERY_CHARS} characters")).into(),
        );
    }
    let verdict = p
        .verdict
        .as_deref()
        .map(|v| {
            Verdict::from_name(v).ok_or_else(|| Error::Invalid(format!("unknown verdict {v:?}")))
        })
        .transpose()?;
    let query = SearchQuery {
        q: p.q,
        lang: p.lang,
        verdict,
        publisher: p.publisher,
        limit: p.limit.unwrap_or(10).clamp(1, MAX_LIMIT),
        offset: p.offset.unwrap_or(0),
    };
    let kb = state.kb.clone();
    let page = tokio::task::spawn_blocking(move || kb.search(&query)).await??;
    Ok(Json(page))
}

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub enum ApiError {
    Core(Error),
    Internal(String),
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Core(e)
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title, detail) = match &self {
            ApiError::Core(Error::NotFound(what)) => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                Some(what.clone()),
            ),
            ApiError::Core(Error::Invalid(why)) => (
                StatusCode::BAD_REQUEST,
                "invalid-input",
                "Invalid input",
                Some(why.clone()),
            ),
            ApiError::Core(e @ Error::BadRecord { .. }) => (
                StatusCode::BAD_REQUEST,
                "bad-record",
                "Bad record",
                Some(e.to_string()),
            ),
            ApiError::Core(Error::Conflict(why)) => (
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                Some(why.clone()),
            ),
            _ => {
                // Say nothing internal to the client; the log has the details.
                tracing::error!(error = ?self, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    None,
                )
            }
        };
        let mut body = json!({
            "type": format!("https://debunk.dev/problems/{kind}"),
            "title": title,
            "status": status.as_u16(),
        });
        if let Some(detail) = detail {
            body["detail"] = json!(detail);
        }
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}
