//! Probes and metrics: `/healthz` (the process is up), `/readyz` (store and
//! index open, the index caught up with the store), `/metrics` (Prometheus
//! text format).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{blocking, AppState};
use crate::matcher::Band;

#[utoipa::path(
    get,
    path = "/healthz",
    summary = "Liveness probe",
    tag = "operations",
    description = "The process is up.",
    responses(
        (status = 200, description = "Up", body = super::openapi::Status)
    )
)]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/readyz",
    summary = "Readiness probe",
    tag = "operations",
    description = "The store answers and the index holds every committed change.",
    responses(
        (status = 200, description = "Ready", body = super::openapi::Status),
        (status = 503, description = "Not ready yet", body = super::openapi::Status)
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let kb = state.kb.clone();
    let semantic = state.kb.semantic().is_some();
    match blocking(move || kb.index_caught_up()).await {
        // Semantic matching is a feature, not a condition of readiness: a
        // server without the model answers lexically and says so.
        Ok(true) if semantic => {
            Json(json!({"status": "ready", "matching": "semantic"})).into_response()
        }
        Ok(true) => Json(json!({
            "status": "ready",
            "matching": "lexical",
            "detail": "no embedding model: matching is lexical only"
        }))
        .into_response(),
        Ok(false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "catching up", "detail": "the index is behind the store"})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "detail": "the store or the index can't be read"})),
            )
                .into_response()
        }
    }
}

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Request counts and latencies by route and status, matches by band.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    bands: [AtomicU64; 3],
}

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    /// Counts per bucket (not cumulative), the last for +Inf.
    buckets: [u64; BUCKETS.len() + 1],
}

impl Metrics {
    pub fn observe(&self, method: &Method, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|&b| secs <= b)
            .unwrap_or(BUCKETS.len());
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let series = requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default();
        series.count += 1;
        series.sum += secs;
        series.buckets[slot] += 1;
    }

    pub fn count_match(&self, band: Band) {
        self.bands[crate::batch::band_slot(band)].fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a batch's matches, counted as `BatchStats::bands`.
    pub fn count_bands(&self, bands: [u64; 3]) {
        for (slot, n) in self.bands.iter().zip(bands) {
            slot.fetch_add(n, Ordering::Relaxed);
        }
    }

    fn render(&self, claims: u64) -> String {
        let mut out = String::new();
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        out.push_str(
            "# HELP debunk_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE debunk_http_requests_total counter\n");
        for ((route, method, status), s) in &requests {
            let _ = writeln!(
                out,
                "debunk_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP debunk_http_request_duration_seconds Time to answer, by route, method and status.\n");
        out.push_str("# TYPE debunk_http_request_duration_seconds histogram\n");
        for ((route, method, status), s) in &requests {
            let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{status}\"");
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(
                    out,
                    "debunk_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "debunk_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "debunk_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "debunk_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out.push_str(
            "# HELP debunk_matches_total Matches returned by the match routes, by band.\n",
        );
        out.push_str("# TYPE debunk_matches_total counter\n");
        for (i, band) in ["match", "possible", "none"].iter().enumerate() {
            let _ = writeln!(
                out,
                "debunk_matches_total{{band=\"{band}\"}} {}",
                self.bands[i].load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP debunk_claims Claims in the search index.\n");
        out.push_str("# TYPE debunk_claims gauge\n");
        let _ = writeln!(out, "debunk_claims {claims}");
        out
    }
}

#[utoipa::path(
    get,
    path = "/metrics",
    summary = "Prometheus metrics",
    tag = "operations",
    description = "Prometheus metrics: requests and latency by route and status, matches by band, claims in the index.",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "No key, or an unknown or revoked key", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests; see Retry-After", body = super::openapi::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let claims = state.kb.index_docs();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(claims),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_counts_add_up() {
        let m = Metrics::default();
        m.observe(&Method::GET, "/a", 200, Duration::from_micros(500));
        m.observe(&Method::GET, "/a", 200, Duration::from_millis(30));
        m.observe(&Method::GET, "/a", 200, Duration::from_secs(20));
        m.count_match(Band::Possible);
        let text = m.render(7);
        let line = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .to_string()
        };
        let labels = "route=\"/a\",method=\"GET\",status=\"200\"";
        assert_eq!(
            line(&format!("debunk_http_requests_total{{{labels}}}")),
            "3"
        );
        assert_eq!(
            line(&format!(
                "debunk_http_request_duration_seconds_bucket{{{labels},le=\"0.001\"}}"
            )),
            "1"
        );
        assert_eq!(
            line(&format!(
                "debunk_http_request_duration_seconds_bucket{{{labels},le=\"0.05\"}}"
            )),
            "2"
        );
        assert_eq!(
            line(&format!(
                "debunk_http_request_duration_seconds_bucket{{{labels},le=\"10\"}}"
            )),
            "2"
        );
        assert_eq!(
            line(&format!(
                "debunk_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}}"
            )),
            "3"
        );
        assert_eq!(line("debunk_matches_total{band=\"possible\"}"), "1");
        assert_eq!(line("debunk_claims "), "7");
    }
}
