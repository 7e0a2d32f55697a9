//! The JSON API, driven through the real router in process: a real data
//! folder (SQLite and tantivy on disk), real keys, every layer in place.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use debunk::api::{router, ServeOptions};
use debunk::keys::Role;
use debunk::KnowledgeBase;

/// A knowledge base loaded with the seed fact-checks, keys of every role
/// (and a revoked one), and the router over it.
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
            app: router(kb.clone(), options),
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

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_lives_through_create_read_update_and_delete_with_etags() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());

    let created = api
        .send_json(Method::POST, "/api/v1/claims", key, &test_claim("t-1"))
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert!(created.content_type.starts_with("application/json"));
    assert_eq!(
        created.header("location").as_deref(),
        Some("/api/v1/claims/t-1")
    );
    let etag = created.header("etag").expect("etag");
    assert_eq!(created.json()["version"], 1);

    // Found by search and by match as soon as the call returned.
    let search = api.get("/api/v1/claims?q=zorblax+festival").await;
    assert_eq!(search.status, 200);
    assert_eq!(search.json()["hits"][0]["id"], "t-1");
    let matched = api
        .send_json(
            Method::POST,
            "/api/v1/match",
            None,
            &json!({"text": "they say the zorblax festival will move the fence to Quarnia on the 15th!!"}),
        )
        .await;
    assert_eq!(matched.status, 200);
    let m = matched.json();
    assert_eq!(m["matches"][0]["claim_id"], "t-1", "{m}");
    assert_eq!(m["matches"][0]["claim"]["verdict"], "false");

    let got = api.get("/api/v1/claims/t-1").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag"), Some(etag.clone()));
    let ld = api
        .call(
            Method::GET,
            "/api/v1/claims/t-1",
            None,
            &[("accept", "application/ld+json")],
            None,
        )
        .await;
    assert_eq!(ld.status, 200);
    assert_eq!(ld.content_type, "application/ld+json");
    assert_eq!(ld.json()["@type"], "ClaimReview");
    api.call(
        Method::GET,
        "/api/v1/claims/t-1",
        None,
        &[("accept", "text/html")],
        None,
    )
    .await
    .assert_problem(406, "not-acceptable");

    // A write with a stale tag is refused and changes nothing.
    let mut changed = test_claim("t-1");
    changed["verdict"] = json!("misleading");
    let stale = api
        .call(
            Method::PUT,
            "/api/v1/claims/t-1",
            key,
            &[("if-match", "\"0000\"")],
            Some(("application/json", changed.to_string().into_bytes())),
        )
        .await;
    stale.assert_problem(412, "stale-version");
    assert_eq!(
        api.get("/api/v1/claims/t-1").await.json()["verdict"],
        "false"
    );

    let put = api
        .call(
            Method::PUT,
            "/api/v1/claims/t-1",
            key,
            &[("if-match", &etag)],
            Some(("application/json", changed.to_string().into_bytes())),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(put.json()["verdict"], "misleading");
    assert_eq!(put.json()["version"], 2);
    let etag2 = put.header("etag").unwrap();
    assert_ne!(etag2, etag);

    // The old tag is stale now for a patch too.
    api.call(
        Method::PATCH,
        "/api/v1/claims/t-1",
        key,
        &[("if-match", &etag)],
        Some((
            "application/merge-patch+json",
            br#"{"summary":"x"}"#.to_vec(),
        )),
    )
    .await
    .assert_problem(412, "stale-version");
    let patched = api
        .call(
            Method::PATCH,
            "/api/v1/claims/t-1",
            key,
            &[("if-match", &etag2)],
            Some((
                "application/merge-patch+json",
                br#"{"summary":"Nothing moves the fence.","publisher":null}"#.to_vec(),
            )),
        )
        .await;
    assert_eq!(patched.status, 200);
    let p = patched.json();
    assert_eq!(p["summary"], "Nothing moves the fence.");
    assert!(p.get("publisher").is_none(), "{p}");
    assert_eq!(p["verdict"], "misleading");

    let added = api
        .send_json(
            Method::POST,
            "/api/v1/claims/t-1/appearances",
            key,
            &json!({"url": "https://example.org/posts/zorblax-2?utm_source=x", "text": "zorblax!"}),
        )
        .await;
    assert_eq!(added.status, 201);
    let list = api.get("/api/v1/claims/t-1/appearances").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    // The new appearance URL matches at once.
    let by_url = api
        .send_json(
            Method::POST,
            "/api/v1/match",
            None,
            &json!({"text": "look at this", "url": "https://example.org/posts/zorblax-2"}),
        )
        .await;
    assert_eq!(by_url.json()["matches"][0]["claim_id"], "t-1");

    api.send_json(Method::POST, "/api/v1/claims", key, &test_claim("t-1"))
        .await
        .assert_problem(409, "conflict");

    let current = api.get("/api/v1/claims/t-1").await.header("etag").unwrap();
    api.call(
        Method::DELETE,
        "/api/v1/claims/t-1",
        key,
        &[("if-match", &etag)],
        None,
    )
    .await
    .assert_problem(412, "stale-version");
    let deleted = api
        .call(
            Method::DELETE,
            "/api/v1/claims/t-1",
            key,
            &[("if-match", &current)],
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    api.get("/api/v1/claims/t-1")
        .await
        .assert_problem(404, "not-found");
    let gone = api.get("/api/v1/claims?q=zorblax").await.json();
    assert_eq!(gone["total"], 0, "{gone}");
    assert!(api.kb.get_claim("t-1").is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_problems_and_change_nothing() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    let before = api.kb.stats().unwrap().store.claims;
    let post = |body: &'static [u8], ctype: &'static str| {
        api.call(
            Method::POST,
            "/api/v1/claims",
            key,
            &[],
            Some((ctype, body.to_vec())),
        )
    };
    post(b"{\"id\": \"x\", \"text\": ", "application/json")
        .await
        .assert_problem(400, "bad-request");
    post(b"{\"id\": 5, \"text\": [1]}", "application/json")
        .await
        .assert_problem(400, "bad-request");
    post(b"{\"id\": \"x\", \"text\": \"t\"}", "text/plain")
        .await
        .assert_problem(415, "unsupported-media-type");
    post(b"{\"id\": \"x\", \"text\": \"  \"}", "application/json")
        .await
        .assert_problem(400, "invalid-input");
    let huge = json!({"id": "big", "text": "a ".repeat(200_000)});
    api.send_json(Method::POST, "/api/v1/claims", key, &huge)
        .await
        .assert_problem(413, "too-large");
    let mut other = test_claim("t-2");
    other["id"] = json!("t-3");
    api.send_json(Method::PUT, "/api/v1/claims/t-2", key, &other)
        .await
        .assert_problem(400, "invalid-input");
    api.call(
        Method::PATCH,
        "/api/v1/claims/nope",
        key,
        &[],
        Some(("application/merge-patch+json", b"{}".to_vec())),
    )
    .await
    .assert_problem(404, "not-found");
    api.call(Method::DELETE, "/api/v1/claims/nope", key, &[], None)
        .await
        .assert_problem(404, "not-found");
    api.get("/api/v1/claims/nope")
        .await
        .assert_problem(404, "not-found");
    api.get("/api/v1/nothing-here")
        .await
        .assert_problem(404, "not-found");
    api.call(Method::DELETE, "/api/v1/claims", key, &[], None)
        .await
        .assert_problem(405, "method-not-allowed");
    api.get("/api/v1/claims?limit=101")
        .await
        .assert_problem(400, "invalid-input");
    api.get("/api/v1/claims?limit=ten")
        .await
        .assert_problem(400, "bad-request");
    let long_q = format!("/api/v1/claims?q={}", "a".repeat(501));
    api.get(&long_q).await.assert_problem(400, "invalid-input");
    api.send_json(
        Method::POST,
        "/api/v1/match",
        None,
        &json!({"text": "x".repeat(5001)}),
    )
    .await
    .assert_problem(400, "invalid-input");
    api.send_json(
        Method::POST,
        "/api/v1/match",
        None,
        &json!({"text": "ok", "top": 0}),
    )
    .await
    .assert_problem(400, "invalid-input");
    api.send_json(Method::POST, "/api/v1/match", None, &json!({"txt": "typo"}))
        .await
        .assert_problem(400, "bad-request");
    assert_eq!(api.kb.stats().unwrap().store.claims, before);
}

/// Every write endpoint × every kind of caller.
#[tokio::test(flavor = "multi_thread")]
async fn writes_need_an_editor_key_and_refuse_revoked_ones() {
    let api = Api::new(ServeOptions::default());
    // The claim each write acts on, made fresh per call.
    let mut n = 0;
    let callers: [(&str, Option<&str>, u16); 5] = [
        ("no key", None, 401),
        ("reader", Some(&api.reader), 403),
        ("editor", Some(&api.editor), 0),
        ("admin", Some(&api.admin), 0),
        ("revoked", Some(&api.revoked), 401),
    ];
    for (who, key, refused) in callers {
        for write in [
            "create",
            "put",
            "patch",
            "delete",
            "add appearance",
            "import",
        ] {
            n += 1;
            let id = format!("w-{n}");
            // Each call gets its own existing claim (made by the admin).
            let made = api
                .send_json(
                    Method::POST,
                    "/api/v1/claims",
                    Some(&api.admin),
                    &test_claim(&id),
                )
                .await;
            assert_eq!(made.status, 201);
            let path = format!("/api/v1/claims/{id}");
            let reply = match write {
                "create" => {
                    api.send_json(
                        Method::POST,
                        "/api/v1/claims",
                        key,
                        &test_claim(&format!("{id}-new")),
                    )
                    .await
                }
                "put" => {
                    api.send_json(Method::PUT, &path, key, &test_claim(&id))
                        .await
                }
                "patch" => {
                    api.call(
                        Method::PATCH,
                        &path,
                        key,
                        &[],
                        Some((
                            "application/merge-patch+json",
                            br#"{"summary":"s"}"#.to_vec(),
                        )),
                    )
                    .await
                }
                "delete" => api.call(Method::DELETE, &path, key, &[], None).await,
                "import" => {
                    let line = test_claim(&format!("{id}-imported")).to_string();
                    api.call(
                        Method::POST,
                        "/api/v1/import",
                        key,
                        &[],
                        Some(("application/x-ndjson", line.into_bytes())),
                    )
                    .await
                }
                _ => {
                    api.send_json(
                        Method::POST,
                        &format!("{path}/appearances"),
                        key,
                        &json!({"url": "https://example.org/x"}),
                    )
                    .await
                }
            };
            let expected = match (refused, write) {
                (0, "create" | "add appearance") => 201,
                (0, "import") => 200,
                (0, "delete") => 204,
                (0, _) => 200,
                (status, _) => status,
            };
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{write} by {who}: {}",
                String::from_utf8_lossy(&reply.body)
            );
            if refused == 401 {
                reply.assert_problem(401, "unauthorized");
                assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
            } else if refused == 403 {
                reply.assert_problem(403, "forbidden");
            }
            if refused != 0 {
                // Refused writes leave everything as it was.
                for made in ["new", "imported"] {
                    assert!(api.kb.get_claim(&format!("{id}-{made}")).is_err());
                }
                let stored = api.kb.get_claim(&id).unwrap();
                assert_eq!(stored.version, 1, "{write} by {who}");
                assert_eq!(stored.appearances.len(), 1);
            }
        }
    }
    // Key management: admin keys only.
    for (who, key, status) in [
        ("no key", None, 401),
        ("reader", Some(api.reader.as_str()), 403),
        ("editor", Some(api.editor.as_str()), 403),
        ("admin", Some(api.admin.as_str()), 0),
        ("revoked", Some(api.revoked.as_str()), 401),
    ] {
        let (victim, _) = api.kb.store().create_key("victim", Role::Reader).unwrap();
        let list = api.call(Method::GET, "/api/v1/keys", key, &[], None).await;
        let made = api
            .send_json(
                Method::POST,
                "/api/v1/keys",
                key,
                &json!({"name": "n", "role": "reader"}),
            )
            .await;
        let revoked = api
            .call(
                Method::DELETE,
                &format!("/api/v1/keys/{}", victim.id),
                key,
                &[],
                None,
            )
            .await;
        for (what, reply, ok) in [
            ("list", &list, 200),
            ("create", &made, 201),
            ("revoke", &revoked, 204),
        ] {
            let expected = if status == 0 { ok } else { status };
            assert_eq!(reply.status.as_u16(), expected, "{what} keys by {who}");
        }
        let still_live = api
            .kb
            .store()
            .list_keys()
            .unwrap()
            .iter()
            .any(|k| k.id == victim.id && k.revoked_at.is_none());
        assert_eq!(still_live, status != 0, "revoke by {who}");
    }

    // Reads stay open, but a bad key is refused even there.
    assert_eq!(api.get("/api/v1/claims?q=fence").await.status, 200);
    api.call(
        Method::GET,
        "/api/v1/claims?q=fence",
        Some(&api.revoked),
        &[],
        None,
    )
    .await
    .assert_problem(401, "unauthorized");
    api.call(
        Method::GET,
        "/api/v1/claims",
        None,
        &[("authorization", "Basic abc")],
        None,
    )
    .await
    .assert_problem(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_server_wants_a_key_for_reads_but_not_for_probes() {
    let api = Api::new(ServeOptions {
        private: true,
        ..ServeOptions::default()
    });
    api.get("/api/v1/claims?q=fence")
        .await
        .assert_problem(401, "unauthorized");
    api.send_json(
        Method::POST,
        "/api/v1/match",
        None,
        &json!({"text": "fence"}),
    )
    .await
    .assert_problem(401, "unauthorized");
    let ok = api
        .call(
            Method::GET,
            "/api/v1/claims?q=fence",
            Some(&api.reader),
            &[],
            None,
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(api.get("/healthz").await.status, 200);
    assert_eq!(api.get("/readyz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_matching_streams_lines_back_in_order_with_errors_in_place() {
    let api = Api::new(ServeOptions {
        max_records: 5,
        ..ServeOptions::default()
    });
    let seed = api.kb.get_claim("cr-461aff08a3ff9402").unwrap();
    let lines = [
        json!({"id": "a", "text": seed.text}).to_string(),
        "{not json".to_string(),
        json!({"id": 3, "text": "something else entirely about football scores"}).to_string(),
        json!({"id": "d", "text": seed.text, "lang": "ar"}).to_string(),
    ];
    let reply = api
        .call(
            Method::POST,
            "/api/v1/match/batch",
            None,
            &[("x-top", "3")],
            Some((
                "application/x-ndjson",
                format!("{}\n", lines.join("\n")).into_bytes(),
            )),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let out: Vec<Value> = String::from_utf8(reply.body.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(out[0]["id"], "a");
    assert_eq!(out[0]["matches"][0]["claim_id"], "cr-461aff08a3ff9402");
    assert!(out[0]["matches"].as_array().unwrap().len() <= 3);
    assert!(out[1]["error"].is_string(), "{}", out[1]);
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[2]["id"], 3);
    assert_eq!(out[3]["id"], "d");
    // The metrics count the batch's matches by band.
    let returned: usize = out
        .iter()
        .filter_map(|l| l["matches"].as_array())
        .map(Vec::len)
        .sum();
    let metrics = String::from_utf8(api.get("/metrics").await.body).unwrap();
    let counted: usize = metrics
        .lines()
        .filter(|l| l.starts_with("debunk_matches_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert!(returned > 0);
    assert_eq!(counted, returned, "{metrics}");

    // Past the record cap the rest is not read, and the last line says so.
    let many: String = (0..8)
        .map(|i| format!("{}\n", json!({"id": i, "text": "fence"})))
        .collect();
    let capped = api
        .call(
            Method::POST,
            "/api/v1/match/batch",
            None,
            &[],
            Some(("application/x-ndjson", many.into_bytes())),
        )
        .await;
    let out: Vec<Value> = String::from_utf8(capped.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 6, "{out:?}");
    assert_eq!(out[4]["id"], 4);
    assert!(out[5]["error"]
        .as_str()
        .unwrap()
        .contains("record cap of 5"));

    api.call(
        Method::POST,
        "/api/v1/match/batch",
        None,
        &[],
        Some(("application/json", b"{}".to_vec())),
    )
    .await
    .assert_problem(415, "unsupported-media-type");
}

#[tokio::test(flavor = "multi_thread")]
async fn callers_over_the_rate_limit_are_told_when_to_come_back() {
    let api = Api::new(ServeOptions {
        rate_limit: 60,
        ..ServeOptions::default()
    });
    let mut limited = None;
    for _ in 0..20 {
        let r = api.get("/api/v1/claims?q=fence").await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("never limited");
    r.assert_problem(429, "rate-limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    // A key has its own budget, and probes are never limited.
    let with_key = api
        .call(
            Method::GET,
            "/api/v1/claims?q=fence",
            Some(&api.reader),
            &[],
            None,
        )
        .await;
    assert_eq!(with_key.status, 200);
    assert_eq!(api.get("/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_get_request_ids_probes_metrics_and_cors() {
    let api = Api::new(ServeOptions {
        cors_origins: vec!["https://newsroom.example".into()],
        ..ServeOptions::default()
    });
    let r = api
        .call(
            Method::GET,
            "/healthz",
            None,
            &[("x-request-id", "abc-123")],
            None,
        )
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("abc-123"));
    let fresh = api.get("/healthz").await.header("x-request-id").unwrap();
    assert_eq!(fresh.len(), 16);
    assert_eq!(api.get("/readyz").await.json()["status"], "ready");
    let spec = api.get("/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.json(), *crate::openapi::SPEC);
    let docs = api.get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(docs.content_type.starts_with("text/html"));
    let page = String::from_utf8(docs.body).unwrap();
    assert!(page.contains("fetch(\"/openapi.json\")"));
    // Nothing fetched from elsewhere: no absolute URL in the page at all.
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );

    api.send_json(
        Method::POST,
        "/api/v1/match",
        None,
        &json!({"text": "fence"}),
    )
    .await;
    api.get("/api/v1/claims/nope").await;
    let m = api.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.content_type.starts_with("text/plain"));
    let text = String::from_utf8(m.body).unwrap();
    assert!(
        text.contains(
            r#"debunk_http_requests_total{route="/api/v1/claims/{id}",method="GET",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"debunk_http_request_duration_seconds_count{route="/api/v1/match",method="POST",status="200"} 1"#));
    let claims: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("debunk_claims "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(claims, api.kb.stats().unwrap().store.claims);

    let preflight = api
        .call(
            Method::OPTIONS,
            "/api/v1/claims",
            None,
            &[
                ("origin", "https://newsroom.example"),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
        .await;
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("https://newsroom.example")
    );
    let other = api
        .call(
            Method::GET,
            "/healthz",
            None,
            &[("origin", "https://elsewhere.example")],
            None,
        )
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn fact_checks_go_in_and_out_in_bulk() {
    let api = Api::new(ServeOptions {
        max_records: 5,
        ..ServeOptions::default()
    });
    let key = Some(api.editor.as_str());
    let before = api.kb.stats().unwrap().store.claims;
    let jsonl = format!(
        "{}\n{{\"id\": \"bad\", \"text\": 7}}\n{}\n",
        test_claim("bulk-1"),
        test_claim("bulk-2")
    );
    let import = |body: String, query: &'static str, ctype: &'static str| {
        api.call(
            Method::POST,
            query,
            key,
            &[],
            Some((ctype, body.into_bytes())),
        )
    };
    let r = import(jsonl.clone(), "/api/v1/import", "application/x-ndjson").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let report = r.json();
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["skipped"], 1);
    assert_eq!(report["errors"][0]["line"], 2);
    assert!(report.get("truncated").is_none());
    let hits = api.get("/api/v1/claims?q=zorblax").await.json();
    assert_eq!(hits["total"], 2, "{hits}");
    // The same body again: updates, no duplicates.
    let again = import(jsonl.clone(), "/api/v1/import", "application/x-ndjson")
        .await
        .json();
    assert_eq!(again["imported"], 0);
    assert_eq!(again["updated"], 2);

    // Strict: one bad record and nothing is written.
    let strict = format!("{}\n{{\"text\": \"\"}}\n", test_claim("bulk-3"));
    import(strict, "/api/v1/import?strict=true", "application/x-ndjson")
        .await
        .assert_problem(400, "bad-record");
    assert!(api.kb.get_claim("bulk-3").is_err());
    import(
        jsonl.clone(),
        "/api/v1/import?format=csv",
        "application/x-ndjson",
    )
    .await
    .assert_problem(400, "invalid-input");
    import(jsonl, "/api/v1/import", "text/csv")
        .await
        .assert_problem(415, "unsupported-media-type");

    // Past the record cap (5 here) the rest is not read.
    let many: String = (0..8)
        .map(|i| format!("{}\n", test_claim(&format!("cap-{i}"))))
        .collect();
    let capped = import(many, "/api/v1/import", "application/x-ndjson")
        .await
        .json();
    assert_eq!(capped["imported"], 5, "{capped}");
    assert_eq!(capped["truncated"], true);
    assert!(api.kb.get_claim("cap-4").is_ok() && api.kb.get_claim("cap-5").is_err());

    // A ClaimReview document, as JSON-LD.
    let review = json!([{
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://example.org/review/quarnia",
        "claimReviewed": "Test claim: Quarnia closes its fence every Friday",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "author": {"@type": "Organization", "name": "Test Desk"}
    }]);
    let r = import(review.to_string(), "/api/v1/import", "application/ld+json").await;
    assert_eq!(
        r.json()["imported"],
        1,
        "{}",
        String::from_utf8_lossy(&r.body)
    );

    let total = api.kb.stats().unwrap().store.claims;
    assert_eq!(total, before + 2 + 5 + 1);
    let out = api.get("/api/v1/export").await;
    assert_eq!(out.status, 200);
    assert_eq!(out.content_type, "application/x-ndjson");
    let lines: Vec<Value> = String::from_utf8(out.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, total);
    assert!(lines
        .iter()
        .any(|c| c["id"] == "bulk-1" && c["verdict"] == "false"));
    let ld = api.get("/api/v1/export?format=claimreview").await;
    assert_eq!(ld.content_type, "application/ld+json");
    let reviews = ld.json();
    assert_eq!(reviews.as_array().unwrap().len() as u64, total);
    assert!(reviews
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["@type"] == "ClaimReview"));
    api.get("/api/v1/export?format=xml")
        .await
        .assert_problem(400, "invalid-input");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_arabic_fact_check_file_imports_over_http_as_from_the_command_line() {
    let api = Api::new(ServeOptions::default());
    let path = crate::common::arabic_claimreview();
    let body = std::fs::read(&path).unwrap();
    let r = api
        .call(
            Method::POST,
            "/api/v1/import?format=factcheck-api",
            Some(&api.admin),
            &[],
            Some(("application/json", body)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let via_http = r.json();
    let direct = KnowledgeBase::open_in_memory().unwrap();
    direct.seed_if_new().unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
    let options = debunk::kb::ImportOptions {
        format: debunk::formats::Format::FactcheckApi,
        ..Default::default()
    };
    let report = direct.import(file, &options, |_| {}).unwrap();
    assert_eq!(via_http["imported"], report.imported);
    assert_eq!(via_http["updated"], report.updated);
    assert_eq!(via_http["skipped"], report.skipped);
    assert_eq!(
        api.kb.stats().unwrap().store.claims,
        direct.stats().unwrap().store.claims
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_the_time_limit_is_stopped_with_a_problem() {
    let api = Api::new(ServeOptions {
        timeout_secs: 1,
        ..ServeOptions::default()
    });
    // An upload that sends one record, then stalls.
    let first = format!("{}\n", test_claim("slow-1"));
    let stalled = futures_util::stream::unfold(Some(first), |first| async move {
        match first {
            Some(line) => Some((Ok::<_, std::io::Error>(bytes::Bytes::from(line)), None)),
            None => {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                None
            }
        }
    });
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/import")
        .header("authorization", format!("Bearer {}", api.editor))
        .header("content-type", "application/x-ndjson")
        .body(Body::from_stream(stalled))
        .unwrap();
    let started = std::time::Instant::now();
    let res = api.app.clone().oneshot(req).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let status = res.status();
    let ctype = res.headers()["content-type"].to_str().unwrap().to_string();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    crate::openapi::check("POST", "/api/v1/import", status.as_u16(), &ctype, &body);
    assert_eq!(status, 503);
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["type"], "https://debunk.dev/problems/timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_makes_and_revokes_keys_over_http() {
    let api = Api::new(ServeOptions::default());
    let admin = Some(api.admin.as_str());
    let made = api
        .send_json(
            Method::POST,
            "/api/v1/keys",
            admin,
            &json!({"name": "desk", "role": "editor"}),
        )
        .await;
    assert_eq!(made.status, 201);
    let made = made.json();
    let secret = made["secret"].as_str().unwrap().to_string();
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["role"], "editor");
    // The new key writes at once.
    let wrote = api
        .send_json(
            Method::POST,
            "/api/v1/claims",
            Some(&secret),
            &test_claim("k-1"),
        )
        .await;
    assert_eq!(wrote.status, 201);
    let listed = api
        .call(Method::GET, "/api/v1/keys", admin, &[], None)
        .await;
    let text = String::from_utf8(listed.body.clone()).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains("secret"),
        "{text}"
    );
    assert!(listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["id"] == id.as_str()));
    let gone = api
        .call(
            Method::DELETE,
            &format!("/api/v1/keys/{id}"),
            admin,
            &[],
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    api.send_json(
        Method::POST,
        "/api/v1/claims",
        Some(&secret),
        &test_claim("k-2"),
    )
    .await
    .assert_problem(401, "unauthorized");
    api.call(
        Method::DELETE,
        &format!("/api/v1/keys/{id}"),
        admin,
        &[],
        None,
    )
    .await
    .assert_problem(404, "not-found");
    api.send_json(
        Method::POST,
        "/api/v1/keys",
        admin,
        &json!({"name": "x", "role": "root"}),
    )
    .await
    .assert_problem(400, "bad-request");
    api.send_json(
        Method::POST,
        "/api/v1/keys",
        admin,
        &json!({"name": " ", "role": "reader"}),
    )
    .await
    .assert_problem(400, "invalid-input");
}
