//! Every error the API returns, as RFC 9457 `application/problem+json`,
//! built here and nowhere else. Each kind of error has a stable `type` URI;
//! a 5xx says nothing internal (the log, under the request id, has it all).

use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

/// Where the problem types live: stable names, documented in the README.
pub const TYPE_BASE: &str = "https://debunk.dev/problems/";

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub enum ApiError {
    Core(Error),
    /// The request itself is unusable: bad JSON, wrong types, bad header.
    BadRequest(String),
    /// A body the route can't take in that media type.
    UnsupportedMediaType(String),
    PayloadTooLarge(String),
    /// No key, or a key that is unknown or revoked.
    Unauthorized(String),
    /// A key whose role is not enough.
    Forbidden(String),
    TooManyRequests {
        retry_after_secs: u64,
    },
    Timeout,
    NotFound(String),
    MethodNotAllowed,
    NotAcceptable(String),
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

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                "send the body as JSON, with Content-Type: application/json".into(),
            ),
            JsonRejection::BytesRejection(e) => from_bytes_rejection(&e),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// A body that could not be read whole: over the limit, or cut off.
pub fn from_bytes_rejection(e: &BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(format!(
            "the body is over the limit of {} bytes",
            super::MAX_JSON_BODY
        ))
    } else {
        ApiError::BadRequest(e.body_text())
    }
}

/// The fields of one problem.
struct Problem {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: Option<String>,
}

impl ApiError {
    fn problem(&self) -> Problem {
        let p = |status, kind, title, detail: Option<&String>| Problem {
            status,
            kind,
            title,
            detail: detail.cloned(),
        };
        use StatusCode as S;
        match self {
            ApiError::Core(Error::NotFound(what)) | ApiError::NotFound(what) => {
                p(S::NOT_FOUND, "not-found", "Not found", Some(what))
            }
            ApiError::Core(Error::Invalid(why)) => {
                p(S::BAD_REQUEST, "invalid-input", "Invalid input", Some(why))
            }
            ApiError::Core(e @ Error::BadRecord { .. }) => Problem {
                detail: Some(e.to_string()),
                ..p(S::BAD_REQUEST, "bad-record", "Bad record", None)
            },
            ApiError::Core(Error::Json(e)) => Problem {
                detail: Some(e.to_string()),
                ..p(S::BAD_REQUEST, "bad-json", "Malformed JSON", None)
            },
            ApiError::Core(Error::Conflict(why)) => {
                p(S::CONFLICT, "conflict", "Conflict", Some(why))
            }
            ApiError::Core(Error::Stale(why)) => p(
                S::PRECONDITION_FAILED,
                "stale-version",
                "The record changed since it was read",
                Some(why),
            ),
            ApiError::BadRequest(why) => p(S::BAD_REQUEST, "bad-request", "Bad request", Some(why)),
            ApiError::UnsupportedMediaType(why) => p(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                Some(why),
            ),
            ApiError::PayloadTooLarge(why) => p(
                S::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request too large",
                Some(why),
            ),
            ApiError::Unauthorized(why) => p(
                S::UNAUTHORIZED,
                "unauthorized",
                "A valid API key is needed",
                Some(why),
            ),
            ApiError::Forbidden(why) => p(
                S::FORBIDDEN,
                "forbidden",
                "The key's role is not enough",
                Some(why),
            ),
            ApiError::TooManyRequests { retry_after_secs } => Problem {
                detail: Some(format!("try again in {retry_after_secs} s")),
                ..p(
                    S::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    None,
                )
            },
            ApiError::Timeout => Problem {
                detail: Some("the request took too long and was stopped".into()),
                ..p(S::SERVICE_UNAVAILABLE, "timeout", "Request timed out", None)
            },
            ApiError::MethodNotAllowed => p(
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                None,
            ),
            ApiError::NotAcceptable(why) => p(
                S::NOT_ACCEPTABLE,
                "not-acceptable",
                "Not acceptable",
                Some(why),
            ),
            ApiError::Core(e) if e.is_storage_full() => Problem {
                detail: Some(
                    "the disk holding the data folder is full, or refuses larger files: this \
                     write did not complete, and what was stored before it is intact"
                        .into(),
                ),
                ..p(
                    S::INSUFFICIENT_STORAGE,
                    "storage-full",
                    "The data folder has no room",
                    None,
                )
            },
            ApiError::Core(_) | ApiError::Internal(_) => {
                p(S::INTERNAL_SERVER_ERROR, "internal", "Internal error", None)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        if problem.status.is_server_error() {
            // Say nothing internal to the client; the log has the details
            // (and the request id, which the client also gets).
            tracing::error!(error = ?self, "request failed");
        }
        let mut body = json!({
            "type": format!("{TYPE_BASE}{}", problem.kind),
            "title": problem.title,
            "status": problem.status.as_u16(),
        });
        if let Some(detail) = problem.detail {
            body["detail"] = json!(detail);
        }
        let mut response = (
            problem.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        if let ApiError::Unauthorized(_) = self {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
