//! Who is calling, what they may do, and how often.
//!
//! A key travels as `Authorization: Bearer <secret>`. Reads are open to
//! anyone unless the server is private; writes need `editor`; key
//! management needs `admin`. A key that is presented must be valid even
//! where none is needed: a revoked key never passes silently.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;
use super::AppState;
use crate::keys::{ApiKey, Role};

/// The caller of one request.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The key presented, checked; `None` for an anonymous call.
    pub key: Option<ApiKey>,
}

impl Caller {
    /// Refuses the call unless its key has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        match &self.key {
            None => Err(ApiError::Unauthorized(format!(
                "this needs a key with the {role} role (Authorization: Bearer <key>)"
            ))),
            Some(key) if key.role < role => Err(ApiError::Forbidden(format!(
                "this needs the {role} role; key {} has {}",
                key.id, key.role
            ))),
            Some(_) => Ok(()),
        }
    }
}

/// Resolves the caller's key (refusing unknown and revoked ones), applies
/// the rate limit, the private-server rule and the route's role, and hands
/// the caller on to the handler as a request extension.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match resolve(&state, request.headers()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let who = match &caller.key {
        Some(key) => format!("key:{}", key.id),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "ip:unknown".to_string(), |c| format!("ip:{}", c.0.ip())),
    };
    // Probes are neither limited nor private: orchestrators call them often
    // and hold no key.
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    if !probe {
        if let Some(retry_after_secs) = state.limiter.check(&who) {
            return ApiError::TooManyRequests { retry_after_secs }.into_response();
        }
    }
    let open = probe;
    if state.options.private && !open {
        if let Err(e) = caller.require(Role::Reader) {
            return e.into_response();
        }
    }
    // Before any extractor runs: a caller without the role learns that,
    // not what is wrong with a body they may not send anyway.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| request.uri().path(), MatchedPath::as_str);
    if let Some(role) = required_role(request.method(), route) {
        if let Err(e) = caller.require(role) {
            return e.into_response();
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The role a route needs beyond the private-server rule: key management
/// is for admins, every other write for editors; reads (matching a post is
/// one, whatever its method) need none.
pub fn required_role(method: &Method, route: &str) -> Option<Role> {
    if route == "/api/v1/keys" || route.starts_with("/api/v1/keys/") {
        return Some(Role::Admin);
    }
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || route == "/api/v1/match"
        || route.starts_with("/api/v1/match/");
    (!reads).then_some(Role::Editor)
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::default());
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer <key>`".into())
        })?
        .to_string();
    let kb = state.kb.clone();
    let key = super::blocking(move || kb.store().key_for_secret(&secret)).await?;
    match key {
        Some(key) => Ok(Caller { key: Some(key) }),
        None => Err(ApiError::Unauthorized(
            "the key is unknown or revoked".into(),
        )),
    }
}

/// A token bucket per caller (key, or address for anonymous calls):
/// `per_minute` requests a minute, in bursts of up to a tenth of that.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    /// `per_minute` 0 turns limiting off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::default(),
        }
    }

    /// Takes a token for `who`; `Some(seconds)` to wait when there is none.
    pub fn check(&self, who: &str) -> Option<u64> {
        self.check_at(who, Instant::now())
    }

    fn check_at(&self, who: &str, now: Instant) -> Option<u64> {
        if self.per_minute == 0 {
            return None;
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = (f64::from(self.per_minute) / 10.0).max(5.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            // Full buckets are the idle ones: forgetting them changes nothing.
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = buckets.entry(who.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(((1.0 - bucket.tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        // A burst of 6 (a tenth of 60 a minute), then one a second.
        for _ in 0..6 {
            assert_eq!(limiter.check_at("ip:1", t0), None);
        }
        assert_eq!(limiter.check_at("ip:1", t0), Some(1));
        // Another caller has its own bucket.
        assert_eq!(limiter.check_at("ip:2", t0), None);
        let later = t0 + std::time::Duration::from_millis(1500);
        assert_eq!(limiter.check_at("ip:1", later), None);
        assert_eq!(limiter.check_at("ip:1", later), Some(1));
        assert_eq!(RateLimiter::new(0).check("ip:1"), None);
    }

    #[test]
    fn roles_gate_by_rank() {
        let key = |role| Caller {
            key: Some(ApiKey {
                id: "k".into(),
                name: "n".into(),
                role,
                created_at: String::new(),
                revoked_at: None,
            }),
        };
        assert!(matches!(
            Caller::default().require(Role::Reader),
            Err(ApiError::Unauthorized(_))
        ));
        assert!(matches!(
            key(Role::Reader).require(Role::Editor),
            Err(ApiError::Forbidden(_))
        ));
        assert!(key(Role::Editor).require(Role::Editor).is_ok());
        assert!(key(Role::Admin).require(Role::Editor).is_ok());
        assert!(matches!(
            key(Role::Editor).require(Role::Admin),
            Err(ApiError::Forbidden(_))
        ));
    }
}
