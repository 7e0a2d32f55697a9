//! `GET /api/v1/claims` as a journalist uses it: filters, facets,
//! highlights, date order and cursor pages, through the real router over a
//! real data folder loaded with the seed fact-checks.

use std::collections::{BTreeMap, HashSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use debunk::api::{router, ServeOptions};
use debunk::model::Claim;
use debunk::KnowledgeBase;

struct Search {
    kb: KnowledgeBase,
    app: axum::Router,
    _dir: tempfile::TempDir,
}

impl Search {
    fn new() -> Search {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        kb.seed_if_new().unwrap();
        Search {
            // Walks send many requests from one address.
            app: router(
                kb.clone(),
                ServeOptions {
                    rate_limit: 0,
                    ..ServeOptions::default()
                },
            ),
            kb,
            _dir: dir,
        }
    }

    /// `GET /api/v1/claims?{query}`: the status and the body as JSON.
    async fn get(&self, query: &str) -> (StatusCode, String, Value) {
        let req = Request::get(format!("/api/v1/claims?{query}"))
            .body(Body::empty())
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        crate::openapi::check("GET", "/api/v1/claims", status.as_u16(), &ctype, &body);
        let value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
        (status, ctype, value)
    }

    /// A successful page.
    async fn page(&self, query: &str) -> Value {
        let (status, _, body) = self.get(query).await;
        assert_eq!(status, 200, "{query}: {body}");
        body
    }

    /// Every hit of a search, following `next_cursor` pages of `limit`.
    async fn walk(&self, query: &str, limit: usize) -> Vec<Value> {
        let mut hits = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = format!("{query}&limit={limit}");
            if let Some(c) = &cursor {
                q.push_str(&format!("&cursor={c}"));
            }
            let page = self.page(&q).await;
            let got = page["hits"].as_array().unwrap();
            assert!(got.len() <= limit);
            hits.extend(got.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => {
                    assert_eq!(got.len(), limit, "a page before the last is full");
                    cursor = Some(c.to_string());
                }
                None => return hits,
            }
            assert!(hits.len() <= 10_000, "the walk does not end");
        }
    }

    /// Creates a made-up claim (not a fact-check) and makes it searchable.
    fn create(&self, claim: Value) {
        let claim: Claim = serde_json::from_value(claim).unwrap();
        self.kb.create_claim(claim).unwrap();
    }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// The facet list the API must give for these hits: counts of `field`,
/// most frequent first, then by value, at most 20.
fn expected_facet(hits: &[Value], field: &str, missing: Option<&str>) -> Value {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for hit in hits {
        let value = hit[field].as_str().or(missing);
        if let Some(value) = value {
            *counts.entry(value.to_string()).or_default() += 1;
        }
    }
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(20);
    json!(list
        .into_iter()
        .map(|(value, count)| json!({"value": value, "count": count}))
        .collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_count_every_match_of_the_query_and_filters_not_only_the_page() {
    let s = Search::new();
    for query in [
        format!("q={}", enc("فيديو صورة مقطع")),
        "q=".to_string(),
        "q=Obama&lang=en".to_string(),
    ] {
        let page = s.page(&format!("{query}&limit=3")).await;
        let all = s.walk(&query, 100).await;
        assert_eq!(page["total"], all.len() as u64, "{query}");
        assert!(all.len() > 3, "{query}: too few hits to tell");
        let facets = &page["facets"];
        assert_eq!(
            facets["lang"],
            expected_facet(&all, "lang", Some("unknown")),
            "{query}"
        );
        assert_eq!(
            facets["verdict"],
            expected_facet(&all, "verdict", None),
            "{query}"
        );
        assert_eq!(
            facets["publisher"],
            expected_facet(&all, "publisher", None),
            "{query}"
        );
    }
    // More than 20 values: the 20 most frequent, ties by value.
    for n in 1..=26 {
        let desk = format!("Test Desk {:02}", n.min(24));
        s.create(json!({"id": format!("t-{n}"), "text": "Test claim: the wibblon parade", "lang": "en", "publisher": desk}));
    }
    let page = s.page("q=wibblon&limit=1").await;
    let publishers = &page["facets"]["publisher"];
    assert_eq!(publishers.as_array().unwrap().len(), 20);
    assert_eq!(publishers[0], json!({"value": "Test Desk 24", "count": 3}));
    assert_eq!(publishers[1], json!({"value": "Test Desk 01", "count": 1}));
    assert_eq!(publishers[19]["value"], "Test Desk 19");
    assert_eq!(
        page["facets"]["lang"],
        json!([{"value": "en", "count": 26}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_narrow_by_language_verdict_publisher_and_review_dates() {
    let s = Search::new();
    let all = s.walk("q=", 100).await;
    assert!(all.len() > 400);

    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|h| f(h)).count() as u64;
    // The most common English (language, verdict, publisher) of the seed.
    let mut triples: BTreeMap<(String, String), u64> = BTreeMap::new();
    for h in all.iter().filter(|h| h["lang"] == "en") {
        if let (Some(v), Some(p)) = (h["verdict"].as_str(), h["publisher"].as_str()) {
            *triples.entry((v.to_string(), p.to_string())).or_default() += 1;
        }
    }
    let ((verdict, publisher), _) = triples.into_iter().max_by_key(|(_, n)| *n).unwrap();
    let page = s
        .page(&format!(
            "q=&lang=en&verdict={verdict}&publisher={}&limit=100",
            enc(&publisher)
        ))
        .await;
    let want =
        count(&|h| h["lang"] == "en" && h["verdict"] == verdict && h["publisher"] == publisher);
    assert!(want > 1 && want < 200, "{want}");
    assert_eq!(page["total"], want);
    assert_eq!(page["hits"].as_array().unwrap().len() as u64, want);
    for hit in page["hits"].as_array().unwrap() {
        assert_eq!(
            (&hit["lang"], &hit["verdict"], &hit["publisher"]),
            (&json!("en"), &json!(verdict), &json!(publisher))
        );
    }

    let page = s.page(&format!("q=&publisher={}", enc("مسبار"))).await;
    assert_eq!(page["total"], count(&|h| h["publisher"] == "مسبار"));

    // Review dates, inclusive; undated claims are out once a bound is given.
    let day = |h: &Value| h["review_date"].as_str().map(|d| d[..10].to_string());
    let in_2018 = count(&|h| day(h).is_some_and(|d| d.starts_with("2018")));
    assert!(in_2018 > 0);
    let hits = s.walk("q=&from=2018-01-01&to=2018-12-31", 100).await;
    assert_eq!(hits.len() as u64, in_2018);
    let since_2024 = count(&|h| day(h).is_some_and(|d| d.as_str() >= "2024-01-01"));
    assert_eq!(s.page("q=&from=2024-01-01").await["total"], since_2024);
    let until_2000 = count(&|h| day(h).is_some_and(|d| d.as_str() <= "2000-12-31"));
    assert_eq!(s.page("q=&to=2000-12-31").await["total"], until_2000);

    // Edges of a range, and a timestamp read as the day it was written on.
    for (id, date) in [
        ("t-before", "2031-01-31"),
        ("t-first", "2031-02-01"),
        ("t-last", "2031-02-28"),
        ("t-late-evening", "2031-02-28T23:30:00-05:00"),
        ("t-after", "2031-03-01"),
    ] {
        s.create(json!({"id": id, "text": "Test claim: the quorbel rally", "lang": "en", "review_date": date}));
    }
    s.create(json!({"id": "t-undated", "text": "Test claim: the quorbel rally", "lang": "en"}));
    let mut got = ids(&s.walk("q=quorbel&from=2031-02-01&to=2031-02-28", 10).await);
    got.sort();
    assert_eq!(got, ["t-first", "t-last", "t-late-evening"]);
    assert_eq!(s.page("q=quorbel").await["total"], 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_date_lists_the_newest_review_first_and_undated_claims_last() {
    let s = Search::new();
    let hits = s.walk("q=&sort=date", 37).await;
    assert_eq!(
        hits.len() as u64,
        s.page("q=").await["total"].as_u64().unwrap()
    );
    let days: Vec<Option<String>> = hits
        .iter()
        .map(|h| h["review_date"].as_str().map(|d| d[..10].to_string()))
        .collect();
    let dated = days.iter().take_while(|d| d.is_some()).count();
    assert!(
        dated > 300 && dated < days.len(),
        "{dated} of {}",
        days.len()
    );
    assert!(
        days[dated..].iter().all(Option::is_none),
        "undated claims come last"
    );
    for pair in days[..dated].windows(2) {
        assert!(pair[0] >= pair[1], "{pair:?} out of order");
    }
    // Relevance order is another order.
    let by_score = ids(&s.walk("q=", 100).await);
    assert_ne!(by_score, ids(&hits));
}

#[tokio::test(flavor = "multi_thread")]
async fn highlights_mark_arabic_query_words_despite_diacritics() {
    let s = Search::new();
    let page = s.page(&format!("q={}", enc("السِّفَارَةُ السُّورِيَّة"))).await;
    let hit = &page["hits"][0];
    assert!(hit["text"]
        .as_str()
        .unwrap()
        .contains("بإغلاق السفارة السورية"));
    let text = hit["highlights"]["text"].as_str().unwrap();
    assert!(
        text.contains("<mark>السفارة</mark> <mark>السورية</mark>"),
        "{text}"
    );
    let title = hit["highlights"]["title"].as_str().unwrap();
    assert!(title.contains("<mark>السفارة</mark>"), "{title}");
    // Plain fields stay plain.
    assert!(!hit["text"].as_str().unwrap().contains("<mark>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn highlights_mark_the_arabic_words_an_arabizi_query_matched() {
    let s = Search::new();
    let page = s.page("q=l9a7+corona&limit=20").await;
    let hit = page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["text"].as_str().unwrap().contains("باللقاح كورونا"))
        .expect("the Iraqi vaccine claim is found");
    let text = hit["highlights"]["text"].as_str().unwrap();
    assert!(text.contains("<mark>كورونا</mark>"), "{text}");
    assert!(text.contains("<mark>باللقاح</mark>"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn html_in_a_claim_is_escaped_in_highlights_and_plain_elsewhere() {
    let s = Search::new();
    let text = "Test claim: <script>alert('zorblax')</script> & \"the fence\"";
    s.create(
        json!({"id": "t-html", "text": text, "title": "Test <b>zorblax</b> title", "lang": "en"}),
    );
    s.create(json!({"id": "t-long", "lang": "en",
        "text": format!("Test claim: {} the zorblax fence {}", "filler words ".repeat(60), "more filler ".repeat(60)),
        "title": "Test title without the word"}));
    let page = s.page("q=zorblax").await;
    let hits = page["hits"].as_array().unwrap();
    let html = hits.iter().find(|h| h["id"] == "t-html").unwrap();
    assert_eq!(html["text"], text);
    assert_eq!(
        html["highlights"]["text"],
        "Test claim: &lt;script&gt;alert(&#39;<mark>zorblax</mark>&#39;)&lt;/script&gt; &amp; &quot;the fence&quot;"
    );
    assert_eq!(
        html["highlights"]["title"],
        "Test &lt;b&gt;<mark>zorblax</mark>&lt;/b&gt; title"
    );
    let long = hits.iter().find(|h| h["id"] == "t-long").unwrap();
    let shown = long["highlights"]["text"].as_str().unwrap();
    assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
    assert!(shown.contains("<mark>zorblax</mark>"));
    assert!(shown.chars().count() < 340, "{shown}");
    assert!(
        long["highlights"].get("title").is_none(),
        "no mark, no title"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cursor_pages_walk_every_hit_once_in_order() {
    let s = Search::new();
    for query in [
        format!("q={}", enc("فيديو صورة مقطع")),
        format!("q={}&sort=date", enc("فيديو صورة مقطع")),
        "q=".to_string(),
    ] {
        let total = s.page(&query).await["total"].as_u64().unwrap();
        let big = s.walk(&query, 100).await;
        let small = s.walk(&query, 7).await;
        assert_eq!(big.len() as u64, total, "{query}");
        assert_eq!(ids(&small), ids(&big), "{query}");
        let unique: HashSet<String> = ids(&small).into_iter().collect();
        assert_eq!(unique.len(), small.len(), "{query}: duplicates");
    }
    // The last page has no cursor.
    let page = s.page("q=Obama&lang=en&limit=100").await;
    assert!(page.get("next_cursor").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_written_between_pages_neither_repeats_nor_hides_other_hits() {
    for sort in ["relevance", "date"] {
        let s = Search::new();
        let query = format!("q={}&sort={sort}", enc("فيديو صورة مقطع"));
        let before = ids(&s.walk(&query, 100).await);
        assert!(before.len() > 30);

        let first = s.page(&format!("{query}&limit=10")).await;
        assert_eq!(ids(first["hits"].as_array().unwrap()), before[..10]);
        let cursor = first["next_cursor"].as_str().unwrap().to_string();

        // New claims with the query's words change every BM25 statistic;
        // one would come first, one last.
        s.create(
            json!({"id": "t-top", "lang": "ar", "review_date": "2031-01-01",
            "text": "ادعاء تجريبي: فيديو صورة فيديو صورة فيديو صورة فيديو صورة"}),
        );
        s.create(
            json!({"id": "t-low", "lang": "ar", "review_date": "1990-01-01",
            "text": format!("ادعاء تجريبي {} فيديو صورة", "كلمة ".repeat(80))}),
        );
        let after_write = ids(&s.walk(&query, 100).await);
        assert!(after_write.contains(&"t-top".to_string()));

        let mut rest = Vec::new();
        let mut next = Some(cursor);
        while let Some(c) = next {
            let page = s.page(&format!("{query}&limit=10&cursor={c}")).await;
            rest.extend(ids(page["hits"].as_array().unwrap()));
            next = page["next_cursor"].as_str().map(str::to_string);
        }
        // Nothing of the first page again, nothing of the old walk lost,
        // in the same order; the claim that sorts first is simply not shown.
        assert!(!rest.contains(&"t-top".to_string()), "{sort}");
        assert!(rest.contains(&"t-low".to_string()), "{sort}");
        let old: Vec<String> = rest
            .iter()
            .filter(|id| !id.starts_with("t-"))
            .cloned()
            .collect();
        assert_eq!(old, before[10..], "{sort}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_cursors_dates_and_sorts_are_invalid_input() {
    let s = Search::new();
    let other = s.page("q=Trump&limit=2").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let same = s.page("q=Obama&limit=2").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.page(&format!("q=Obama&limit=2&cursor={same}")).await["hits"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    for (query, names) in [
        ("q=Obama&cursor=not-a-cursor".to_string(), "cursor"),
        ("q=Obama&cursor=%F0%9F%99%82".to_string(), "cursor"),
        (format!("q=Obama&cursor={other}"), "cursor"),
        (format!("q=Obama&sort=date&cursor={same}"), "cursor"),
        (format!("q=Obama&lang=en&cursor={same}"), "cursor"),
        ("q=Obama&from=2024-13-01".to_string(), "from"),
        ("q=Obama&to=yesterday".to_string(), "to"),
        ("q=Obama&from=2024-05-02&to=2024-05-01".to_string(), "from"),
        ("q=Obama&sort=newest".to_string(), "sort"),
    ] {
        let (status, ctype, body) = s.get(&query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(
            body["type"], "https://debunk.dev/problems/invalid-input",
            "{query}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains(names),
            "{query}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_in_q_finds_the_claims_whose_review_or_appearances_carry_it() {
    let s = Search::new();
    s.create(json!({"id": "t-link", "lang": "en",
        "text": "Made-up claim seen in one post",
        "appearances": [{"url": "https://twitter.com/someone/status/1234567?s=20"}]}));
    s.create(json!({"id": "t-review", "lang": "en",
        "text": "Another made-up claim", "url": "https://example.org/fact-check/42/"}));
    for (q, want) in [
        ("https://x.com/someone/status/1234567", "t-link"),
        (
            "look: https://www.twitter.com/someone/status/1234567 #fake",
            "t-link",
        ),
        ("https://example.org/fact-check/42?utm_source=x", "t-review"),
    ] {
        let page = s.page(&format!("q={}", enc(q))).await;
        let hits = page["hits"].as_array().unwrap();
        assert_eq!(
            hits.first().map(|h| h["id"].clone()),
            Some(json!(want)),
            "{q}: {page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn q_takes_a_pasted_text_of_five_thousand_characters() {
    let s = Search::new();
    let text = "Obama birth certificate forged ".repeat(200);
    let q: String = text.chars().take(5_000).collect();
    let (status, _, body) = s.get(&format!("q={}", enc(&q))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["total"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_publisher_is_one_fact_checker_however_it_is_written() {
    let s = Search::new();
    let all = s.walk("q=", 100).await;
    let named = |names: &[&str]| {
        all.iter()
            .filter(|h| names.iter().any(|n| h["publisher"] == *n))
            .count() as u64
    };
    let misbar = named(&["مسبار"]);
    assert!(misbar > 0);
    for p in ["Misbar", "misbar.com", "مسبار"] {
        assert_eq!(
            s.page(&format!("q=&publisher={}", enc(p))).await["total"],
            misbar,
            "{p}"
        );
    }
    // The seed writes Akhbar Meter both ways.
    let akhbar = named(&["أخبار ميتر", "akhbarmeter.org"]);
    assert!(akhbar > named(&["أخبار ميتر"]));
    for p in ["akhbarmeter.org", "أخبار ميتر"] {
        assert_eq!(
            s.page(&format!("q=&publisher={}", enc(p))).await["total"],
            akhbar,
            "{p}"
        );
    }
    // Names are kept as written, less the quotes around them.
    assert!(all
        .iter()
        .any(|h| h["publisher"] == "إعلاميون من أجل صحافة استقصائية عربية (أريج)"));
    assert!(!all
        .iter()
        .any(|h| h["publisher"].as_str().is_some_and(|p| p.starts_with('"'))));
}
