//! `GET /api/v1/claims`: search.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{blocking, ApiError, ApiQuery, AppState, MAX_LIMIT, MAX_QUERY_CHARS};
use crate::error::Error;
use crate::index::SearchQuery;
use crate::verdict::Verdict;

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    lang: Option<String>,
    verdict: Option<String>,
    publisher: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
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
    let limit = p.limit.unwrap_or(10);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Error::Invalid(format!("limit must be 1 to {MAX_LIMIT}")).into());
    }
    let query = SearchQuery {
        q: p.q,
        lang: p.lang,
        verdict,
        publisher: p.publisher,
        limit,
        offset: p.offset.unwrap_or(0),
        ..SearchQuery::default()
    };
    let kb = state.kb.clone();
    let page = blocking(move || kb.search(&query)).await?;
    Ok(Json(page).into_response())
}
