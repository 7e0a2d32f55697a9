//! The JSON API, driven through the real router in process: a real data
//! folder (SQLite and tantivy on disk), real keys, every layer in place.

mod access;
mod bulk;
mod claims;
mod ops;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use debunk::api::{AppState, ServeOptions};
use debunk::keys::Role;
use debunk::KnowledgeBase;

/// A knowledge base loaded with the seed fact-checks, keys of every role
/// (and a revoked one), and the whole application over it, as the server
/// mounts it.
struct Api {
    kb: KnowledgeBase,
    app: axum::Router,
    reader: String,
    editor: String,
    admin: String,
    revoked: String,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// Asserts a problem+json of this status and type name.
    fn assert_problem(&self, status: u16, kind: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type, "application/problem+json");
        let p = self.json();
        assert_eq!(p["status"], status);
        assert_eq!(
            p["type"],
            format!("https://debunk.dev/problems/{kind}"),
            "{p}"
        );
        assert!(p["title"].is_string());
    }
}

impl Api {
    fn new(options: ServeOptions) -> Api {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        kb.seed_if_new().unwrap();
        let key = |role, name| kb.store().create_key(name, role).unwrap().1;
        let reader = key(Role::Reader, "reader");
        let editor = key(Role::Editor, "editor");
        let admin = key(Role::Admin, "admin");
        let (gone, revoked) = kb.store().create_key("gone", Role::Admin).unwrap();
        assert!(kb.store().revoke_key(&gone.id).unwrap());
        Api {
            app: debunk::server::app(AppState::new(kb.clone(), options), axum::Router::new()),
            kb,
            reader,
            editor,
            admin,
            revoked,
            _dir: dir,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(key) = key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some((ctype, bytes)) => req.header("content-type", ctype).body(Body::from(bytes)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let content_type = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        crate::openapi::check(method.as_str(), path, status.as_u16(), &content_type, &body);
        Reply {
            status,
            content_type,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, &[], None).await
    }

    async fn send_json(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: &Value,
    ) -> Reply {
        self.call(
            method,
            path,
            key,
            &[],
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }
}

/// Bytes of a body over every JSON route's limit (256 KiB).
const MAX_BODY_PROBE: usize = 300 * 1024;

/// A claim made up for the tests (not a real fact-check).
fn test_claim(id: &str) -> Value {
    json!({
        "id": id,
        "text": "Test claim: the zorblax festival moves the border fence to Quarnia on the 15th",
        "title": "Test fact-check: no, the zorblax festival moves no fence",
        "lang": "en",
        "verdict": "false",
        "publisher": "Test Desk",
        "appearances": [{"url": "https://example.org/posts/zorblax-1"}]
    })
}
