//! Editors' sessions and the cross-site request checks of every POST.
//!
//! A session is a random id in an `HttpOnly`, `SameSite=Strict` cookie that
//! names a server-side record (in memory: a restart signs everyone out,
//! which is the safe failure). The record keeps the key's *id*, never its
//! secret, and every request checks that key again, so revoking the key
//! ends its sessions at once. Signing in always makes a new id.
//!
//! A POST passes two checks before it is read: the browser's own word on
//! where the request came from (`Sec-Fetch-Site`, else `Origin` against
//! `Host`, as Go's `net/http` CrossOriginProtection does), then a token in
//! a hidden form field: the session's own, or for a visitor not signed in
//! (the sign-in form itself) the one in the `dbk_csrf` cookie.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};

use crate::keys::Role;

pub const SESSION_COOKIE: &str = "dbk_session";
pub const CSRF_COOKIE: &str = "dbk_csrf";
pub const LANG_COOKIE: &str = "lang";

/// A session ends this long after sign-in, whatever happens.
const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the oldest go first beyond that.
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone, Debug)]
pub struct Session {
    pub key_id: String,
    pub name: String,
    pub role: Role,
    pub csrf: String,
    started: Instant,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session for a checked key; returns its new id.
    pub fn start(&self, key_id: &str, name: &str, role: Role) -> String {
        let id = random_token();
        let session = Session {
            key_id: key_id.to_string(),
            name: name.to_string(),
            role,
            csrf: random_token(),
            started: Instant::now(),
        };
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.started.elapsed() < LIFETIME);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.started)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(id.clone(), session);
        id
    }

    /// The live session with this id.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some(s) if s.started.elapsed() < LIFETIME => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Ends every session of a key (it was revoked).
    pub fn end_for_key(&self, key_id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, s| s.key_id != key_id);
    }
}

/// 256 random bits as hex. Without randomness there can be no session, and
/// an empty token never matches anything (see `same_token`).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A `Set-Cookie` value. `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: u64, http_only: bool, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Strict");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Whether the browser says this request comes from our own pages.
/// Requests without either header (not from a browser) pass: the token
/// check still applies to them.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    let host = get("host").unwrap_or("");
    // `Origin: null` (a sandboxed frame, a file) never matches a host.
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| !host.is_empty() && authority.eq_ignore_ascii_case(host))
}

/// Compares tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty()
        && a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Where to go after signing in: only a path of ours, never another site
/// (`//evil`, `/\evil`, `https://evil`).
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_requests_are_told_apart_from_our_own() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!same_origin(&headers(&[("origin", "null"), ("host", "a")])));
        assert!(same_origin(&headers(&[("host", "a")])));
    }

    #[test]
    fn next_is_followed_only_to_our_own_paths() {
        assert_eq!(local_path(Some("/claims/new")), "/claims/new");
        assert_eq!(local_path(Some("/?q=x")), "/?q=x");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "x",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn tokens_compare_whole_and_never_empty() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
        assert!(!same_token("", ""));
        assert_eq!(random_token().len(), 64);
    }

    #[test]
    fn a_revoked_key_loses_its_sessions_and_sign_in_makes_new_ids() {
        let sessions = Sessions::default();
        let a = sessions.start("k1", "Sara", Role::Editor);
        let b = sessions.start("k1", "Sara", Role::Editor);
        let c = sessions.start("k2", "Omar", Role::Reader);
        assert_ne!(a, b);
        assert_eq!(sessions.get(&a).map(|s| s.role), Some(Role::Editor));
        sessions.end_for_key("k1");
        assert!(sessions.get(&a).is_none() && sessions.get(&b).is_none());
        assert!(sessions.get(&c).is_some());
        sessions.end(&c);
        assert!(sessions.get(&c).is_none());
    }

    #[test]
    fn cookies_are_read_from_any_cookie_header() {
        let h = headers(&[("cookie", "a=1; lang=fr; dbk_session=xyz")]);
        assert_eq!(cookie(&h, "lang").as_deref(), Some("fr"));
        assert_eq!(cookie(&h, "dbk_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
