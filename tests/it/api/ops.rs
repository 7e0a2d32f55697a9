//! Operations: request ids, probes, metrics, the OpenAPI description and docs, CORS.

use super::*;

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
    let ready = api.get("/readyz").await.json();
    assert_eq!(ready["status"], "ready");
    // No embedder attached: the probe says matching is lexical only.
    assert_eq!(ready["matching"], "lexical");
    assert!(ready["detail"].as_str().unwrap().contains("lexical only"));
    let spec = api.get("/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.json(), *crate::openapi::SPEC);
    let docs = api.get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(docs.content_type.starts_with("text/html"));
    let page = String::from_utf8(docs.body).unwrap();
    assert!(page.contains("fetch(\"/openapi.json\""));
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
    // The batch route's header may cross origins too.
    let batch = api
        .call(
            Method::OPTIONS,
            "/api/v1/match/batch",
            None,
            &[
                ("origin", "https://newsroom.example"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "x-top,content-type"),
            ],
            None,
        )
        .await;
    let allowed = batch
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(allowed.contains("x-top"), "{allowed}");
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
async fn unknown_api_paths_get_a_problem_and_other_paths_the_html_404_page() {
    let api = Api::new(ServeOptions::default());
    api.get("/api/v1/nothing-here")
        .await
        .assert_problem(404, "not-found");
    for path in ["/", "/claims/x", "/favicon.ico"] {
        let r = api.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.content_type.starts_with("text/html"),
            "{path}: {}",
            r.content_type
        );
        // Still under the shared layers.
        assert!(r.header("x-request-id").is_some(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn other_routers_mount_beside_the_api_under_the_same_layers() {
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let pages = axum::Router::new().route("/", axum::routing::get(|| async { "front page" }));
    let app = debunk::server::app(AppState::new(kb, ServeOptions::default()), pages);
    let call = |path: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get(path).body(Body::empty()).unwrap();
            let res = app.oneshot(req).await.unwrap();
            let id = res.headers().get("x-request-id").is_some();
            let status = res.status();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (status, id, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    assert_eq!(call("/").await, (StatusCode::OK, true, "front page".into()));
    let (status, id, body) = call("/healthz").await;
    assert_eq!((status, id), (StatusCode::OK, true));
    assert!(body.contains("ok"));
    assert_eq!(call("/elsewhere").await.0, StatusCode::NOT_FOUND);
}
