//! The streamed routes: batch matching, import and export, and the time limit.

use super::*;

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
    // Without the time limit the stalled upload would hold the request
    // for an hour: give up well before, as a hang, not a speed check.
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        api.app.clone().oneshot(req),
    )
    .await
    .expect("the time limit never stopped the request")
    .unwrap();
    let status = res.status();
    let ctype = res.headers()["content-type"].to_str().unwrap().to_string();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    crate::openapi::check("POST", "/api/v1/import", status.as_u16(), &ctype, &body);
    assert_eq!(status, 503);
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["type"], "https://debunk.dev/problems/timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_skips_a_record_with_a_bad_id_and_keeps_the_good_ones_around_it() {
    let api = Api::new(ServeOptions::default());
    let mut nul_text = test_claim("imp-ctl-2");
    nul_text["text"] = json!("\u{0}Test claim: the zorblax fence opens at dawn");
    let body = format!(
        "{}\n{}\n{}\n{}\n",
        test_claim("imp-ctl-1"),
        nul_text,
        test_claim("imp-\u{0}-3"),
        test_claim("imp-ctl-4"),
    );
    for (query, strict) in [
        ("/api/v1/import", false),
        ("/api/v1/import?strict=true", true),
    ] {
        let r = api
            .call(
                Method::POST,
                query,
                Some(&api.editor),
                &[],
                Some(("application/x-ndjson", body.clone().into_bytes())),
            )
            .await;
        if strict {
            r.assert_problem(400, "bad-record");
            continue;
        }
        let report = r.json();
        assert_eq!(report["imported"], 3, "{report}");
        assert_eq!(report["skipped"], 1);
        assert_eq!(report["errors"][0]["line"], 3);
        assert!(
            report["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("control character"),
            "{report}"
        );
    }
    let cleaned = api.kb.get_claim("imp-ctl-2").unwrap();
    assert_eq!(cleaned.text, "Test claim: the zorblax fence opens at dawn");
    assert!(api.kb.get_claim("imp-ctl-4").is_ok());
}

/// `n` test claims tagged `tag`, one JSONL line each.
fn tagged_lines(tag: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{}\n", test_claim(&format!("{tag}-{i}"))))
        .collect()
}

fn stored_with_prefix(api: &Api, tag: &str) -> usize {
    let mut n = 0;
    api.kb
        .for_each_claim(|c| {
            n += usize::from(c.id.starts_with(&format!("{tag}-")));
            Ok(())
        })
        .unwrap();
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_that_fails_midway_is_an_error_and_keeps_only_whole_batches() {
    let api = Api::new(ServeOptions::default());
    for (tag, query, kept) in [
        ("mid", "/api/v1/import", 1000),
        ("mids", "/api/v1/import?strict=true", 0),
    ] {
        // 1,500 good records, then the connection fails.
        let pieces: Vec<Result<bytes::Bytes, std::io::Error>> = vec![
            Ok(tagged_lines(tag, 1500).into()),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "reset",
            )),
        ];
        let req = Request::builder()
            .method(Method::POST)
            .uri(query)
            .header("authorization", format!("Bearer {}", api.editor))
            .header("content-type", "application/x-ndjson")
            .body(Body::from_stream(futures_util::stream::iter(pieces)))
            .unwrap();
        let res = api.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let p: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 400, "{query}: {p}");
        assert_eq!(p["type"], "https://debunk.dev/problems/bad-request");
        assert!(p["detail"].as_str().unwrap().contains("cut short"), "{p}");
        assert_eq!(stored_with_prefix(&api, tag), kept, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_stopped_by_the_time_limit_reads_and_commits_no_further() {
    let api = Api::new(ServeOptions {
        timeout_secs: 1,
        ..ServeOptions::default()
    });
    // 1,500 records, a stall until the test has its answer, 1,500 more.
    let resume = std::sync::Arc::new(tokio::sync::Notify::new());
    let yielded_rest = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel::<()>();
    let state = (0u8, resume.clone(), yielded_rest.clone(), dropped_tx);
    let upload = futures_util::stream::unfold(state, |(step, resume, rest, guard)| async move {
        let chunk = match step {
            0 => tagged_lines("stop", 1500),
            1 => {
                resume.notified().await;
                rest.store(true, std::sync::atomic::Ordering::SeqCst);
                tagged_lines("late", 1500)
            }
            _ => return None,
        };
        let chunk = Ok::<_, std::io::Error>(bytes::Bytes::from(chunk));
        Some((chunk, (step + 1, resume, rest, guard)))
    });
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/import")
        .header("authorization", format!("Bearer {}", api.editor))
        .header("content-type", "application/x-ndjson")
        .body(Body::from_stream(upload))
        .unwrap();
    let guard = std::time::Duration::from_secs(120);
    let res = tokio::time::timeout(guard, api.app.clone().oneshot(req))
        .await
        .expect("the time limit never stopped the request")
        .unwrap();
    assert_eq!(res.status(), 503);
    // The client would send the rest now; the stopped upload must not take it.
    resume.notify_one();
    let _ = tokio::time::timeout(guard, dropped_rx).await;
    assert!(
        !yielded_rest.load(std::sync::atomic::Ordering::SeqCst),
        "the server read on after answering 503"
    );
    assert_eq!(stored_with_prefix(&api, "late"), 0);
    assert_eq!(stored_with_prefix(&api, "stop") % 1000, 0);
}
