//! Who may call what: keys and roles, private servers, rate limits.

use super::*;

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

/// Every route the description marks as needing a key, with its path
/// parameters filled in: a new write route is covered without a new line.
fn keyed_routes() -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in crate::openapi::SPEC["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["security"] == json!([{"bearer": []}]) {
                let path = path.replace("{id}", "no-such-thing");
                out.push((method.to_uppercase().parse().unwrap(), path));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_role_is_checked_before_the_body_is_read() {
    let api = Api::new(ServeOptions::default());
    let routes = keyed_routes();
    assert!(routes.len() >= 9, "{routes:?}");
    let oversize = vec![b'{'; super::MAX_BODY_PROBE];
    let bodies: [(&str, &str, Vec<u8>); 3] = [
        ("bad JSON", "application/json", b"{\"text\": ".to_vec()),
        ("oversize body", "application/json", oversize),
        ("wrong content type", "text/csv", b"a,b\n".to_vec()),
    ];
    let before = api.kb.stats().unwrap().store;
    for (method, path) in &routes {
        let admin_only = path.starts_with("/api/v1/keys");
        for (who, key, status, kind) in [
            ("no key", None, 401, "unauthorized"),
            ("reader", Some(api.reader.as_str()), 403, "forbidden"),
        ] {
            for (what, ctype, body) in &bodies {
                let r = api
                    .call(method.clone(), path, key, &[], Some((ctype, body.clone())))
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    status,
                    "{method} {path} by {who} with {what}: {}",
                    String::from_utf8_lossy(&r.body)
                );
                r.assert_problem(status, kind);
            }
        }
        if admin_only {
            // Editors don't manage keys either.
            let r = api
                .call(method.clone(), path, Some(&api.editor), &[], None)
                .await;
            r.assert_problem(403, "forbidden");
        }
    }
    assert_eq!(api.kb.stats().unwrap().store.claims, before.claims);
    // A method no route has is a 405 whoever asks.
    for method in [Method::DELETE, Method::TRACE] {
        api.call(method, "/api/v1/claims", None, &[], None)
            .await
            .assert_problem(405, "method-not-allowed");
    }
}
