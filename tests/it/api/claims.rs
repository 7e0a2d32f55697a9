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

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_posted_without_an_id_gets_the_id_an_import_would_give_it() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    let mut claim = test_claim("unused");
    claim.as_object_mut().unwrap().remove("id");
    claim["url"] = json!("https://example.org/review/zorblax");
    let made = api
        .send_json(Method::POST, "/api/v1/claims", key, &claim)
        .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    let id = made.json()["id"].as_str().unwrap().to_string();
    let text = claim["text"].as_str().unwrap();
    assert_eq!(
        id,
        debunk::formats::derive_id(Some("https://example.org/review/zorblax"), text)
    );
    assert_eq!(
        made.header("location"),
        Some(format!("/api/v1/claims/{id}"))
    );
    assert_eq!(api.get(&format!("/api/v1/claims/{id}")).await.status, 200);
    // The same fact-check again is the same claim: a conflict, not a copy.
    api.send_json(Method::POST, "/api/v1/claims", key, &claim)
        .await
        .assert_problem(409, "conflict");
    // And importing it updates that claim.
    let line = format!("{claim}\n").into_bytes();
    let report = api
        .call(
            Method::POST,
            "/api/v1/import",
            key,
            &[],
            Some(("application/x-ndjson", line)),
        )
        .await
        .json();
    assert_eq!(
        (report["imported"].clone(), report["updated"].clone()),
        (json!(0), json!(1))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn put_takes_the_id_from_the_path() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    let mut claim = test_claim("unused");
    claim.as_object_mut().unwrap().remove("id");
    let made = api
        .send_json(Method::PUT, "/api/v1/claims/from-path", key, &claim)
        .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    assert_eq!(made.json()["id"], "from-path");
    assert_eq!(api.kb.get_claim("from-path").unwrap().version, 1);
    // A body naming another id is refused, and nothing changes.
    claim["id"] = json!("elsewhere");
    api.send_json(Method::PUT, "/api/v1/claims/from-path", key, &claim)
        .await
        .assert_problem(400, "invalid-input");
    assert!(api.kb.get_claim("elsewhere").is_err());
    assert_eq!(api.kb.get_claim("from-path").unwrap().version, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_with_a_matching_if_none_match_is_not_modified() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    let made = api
        .send_json(Method::POST, "/api/v1/claims", key, &test_claim("inm-1"))
        .await;
    let tag = made.header("etag").unwrap();
    let weak = format!("W/{tag}");
    let listed = format!("\"other\", {weak}");
    for (sent, status) in [
        (tag.as_str(), 304),
        (weak.as_str(), 304),
        (listed.as_str(), 304),
        ("*", 304),
        ("\"other\"", 200),
    ] {
        let r = api
            .call(
                Method::GET,
                "/api/v1/claims/inm-1",
                None,
                &[("if-none-match", sent)],
                None,
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "If-None-Match: {sent}");
        assert_eq!(r.header("etag").as_deref(), Some(tag.as_str()));
        if status == 304 {
            assert!(r.body.is_empty());
        }
    }
    // Once the claim changes, the old tag no longer matches.
    api.call(
        Method::PATCH,
        "/api/v1/claims/inm-1",
        key,
        &[],
        Some((
            "application/merge-patch+json",
            br#"{"summary":"s"}"#.to_vec(),
        )),
    )
    .await;
    let r = api
        .call(
            Method::GET,
            "/api/v1/claims/inm-1",
            None,
            &[("if-none-match", &tag)],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    api.get("/api/v1/claims/nope")
        .await
        .assert_problem(404, "not-found");
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_are_dropped_from_text_and_refused_in_ids() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    let mut claim = test_claim("ctl-1");
    claim["text"] = json!("\u{0}Test claim:\u{1b} the zorblax\u{85} fence\topens\non Friday");
    claim["title"] = json!("\u{0}");
    let made = api
        .send_json(Method::POST, "/api/v1/claims", key, &claim)
        .await;
    assert_eq!(made.status, 201, "{}", String::from_utf8_lossy(&made.body));
    let stored = api.kb.get_claim("ctl-1").unwrap();
    assert_eq!(
        stored.text,
        "Test claim: the zorblax fence\topens\non Friday"
    );
    // Text that is nothing but controls is empty, as the store refuses.
    let mut empty = test_claim("ctl-2");
    empty["text"] = json!("\u{0}\u{1}");
    api.send_json(Method::POST, "/api/v1/claims", key, &empty)
        .await
        .assert_problem(400, "invalid-input");
    for id in ["a\u{0}b", "a\rb", "a\nb"] {
        let mut bad = test_claim(id);
        bad["text"] = json!("Test claim: ids with controls");
        api.send_json(Method::POST, "/api/v1/claims", key, &bad)
            .await
            .assert_problem(400, "invalid-input");
    }
    for path in ["/api/v1/claims/a%00b", "/api/v1/claims/a%0Ab"] {
        api.send_json(Method::PUT, path, key, &test_claim("ignored"))
            .await
            .assert_problem(400, "invalid-input");
    }
    api.call(
        Method::PATCH,
        "/api/v1/claims/ctl-1",
        key,
        &[],
        Some((
            "application/merge-patch+json",
            br#"{"summary":"\u0000s\u0007"}"#.to_vec(),
        )),
    )
    .await;
    assert_eq!(
        api.kb.get_claim("ctl-1").unwrap().summary.as_deref(),
        Some("s")
    );
    assert!(api.kb.get_claim("ctl-2").is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_over_the_body_limit_is_a_problem() {
    let api = Api::new(ServeOptions::default());
    let key = Some(api.editor.as_str());
    api.send_json(Method::POST, "/api/v1/claims", key, &test_claim("big-1"))
        .await;
    let huge = json!({"summary": "a".repeat(super::MAX_BODY_PROBE)}).to_string();
    api.call(
        Method::PATCH,
        "/api/v1/claims/big-1",
        key,
        &[],
        Some(("application/merge-patch+json", huge.into_bytes())),
    )
    .await
    .assert_problem(413, "too-large");
    assert_eq!(api.kb.get_claim("big-1").unwrap().version, 1);
}
