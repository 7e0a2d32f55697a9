//! `GET /api/v1/claims`: search with filters, facets, highlights and cursor
//! pagination.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{blocking, ApiError, ApiQuery, AppState, MAX_LIMIT, MAX_QUERY_CHARS};
use crate::error::Error;
use crate::index::{Facets, Highlights, SearchPage, SearchQuery, SearchSort};
use crate::verdict::Verdict;

/// Hits per page when the client does not say.
const DEFAULT_LIMIT: usize = 10;

/// Public so that the search page reads the same parameters the same way.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub lang: Option<String>,
    pub verdict: Option<String>,
    pub publisher: Option<String>,
    pub narrative: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// One page of a search, as the API answers it (`SearchPage` serialized).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a description only: `SearchPage` is what is sent
pub struct SearchAnswer {
    /// Every claim matching `q` and the filters, on every page.
    total: u64,
    hits: Vec<SearchHit>,
    facets: Option<Facets>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
    /// With semantic matching on, on a first page: the 5 claims in other
    /// languages than the query's nearest to it in meaning, under the same
    /// filters (their `score` is the semantic stage's probability);
    /// absent when none.
    other_languages: Option<Vec<SearchHit>>,
}

/// One hit: the claim's public fields, its score and its highlights.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a description only: `index::Hit` is what is sent
pub struct SearchHit {
    id: String,
    text: String,
    title: Option<String>,
    subtitle: Option<String>,
    lang: Option<String>,
    verdict: Option<Verdict>,
    verdict_text: Option<String>,
    url: Option<String>,
    publisher: Option<String>,
    review_date: Option<String>,
    score: f32,
    #[schema(required = false)]
    highlights: Option<Highlights>,
}

#[utoipa::path(
    get,
    path = "/api/v1/claims",
    summary = "Search claims",
    tag = "claims",
    description = "Searches fact-checks by words in any language (Arabic with or without diacritics, \
                   Arabizi, French, Spanish, English), with filters, facet counts over every \
                   match, highlighted snippets and stable cursor pages. Any string is a valid query.",
    params(
        ("q" = Option<String>, Query, description = "Words to look for, or pasted text or links (up to 5,000 characters); a link finds the claims whose review or appearances carry it; empty lists everything"),
        ("lang" = Option<String>, Query, description = "Only claims in this language: an ISO 639-1 code such as ar, fr, es or en", example = "ar"),
        ("verdict" = Option<Verdict>, Query, description = "Only claims with this verdict"),
        ("publisher" = Option<String>, Query, description = "Only claims by this fact-checker"),
        ("narrative" = Option<String>, Query, description = "Only claims of this narrative (its id)"),
        ("from" = Option<String>, Query, format = Date, description = "Only claims reviewed on or after this day (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, format = Date, description = "Only claims reviewed on or before this day (YYYY-MM-DD)"),
        ("sort" = inline(Option<super::openapi::SortName>), Query, description = "relevance (default) or date (newest review first)"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 100, description = "Hits per page, 1 to 100 (default 10)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page, with the same other parameters")
    ),
    responses(
        (status = 200, description = "A page of hits", body = SearchAnswer),
        (status = 400, description = "A bad parameter or cursor", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key on a private server, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchPage>, ApiError> {
    let query = params.into_query()?;
    let kb = state.kb.clone();
    Ok(Json(blocking(move || kb.search(&query)).await?))
}

impl SearchParams {
    /// Checks every parameter; a bad one is invalid input naming it.
    pub fn into_query(self) -> Result<SearchQuery, Error> {
        if self.q.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::Invalid(format!(
                "q is longer than {MAX_QUERY_CHARS} characters"
            )));
        }
        // An empty value means "any", as a form's unset field sends it.
        let verdict = self
            .verdict
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                Verdict::from_name(v)
                    .ok_or_else(|| Error::Invalid(format!("unknown verdict {v:?}")))
            })
            .transpose()?;
        let sort = match self.sort.as_deref() {
            None | Some("") => SearchSort::Relevance,
            Some(s) => SearchSort::from_name(s).ok_or_else(|| {
                Error::Invalid(format!("sort must be relevance or date, not {s:?}"))
            })?,
        };
        let from = day("from", self.from.as_deref())?;
        let to = day("to", self.to.as_deref())?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Error::Invalid(format!("from ({from}) is after to ({to})")));
            }
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::Invalid(format!("limit must be 1 to {MAX_LIMIT}")));
        }
        Ok(SearchQuery {
            q: self.q,
            lang: self.lang.filter(|l| !l.is_empty()),
            verdict,
            publisher: self.publisher.filter(|p| !p.is_empty()),
            narrative: self.narrative.filter(|n| !n.is_empty()),
            from,
            to,
            sort,
            limit,
            offset: 0,
            cursor: self.cursor.filter(|c| !c.is_empty()),
            facets: true,
            highlight: true,
        })
    }
}

/// A `YYYY-MM-DD` parameter (empty means absent).
fn day(name: &str, value: Option<&str>) -> Result<Option<time::Date>, Error> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    crate::formats::date::parse_day(value)
        .map(Some)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{name} must be a date as YYYY-MM-DD, not {value:?}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `a=1&b=2` as the query extractor would (no percent escapes here).
    fn params(pairs: &str) -> SearchParams {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                let v = match k {
                    "limit" => serde_json::json!(v.parse::<usize>().unwrap()),
                    _ => serde_json::json!(v),
                };
                (k.to_string(), v)
            })
            .collect();
        serde_json::from_value(serde_json::Value::Object(map)).unwrap()
    }

    #[test]
    fn dates_must_be_calendar_days() {
        for bad in [
            "from=2024-13-01",
            "to=2024-02-30",
            "from=yesterday",
            "to=2024-1-5",
        ] {
            let err = params(bad).into_query().unwrap_err();
            let name = bad.split('=').next().unwrap();
            assert!(err.to_string().contains(name), "{bad}: {err}");
        }
        let q = params("from=2024-02-29&to=2024-03-01")
            .into_query()
            .unwrap();
        assert_eq!(q.from.unwrap().to_string(), "2024-02-29");
        assert!(params("from=2024-03-02&to=2024-03-01")
            .into_query()
            .is_err());
    }

    #[test]
    fn sort_is_relevance_or_date() {
        assert_eq!(params("").into_query().unwrap().sort, SearchSort::Relevance);
        assert_eq!(
            params("sort=date").into_query().unwrap().sort,
            SearchSort::Date
        );
        let err = params("sort=newest").into_query().unwrap_err();
        assert!(err.to_string().contains("sort"), "{err}");
    }

    #[test]
    fn empty_filters_mean_any_as_an_unset_form_field_sends_them() {
        let q = params("q=x&lang=&verdict=&publisher=&from=&to=&sort=&cursor=")
            .into_query()
            .unwrap();
        assert!(q.lang.is_none() && q.verdict.is_none() && q.publisher.is_none());
        assert!(q.from.is_none() && q.to.is_none() && q.cursor.is_none());
        let err = params("verdict=nonsense").into_query().unwrap_err();
        assert!(err.to_string().contains("verdict"), "{err}");
    }
}
