//! `/api/v1/import` and `/api/v1/export`: fact-checks in and out in bulk,
//! streamed both ways.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::auth::Caller;
use super::openapi::Problem;
use super::{blocking, stream, ApiError, ApiQuery, AppState};
use crate::error::Error;
use crate::formats::{ExportFormat, Format};
use crate::kb::{ImportOptions, ImportProgress, ImportReport};
use crate::keys::Role;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// auto (default: told from the first bytes), jsonl, claimreview
    /// (schema.org ClaimReview JSON-LD) or factcheck-api (the Fact Check
    /// Tools API's {"claims": [...]}).
    #[param(value_type = Option<super::openapi::ImportFormatName>, inline)]
    format: Option<String>,
    /// With true, the first bad record rejects the whole body and nothing
    /// is written (default false: bad records are skipped and reported).
    strict: Option<bool>,
}

/// `POST /api/v1/import`.
#[utoipa::path(
    post,
    path = "/api/v1/import",
    summary = "Import fact-checks in bulk",
    tag = "claims",
    description = "Imports fact-checks from the body, read as it arrives: good records are \
                   committed in batches, bad ones skipped and reported with their line (or, \
                   with strict, the first one rejects everything). Importing the same records \
                   twice never duplicates. Past the server's record cap the rest is not read \
                   and the report says `truncated`.",
    params(ImportParams),
    request_body(
        description = "JSONL, ClaimReview JSON-LD or a Fact Check Tools API response",
        content(
            (String = "application/x-ndjson", example = json!("{\"id\": \"desk-1\", \"text\": \"Test claim: the fence opens on Friday\", \"lang\": \"en\", \"verdict\": \"false\"}\n")),
            (serde_json::Value = "application/json", example = json!({"claims": [{"text": "Test claim: the fence opens on Friday", "claimReview": [{"url": "https://example.org/review/fence", "textualRating": "False", "publisher": {"name": "Test Desk"}}]}]})),
            (serde_json::Value = "application/ld+json", example = json!([{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://example.org/review/fence", "claimReviewed": "Test claim: the fence opens on Friday", "reviewRating": {"@type": "Rating", "alternateName": "False"}}]))
        )
    ),
    responses(
        (status = 200, description = "What was imported, updated and skipped", body = ImportReport),
        (status = 400, description = "A bad parameter, with strict a bad record, or a body that failed midway (what was committed before stays, in whole batches)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's role is not enough", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JSON body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The upload took longer than the server's time limit; what was committed before stays", body = Problem, content_type = "application/problem+json"),
        (status = 507, description = "The disk holding the data folder is full; what was committed before stays, in whole batches", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    caller.require(Role::Editor)?;
    let media = super::media_type(&headers);
    if !matches!(
        media.as_str(),
        "application/x-ndjson" | "application/jsonl" | "application/json" | "application/ld+json"
    ) {
        return Err(ApiError::UnsupportedMediaType(
            "send JSONL as application/x-ndjson, a document as application/json or application/ld+json".into(),
        ));
    }
    let format = match params.format.as_deref().unwrap_or("auto") {
        "auto" => Format::Auto,
        "jsonl" => Format::Jsonl,
        "claimreview" => Format::Claimreview,
        "factcheck-api" => Format::FactcheckApi,
        other => {
            return Err(Error::Invalid(format!(
                "unknown format {other:?}: auto, jsonl, claimreview or factcheck-api"
            ))
            .into())
        }
    };
    let options = ImportOptions {
        format,
        strict: params.strict.unwrap_or(false),
        source: "request body".into(),
        max_records: Some(state.options.max_records as u64),
        ..ImportOptions::default()
    };
    // While this handler waits, the upload runs; if the handler is dropped
    // (the time limit, a client gone), `_upload` stops it from reading on.
    let (input, _upload) = stream::body_reader(body);
    let kb = state.kb.clone();
    blocking(move || Ok(import_to_end(&kb, input, &options)))
        .await?
        .map(Json)
}

/// An import whose input may fail midway: what was committed stays (whole
/// batches; under strict, nothing), and the error says so. Logged here,
/// since the client that cut the upload short may not hear the answer.
fn import_to_end(
    kb: &crate::KnowledgeBase,
    input: stream::ChannelReader,
    options: &ImportOptions,
) -> Result<ImportReport, ApiError> {
    let mut committed = 0;
    let progress = |p| match p {
        ImportProgress::Committed { records } => committed = records,
    };
    match kb.import(input, options, progress) {
        Err(Error::Io(e)) => {
            tracing::warn!(committed, error = %e, "import cut short; the records after the last committed batch were not written");
            Err(ApiError::BadRequest(format!(
                "the upload was cut short ({e}): {committed} records were committed before, \
                 in whole batches; none after"
            )))
        }
        other => Ok(other?),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// jsonl (default; one claim per line, as the import reads it) or
    /// claimreview (a JSON-LD array of schema.org ClaimReview).
    #[param(value_type = Option<super::openapi::ExportFormatName>, inline)]
    format: Option<String>,
}

/// `GET /api/v1/export`.
#[utoipa::path(
    get,
    path = "/api/v1/export",
    summary = "Export every fact-check",
    tag = "claims",
    description = "Every fact-check, streamed in id order: JSONL (what the import reads back) or a \
                   JSON-LD array of schema.org ClaimReview.",
    params(ExportParams),
    responses(
        (status = 200, description = "Every claim", content(
            (String = "application/x-ndjson"),
            (Vec<serde_json::Value> = "application/ld+json")
        )),
        (status = 400, description = "An unknown format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn export(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let (format, media) = match params.format.as_deref().unwrap_or("jsonl") {
        "jsonl" => (ExportFormat::Jsonl, "application/x-ndjson"),
        "claimreview" => (ExportFormat::Claimreview, "application/ld+json"),
        other => {
            return Err(
                Error::Invalid(format!("unknown format {other:?}: jsonl or claimreview")).into(),
            )
        }
    };
    let (output, body) = stream::body_writer();
    let kb = state.kb.clone();
    tokio::task::spawn_blocking(move || {
        // Once streaming, a failure can only cut the body short; the log
        // says why (a client gone away is the usual one).
        if let Err(e) = kb.export(output, format) {
            tracing::warn!(error = %e, "export stopped");
        }
    });
    Ok(([(header::CONTENT_TYPE, media)], body).into_response())
}
