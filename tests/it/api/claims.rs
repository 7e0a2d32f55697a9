//! Claims over HTTP: the write lifecycle with entity tags, and bad requests.

use super::*;

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
    let long_q = format!("/api/v1/claims?q={}", "a".repeat(5001));
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
