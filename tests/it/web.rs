//! The web pages, driven through the real router in process with a small
//! cookie-keeping client: status codes, headers, language and direction,
//! what each page shows, sign-in, and the cross-site request checks.
//! Real-browser tests (JavaScript off and on, axe, screenshots) are in
//! `browser*`.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::ServiceExt;

use debunk::api::ServeOptions;
use debunk::keys::Role;
use debunk::server::site;
use debunk::KnowledgeBase;

/// A visitor: the app, the cookies it was given, the headers it sends.
struct Visitor {
    kb: KnowledgeBase,
    app: axum::Router,
    cookies: HashMap<String, String>,
    accept_language: Option<&'static str>,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    html: Html,
    body: String,
}

impl Page {
    fn all(&self, selector: &str) -> Vec<scraper::ElementRef<'_>> {
        let s = Selector::parse(selector).unwrap();
        self.html.select(&s).collect()
    }

    fn count(&self, selector: &str) -> usize {
        self.all(selector).len()
    }

    fn text(&self, selector: &str) -> String {
        self.all(selector)
            .first()
            .unwrap_or_else(|| panic!("no {selector} in {}", self.body))
            .text()
            .collect()
    }

    fn attr(&self, selector: &str, name: &str) -> String {
        self.all(selector)
            .first()
            .unwrap_or_else(|| panic!("no {selector} in {}", self.body))
            .value()
            .attr(name)
            .unwrap_or_else(|| panic!("{selector} has no {name}"))
            .to_string()
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// The `csrf` field of the first form on the page.
    fn token(&self) -> String {
        self.attr("input[name=csrf]", "value")
    }
}

/// A knowledge base in memory loaded with the seed fact-checks.
fn seeded() -> KnowledgeBase {
    let kb = KnowledgeBase::open_in_memory().unwrap();
    assert!(kb.seed_if_new().unwrap() > 100);
    kb
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Visitor {
    fn new(kb: &KnowledgeBase) -> Visitor {
        Visitor {
            kb: kb.clone(),
            app: site(kb.clone(), ServeOptions::default()),
            cookies: HashMap::new(),
            accept_language: None,
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap();
            let (pair, attrs) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).to_string();
        Page {
            status,
            headers,
            html: Html::parse_document(&body),
            body,
        }
    }

    fn request(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080");
        if let Some(lang) = self.accept_language {
            b = b.header(header::ACCEPT_LANGUAGE, lang);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            b = b.header(header::COOKIE, jar.join("; "));
        }
        b
    }

    async fn get(&mut self, uri: &str) -> Page {
        let r = self.request(Method::GET, uri).body(Body::empty()).unwrap();
        self.send(r).await
    }

    /// A form post as a browser sends it from our own page.
    async fn post(&mut self, uri: &str, pairs: &[(&str, &str)]) -> Page {
        let r = self
            .request(Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .body(Body::from(form(pairs)))
            .unwrap();
        self.send(r).await
    }

    /// Signs in with a new key of this role; returns the key's id.
    async fn sign_in(&mut self, role: Role) -> String {
        let (key, secret) = self.kb.store().create_key("Sara", role).unwrap();
        let page = self.get("/sign-in?next=/match").await;
        let token = page.token();
        let done = self
            .post(
                "/sign-in",
                &[("csrf", &token), ("key", &secret), ("next", "/match")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.header("location"), "/match");
        key.id
    }
}

fn claims(kb: &KnowledgeBase) -> u64 {
    kb.stats().unwrap().index_docs
}

#[tokio::test]
async fn the_search_page_shows_seed_hits_in_the_browsers_language() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.accept_language = Some("fr-FR,fr;q=0.9,en;q=0.5");
    let page = v.get(&format!("/?q={}", encode("كورونا"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.attr("html", "lang"), "fr");
    assert_eq!(page.attr("html", "dir"), "ltr");
    assert!(page.header("content-type").starts_with("text/html"));
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.attr("input#q", "value"), "كورونا");
    let hits = page.all("ol#results > li[data-testid=hit]");
    assert!(!hits.is_empty(), "{}", page.body);
    // Every hit: a link to its claim, a badge with a word, a marked snippet.
    assert_eq!(page.count("li[data-testid=hit] a.hit-link"), hits.len());
    for badge in page.all("li[data-testid=hit] .badge") {
        assert!(!badge.text().collect::<String>().trim().is_empty());
    }
    assert!(
        page.count("li[data-testid=hit] .snippet mark") > 0,
        "{}",
        page.body
    );
    assert!(page.text("#total").contains(&hits.len().to_string()));
    // The landmarks and the skip link.
    for landmark in [
        "header",
        "nav#site-nav",
        "main#main",
        "footer",
        "a.skip-link[href='#main']",
    ] {
        assert_eq!(page.count(landmark), 1, "{landmark}");
    }
    // Nothing from elsewhere.
    for tag in ["script[src]", "link[href]", "img[src]"] {
        for e in page.all(tag) {
            let url = e.value().attr("src").or(e.value().attr("href")).unwrap();
            assert!(url.starts_with("/static/"), "{url}");
        }
    }
}

#[tokio::test]
async fn the_lang_cookie_beats_accept_language_and_arabic_is_right_to_left() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.accept_language = Some("fr");
    let switched = v.get("/lang/ar?next=%2Fmatch").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.header("location"), "/match");
    assert_eq!(v.cookies.get("lang").map(String::as_str), Some("ar"));
    let page = v.get("/").await;
    assert_eq!(page.attr("html", "lang"), "ar");
    assert_eq!(page.attr("html", "dir"), "rtl");
    assert_eq!(page.text("h1"), "هل تم التحقق من هذا الخبر؟");
    // The switcher offers every language, marks this one, and comes back here.
    assert_eq!(page.count("nav#lang-switch a[hreflang]"), 3);
    assert_eq!(
        page.attr("nav#lang-switch a[aria-current]", "hreflang"),
        "ar"
    );
    // And nowhere else than our own paths.
    let away = v.get("/lang/fr?next=%2F%2Fevil.example").await;
    assert_eq!(away.header("location"), "/");
    let none = Visitor::new(&kb).get("/").await;
    assert_eq!(none.attr("html", "lang"), "en");
}

#[tokio::test]
async fn static_assets_are_content_hashed_immutable_and_revalidate_with_304() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let page = v.get("/").await;
    let css = page.attr("link[rel=stylesheet]", "href");
    assert!(
        css.starts_with("/static/app.") && css.ends_with(".css"),
        "{css}"
    );
    let file = v.get(&css).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.header("content-type").starts_with("text/css"));
    assert!(file.header("cache-control").contains("immutable"));
    assert!(file.body.contains("margin-inline"));
    let etag = file.header("etag");
    let again = v
        .request(Method::GET, &css)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let again = v.send(again).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(v.get("/static/app.css").await.status, StatusCode::NOT_FOUND);
}

#[test]
fn the_stylesheet_uses_logical_properties_only() {
    let css = include_str!("../../web/static/app.css");
    for physical in [
        "margin-left",
        "margin-right",
        "padding-left",
        "padding-right",
        "left:",
        "right:",
        "text-align: left",
        "text-align: right",
        "float:",
        "border-left",
        "border-right",
    ] {
        assert!(!css.contains(physical), "app.css uses {physical}");
    }
}

#[tokio::test]
async fn an_unknown_page_is_an_html_404_in_the_visitors_language_and_api_paths_stay_json() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.accept_language = Some("ar");
    let page = v.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.attr("html", "dir"), "rtl");
    assert_eq!(page.attr("#error", "data-status"), "404");
    assert!(!page.header("content-security-policy").is_empty());
    let missing_claim = v.get("/claims/no-such-claim").await;
    assert_eq!(missing_claim.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_claim.attr("#error", "data-status"), "404");
    let api = v.get("/api/v1/nothing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.header("content-type"), "application/problem+json");
    let bad = v.get("/?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text("#form-error").contains("from"));
}

#[tokio::test]
async fn filters_narrow_the_hits_show_facet_counts_and_pages_follow_the_cursor() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let all = v.get("/").await;
    let options: Vec<String> = all
        .all("select#lang option")
        .iter()
        .map(|o| o.text().collect())
        .collect();
    assert!(
        options.iter().any(|o| o.starts_with("Arabic (")),
        "{options:?}"
    );
    let arabic = v.get("/?lang=ar").await;
    let total: u64 = arabic
        .text("#total")
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert!(total > 10);
    assert_eq!(arabic.attr("select#lang option[selected]", "value"), "ar");
    for hit in arabic.all("li[data-testid=hit] .snippet") {
        assert_eq!(hit.value().attr("lang"), Some("ar"));
    }
    // The next page is a shareable URL with the same filters.
    let next = arabic.attr("a#next-page", "href");
    assert!(
        next.contains("lang=ar") && next.contains("cursor="),
        "{next}"
    );
    let page2 = v.get(&next).await;
    assert_eq!(page2.status, StatusCode::OK);
    let first: Vec<String> = arabic
        .all("a.hit-link")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    for a in page2.all("a.hit-link") {
        assert!(!first.contains(&a.value().attr("href").unwrap().to_string()));
    }
    assert_eq!(page2.attr("a#first-page", "href"), "/?lang=ar");
    // A verdict filter keeps only that verdict's badge.
    let verdict = all.attr("select#verdict option:nth-child(2)", "value");
    let narrowed = v.get(&format!("/?verdict={verdict}")).await;
    let class = format!("badge-{verdict}");
    for badge in narrowed.all("li[data-testid=hit] .badge") {
        assert!(badge.value().classes().any(|c| c == class));
    }
}

/// The text and id of the first seed claim in Arabic.
fn arabic_claim(kb: &KnowledgeBase) -> (String, String, Option<String>) {
    let page = kb
        .search(&debunk::index::SearchQuery {
            lang: Some("ar".into()),
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    let c = &page.hits[0].claim;
    (c.id.clone(), c.text.clone(), c.url.clone())
}

#[tokio::test]
async fn a_pasted_paragraph_lists_the_claims_it_repeats_first() {
    let kb = seeded();
    let (id, text, _) = arabic_claim(&kb);
    let paragraph = format!(
        "{text} انتشر هذا الكلام على مواقع التواصل الاجتماعي منذ أيام كثيرة وشاركه الكثير من الناس دون أن يتأكدوا من صحته أو من مصدره الأصلي"
    );
    assert!(paragraph.split_whitespace().count() > 20);
    let page = Visitor::new(&kb)
        .get(&format!("/?q={}", encode(&paragraph)))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let first = page.attr("#matches > li[data-testid=match] a", "href");
    // Seed ids hold only unreserved characters: the link shows them as they are.
    assert_eq!(first, format!("/claims/{id}"));
    assert!(page.count("#matches .band") > 0);
}

#[tokio::test]
async fn a_pasted_url_finds_the_fact_check_that_lists_it() {
    let kb = seeded();
    let (id, _, url) = arabic_claim(&kb);
    let url = url.expect("the seed claim has a review URL");
    let page = Visitor::new(&kb)
        .get(&format!("/?q={}", encode(&url)))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let hrefs: Vec<&str> = page
        .all("#url-results > li[data-testid=url-hit] a.hit-link")
        .iter()
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(hrefs, [format!("/claims/{id}")]);
    let unknown = Visitor::new(&kb)
        .get("/?q=https%3A%2F%2Fnowhere.example%2Fx")
        .await;
    assert_eq!(unknown.count("li[data-testid=url-hit]"), 0);
}

#[tokio::test]
async fn the_claim_page_shows_the_verdict_the_rating_and_its_claimreview() {
    let kb = seeded();
    let (id, text, url) = arabic_claim(&kb);
    let mut v = Visitor::new(&kb);
    let page = v.get(&format!("/claims/{}", encode(&id))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("#claim-text"), text);
    assert_eq!(page.attr("#claim-text", "dir"), "auto");
    assert_eq!(page.count(".facts .badge"), 1);
    assert_eq!(page.attr("a#review-link", "href"), url.unwrap());
    let ld: serde_json::Value = serde_json::from_str(&page.text("script#claimreview")).unwrap();
    assert_eq!(ld["@type"], "ClaimReview");
    assert_eq!(ld["claimReviewed"], text);
    // A visitor sees no editor control.
    assert_eq!(page.count("[data-testid=editor-control]"), 0);
}

#[tokio::test]
async fn claim_text_cannot_break_out_of_the_page_or_its_json_ld() {
    let kb = seeded();
    let evil = "</script><script>alert(1)</script> <b>quoxbold</b> claim";
    let claim = debunk::model::Claim {
        id: "evil".into(),
        text: evil.into(),
        url: Some("javascript:alert(1)".into()),
        ..Default::default()
    };
    // A javascript: address is refused at the door; one without a scheme
    // is stored as given but linked by no page.
    assert!(kb.create_claim(claim.clone()).is_err());
    kb.create_claim(debunk::model::Claim {
        url: Some("www.example.org/evil".into()),
        ..claim
    })
    .unwrap();
    let page = Visitor::new(&kb).get("/claims/evil").await;
    assert_eq!(page.count("script"), 2, "only ours and the JSON-LD");
    assert_eq!(page.count("b"), 0);
    assert_eq!(
        page.count("a#review-link"),
        0,
        "an address that is not http(s) is no link"
    );
    let ld: serde_json::Value = serde_json::from_str(&page.text("script#claimreview")).unwrap();
    assert_eq!(ld["claimReviewed"], evil);
    let search = Visitor::new(&kb).get("/?q=quoxbold").await;
    assert_eq!(search.count("li[data-testid=hit] b"), 0);
    assert!(search.body.contains("&lt;b&gt;"));
}

#[tokio::test]
async fn the_match_page_marks_shared_terms_in_an_arabizi_post_and_in_the_claim() {
    let kb = seeded();
    let page = Visitor::new(&kb)
        .get("/match?text=l9a7+corona+fih+puce+bach+yt7akmo+fina")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let matches = page.all("#match-results > li[data-testid=match]");
    assert!(!matches.is_empty(), "{}", page.body);
    assert!(page.count("#post-marked mark") > 0);
    assert!(page.count("#match-results .claim-marked mark") > 0);
    assert!(page.text("#match-results .score").contains('%'));
    assert_eq!(
        page.text("#post-marked"),
        "l9a7 corona fih puce bach yt7akmo fina"
    );
    // The shared terms listed are the post's own words, never index stems
    // (`ملي` for `مليون`, `l9a7` transliterated).
    let arabic =
        "عاجل: وزارة الصحة العراقية تمنح تعويض 7 مليون لكل شخص أخذ لقاح كورونا، شاركوا الخبر";
    for (post, page) in [
        ("l9a7 corona fih puce bach yt7akmo fina", page),
        (
            arabic,
            Visitor::new(&kb)
                .get(&format!("/match?text={}", encode(arabic)))
                .await,
        ),
    ] {
        let terms: Vec<String> = page
            .all("#match-results .terms .term")
            .iter()
            .map(|t| t.text().collect())
            .collect();
        assert!(!terms.is_empty(), "{}", page.body);
        let words: Vec<&str> = post.split(|c: char| !c.is_alphanumeric()).collect();
        for t in &terms {
            assert!(
                words.contains(&t.as_str()),
                "{t:?} is not a word of {post:?}"
            );
        }
    }
    let empty = Visitor::new(&kb).get("/match").await;
    assert_eq!(empty.count("#match-results"), 0);
    assert_eq!(empty.count("form#match-form textarea#text"), 1);
}

#[tokio::test]
async fn an_editor_signs_in_creates_a_claim_finds_it_and_edits_it() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let before: Vec<String> = v.cookies.keys().cloned().collect();
    assert!(before.is_empty());
    v.sign_in(Role::Editor).await;
    let home = v.get("/").await;
    assert!(home.text("#signed-in").contains("Sara"));
    assert!(home.count("#new-claim-link[data-testid=editor-control]") == 1);
    let form = v.get("/claims/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let token = form.token();
    let created = v
        .post(
            "/claims/new",
            &[
                ("csrf", &token),
                (
                    "text",
                    "Drinking hot water with lemon cures the zorblax flu",
                ),
                ("verdict", "false"),
                ("verdict_text", "Faux"),
                ("publisher", "Test Checkers"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let href = created.header("location");
    let search = v.get("/?q=zorblax").await;
    assert_eq!(search.attr("a.hit-link", "href"), href);
    let claim = v.get(&href).await;
    assert_eq!(claim.text("#rating-text"), "Faux");
    let edit = v.get(&claim.attr("a#edit-claim-link", "href")).await;
    let (token, etag) = (edit.token(), edit.attr("input[name=etag]", "value"));
    let fields = |text: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("etag", etag.clone()),
            ("text", text.to_string()),
            ("verdict", "misleading".to_string()),
        ]
    };
    let pairs = fields("Hot lemon water cures the zorblax flu");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = v.post(&format!("{href}/edit"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = v.get(&href).await;
    assert_eq!(
        shown.text("#claim-text"),
        "Hot lemon water cures the zorblax flu"
    );
    assert!(shown.all(".facts .badge")[0]
        .value()
        .classes()
        .any(|c| c == "badge-misleading"));
    // The same form posted again is stale: refused, shown again, nothing changed.
    let pairs = fields("A third version");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = v.post(&format!("{href}/edit"), &pairs).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.count("#form-error"), 1);
    assert_eq!(
        v.get(&href).await.text("#claim-text"),
        "Hot lemon water cures the zorblax flu"
    );
    // An appearance added from the claim page shows on it.
    let token = shown.attr("form#appearance-form input[name=csrf]", "value");
    let added = v
        .post(
            &format!("{href}/appearances"),
            &[
                ("csrf", &token),
                ("url", "https://x.com/someone/status/1"),
                ("text", "zorblax!"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(v
        .get(&href)
        .await
        .text("#appearances")
        .contains("x.com/someone/status/1"));
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_a_new_id_each_sign_in() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let (_, secret) = kb.store().create_key("Sara", Role::Editor).unwrap();
    let token = v.get("/sign-in").await.token();
    let r = v
        .post("/sign-in", &[("csrf", &token), ("key", &secret)])
        .await;
    let cookie = r.header("set-cookie");
    assert!(cookie.starts_with("dbk_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP gets no Secure cookie"
    );
    let first = v.cookies["dbk_session"].clone();
    let token = v.get("/sign-in").await.token();
    v.post("/sign-in", &[("csrf", &token), ("key", &secret)])
        .await;
    let second = v.cookies["dbk_session"].clone();
    assert_ne!(first, second);
    // The old id is dead.
    let mut old = Visitor::new(&kb);
    old.app = v.app.clone();
    old.cookies.insert("dbk_session".into(), first);
    assert_eq!(old.get("/").await.count("#signed-in"), 0);
    // A next that leaves the site goes home instead.
    let token = v.get("/sign-in").await.token();
    let r = v
        .post(
            "/sign-in",
            &[
                ("csrf", &token),
                ("key", &secret),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.header("location"), "/");
}

#[tokio::test]
async fn a_bad_key_is_refused_and_shows_why() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let token = v.get("/sign-in").await.token();
    let page = v
        .post("/sign-in", &[("csrf", &token), ("key", "dbk_nothing")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.count("#form-error"), 1);
    assert!(!v.cookies.contains_key("dbk_session"));
}

#[tokio::test]
async fn a_post_without_a_valid_token_or_from_another_site_is_refused_and_writes_nothing() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let token = v.get("/claims/new").await.token();
    let before = claims(&kb);
    let fields = |t: &str| {
        vec![
            ("csrf".to_string(), t.to_string()),
            ("text".to_string(), "A zqwxplonk claim".to_string()),
        ]
    };
    for bad in ["", "0000", &"a".repeat(64)] {
        let pairs = fields(bad);
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let page = v.post("/claims/new", &pairs).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "token {bad:?}");
        assert_eq!(page.attr("#error", "data-status"), "403");
    }
    // The right token from another site is refused too.
    let cross = v
        .request(Method::POST, "/claims/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(form(&[
            ("csrf", &token),
            ("text", "A zqwxplonk claim"),
        ])))
        .unwrap();
    assert_eq!(v.send(cross).await.status, StatusCode::FORBIDDEN);
    let foreign = v
        .request(Method::POST, "/claims/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://evil.example")
        .body(Body::from(form(&[
            ("csrf", &token),
            ("text", "A zqwxplonk claim"),
        ])))
        .unwrap();
    assert_eq!(v.send(foreign).await.status, StatusCode::FORBIDDEN);
    assert_eq!(claims(&kb), before);
    assert_eq!(
        Visitor::new(&kb)
            .get("/?q=zqwxplonk")
            .await
            .count("li[data-testid=hit]"),
        0
    );
    // Sign-in itself needs the visitor's token.
    let mut stranger = Visitor::new(&kb);
    let (_, secret) = kb.store().create_key("x", Role::Editor).unwrap();
    let page = stranger
        .post("/sign-in", &[("csrf", "forged"), ("key", &secret)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!stranger.cookies.contains_key("dbk_session"));
}

#[tokio::test]
async fn readers_see_no_editor_controls_and_get_403_on_editor_routes() {
    let kb = seeded();
    let (id, _, _) = arabic_claim(&kb);
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Reader).await;
    let href = format!("/claims/{}", encode(&id));
    for path in ["/", "/match", href.as_str()] {
        let page = v.get(path).await;
        assert_eq!(page.count("#signed-in"), 1, "{path}");
        assert_eq!(page.count("[data-testid=editor-control]"), 0, "{path}");
    }
    for path in ["/claims/new", "/import", &format!("{href}/edit")] {
        assert_eq!(v.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let token = v
        .get("/")
        .await
        .attr("form#sign-out-form input[name=csrf]", "value");
    let before = claims(&kb);
    let page = v
        .post(
            "/claims/new",
            &[("csrf", &token), ("text", "A reader's claim")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(claims(&kb), before);
    // A visitor is sent to sign in first, and back afterwards.
    let visitor = Visitor::new(&kb).get("/claims/new").await;
    assert_eq!(visitor.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.header("location"), "/sign-in?next=%2Fclaims%2Fnew");
}

#[tokio::test]
async fn revoking_the_key_ends_its_session_and_signing_out_ends_it_too() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    let key = v.sign_in(Role::Editor).await;
    assert_eq!(v.get("/").await.count("#signed-in"), 1);
    assert!(kb.store().revoke_key(&key).unwrap());
    let page = v.get("/").await;
    assert_eq!(page.count("#signed-in"), 0);
    assert_eq!(page.count("[data-testid=editor-control]"), 0);
    assert_eq!(v.get("/claims/new").await.status, StatusCode::SEE_OTHER);

    let mut w = Visitor::new(&kb);
    w.sign_in(Role::Editor).await;
    let token = w
        .get("/")
        .await
        .attr("form#sign-out-form input[name=csrf]", "value");
    let out = w.post("/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!w.cookies.contains_key("dbk_session"));
    assert_eq!(w.get("/").await.count("#signed-in"), 0);
}

#[tokio::test]
async fn an_editor_imports_a_file_and_sees_the_report() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let token = v.get("/import").await.token();
    let file = concat!(
        "{\"id\":\"imp-1\",\"text\":\"The moon is made of quorzite cheese\",\"verdict\":\"false\"}\n",
        "not json\n",
        "{\"id\":\"imp-2\",\"text\":\"Quorzite rains on Tuesdays\"}\n",
    );
    let boundary = "XyZzY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"claims.jsonl\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let upload = |v: &Visitor, token_body: String| {
        v.request(Method::POST, "/import")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(token_body))
            .unwrap()
    };
    let forged = upload(&v, body.replace(&token, &"b".repeat(64)));
    let before = claims(&kb);
    assert_eq!(v.send(forged).await.status, StatusCode::FORBIDDEN);
    assert_eq!(claims(&kb), before);
    // A format the form does not offer is refused, not guessed.
    let odd = v
        .send(upload(
            &v,
            body.replace("\r\n\r\nauto\r\n", "\r\n\r\nxml\r\n"),
        ))
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST, "{}", odd.body);
    assert!(odd.text("#form-error").contains("unknown format"));
    let no_file = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--{boundary}--\r\n"
    );
    let none = v.send(upload(&v, no_file)).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.body);
    assert!(none.text("#form-error").contains("no file"));
    assert_eq!(claims(&kb), before);
    let page = v.send(upload(&v, body)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("#imported"), "2");
    assert_eq!(page.text("#skipped"), "1");
    assert!(page.text("#import-errors").contains('2'));
    assert_eq!(claims(&kb), before + 2);
    assert_eq!(v.get("/?q=quorzite").await.count("li[data-testid=hit]"), 2);
}

#[tokio::test]
async fn a_private_server_shows_its_pages_only_to_a_signed_in_key() {
    let kb = seeded();
    let (id, _, _) = arabic_claim(&kb);
    let mut v = Visitor::new(&kb);
    v.app = site(
        kb.clone(),
        ServeOptions {
            private: true,
            ..ServeOptions::default()
        },
    );
    let claim = format!("/claims/{id}");
    for path in ["/", "/match?text=x", claim.as_str()] {
        let page = v.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let to = page.header("location");
        assert!(to.starts_with("/sign-in?next=%2F"), "{path}: {to}");
        assert!(!page.body.contains(&id), "{path} leaked the claim");
    }
    assert_eq!(v.get("/sign-in").await.status, StatusCode::OK);
    v.sign_in(Role::Reader).await;
    let page = v.get(&claim).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("#signed-in"), 1);
}

// ---- moderation pages ----

/// A seed fact-check (Fatabyyano): a 2019 video passed off as the 2024
/// floods in Tata, Morocco.
const TATA: &str = "cr-75b189a0a5defab5";

/// Darija posts (written for these tests) repeating the Tata claim.
const TATA_POSTS: [&str; 3] = [
    "فيضانات خايبة ضربات إقليم طاطا والناس كيغرقو على المباشر والسلطات ما دارت والو، شوفو الفيديو قبل ما يتحيد",
    "عاجل فيضانات ضربات إقليم طاطا والساكنة كتغرق على المباشر والسلطات غايبة، شاركو الفيديو",
    "طاطا غارقة: فيضانات في الإقليم والناس كيغرقو على المباشر بلا حتى تدخل من السلطات",
];

/// Receives a post through the facade; returns its links to `claim`.
fn receive(kb: &KnowledgeBase, text: &str, platform: &str, day: &str, claim: &str) -> Vec<i64> {
    let post = debunk::store::NewPost {
        text: text.into(),
        platform: Some(platform.into()),
        posted_at: Some(format!("{day}T09:00:00Z")),
        ..Default::default()
    };
    kb.ingest_post(post, "test")
        .unwrap()
        .links
        .iter()
        .filter(|l| l.claim_id == claim)
        .map(|l| l.id)
        .collect()
}

#[tokio::test]
async fn the_review_queue_needs_a_sign_in_and_shows_readers_no_decision_controls() {
    let kb = seeded();
    let links = receive(&kb, TATA_POSTS[0], "tiktok", "2024-09-08", TATA);
    assert_eq!(links.len(), 1, "the post repeats the Tata claim");
    let mut visitor = Visitor::new(&kb);
    let away = visitor.get("/review").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert!(away.header("location").starts_with("/sign-in?next="));
    let mut reader = Visitor::new(&kb);
    reader.sign_in(Role::Reader).await;
    let page = reader.get("/review").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.count("li[data-testid=review-card]"), 1);
    assert_eq!(page.count("[data-testid=editor-control]"), 0);
    assert_eq!(page.text("#review-waiting"), "1");
    // The card: the post with its shared words marked (its own words), the
    // claim with its badge and fact-checker, the spread of the post.
    assert!(page.count(".post-marked mark") > 0);
    let terms: Vec<String> = page
        .all(".terms .term")
        .iter()
        .map(|t| t.text().collect())
        .collect();
    assert!(!terms.is_empty());
    for t in &terms {
        assert!(
            TATA_POSTS[0].contains(t.as_str()),
            "{t:?} is not the post's"
        );
    }
    assert_eq!(page.count(".review-claim .badge"), 1);
    assert!(page.text(".review-claim .publisher").contains("فتبينوا"));
    assert!(page.text(".platforms").contains("tiktok"));
    let bad = reader.get("/review?sort=loudest").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.count("#form-error") == 1);
}

#[tokio::test]
async fn an_editor_confirms_from_the_queue_and_a_second_decision_shows_the_conflict() {
    let kb = seeded();
    let link = receive(&kb, TATA_POSTS[0], "tiktok", "2024-09-08", TATA)[0];
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let queue = v.get("/review?sort=most_seen").await;
    let card = format!("#card-{link} form.decide-form");
    assert_eq!(queue.count(&card), 1, "{}", queue.body);
    let token = queue.token();
    let version = queue.attr(&format!("{card} input[name=version]"), "value");
    let back = queue.attr(&format!("{card} input[name=back]"), "value");
    assert_eq!(back, "sort=most_seen");
    let fields = [
        ("csrf", token.as_str()),
        ("link", &link.to_string()),
        ("version", version.as_str()),
        ("back", back.as_str()),
        ("note", "same flood video"),
        ("action", "confirm"),
    ];
    let done = v.post("/review/decide", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        done.header("location"),
        "/review?done=confirmed&n=1&sort=most_seen"
    );
    let stored = kb.get_link(link).unwrap();
    assert_eq!(stored.decided_by.as_deref(), Some("Sara"));
    assert_eq!(stored.note.as_deref(), Some("same flood video"));
    let after = v.get(&done.header("location")).await;
    assert!(!after.text("#review-status").is_empty());
    assert_eq!(after.count("li[data-testid=review-card]"), 0);
    // A second decision on the decided link: the queue again, with why.
    let mut fields = fields;
    fields[5] = ("action", "reject");
    let again = v.post("/review/decide", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.count("#review-conflict"), 1);
    assert_eq!(kb.get_link(link).unwrap().status.as_str(), "confirmed");
    // The claim page lists the confirmed post and the link's history.
    let claim = v.get(&format!("/claims/{TATA}")).await;
    assert_eq!(claim.count("li[data-testid=confirmed-post]"), 1);
    assert!(claim.count("#history li[data-testid=history-row]") >= 1);
    let confirmed = v.get("/review?status=confirmed").await;
    let history = format!("#history-{link} li[data-testid=history-row]");
    assert!(confirmed.count(&history) >= 2, "{}", confirmed.body);
}

#[tokio::test]
async fn none_of_these_and_a_bulk_rejection_decide_every_link_they_name() {
    let kb = seeded();
    let first = receive(&kb, TATA_POSTS[0], "tiktok", "2024-09-08", TATA)[0];
    let second = receive(&kb, TATA_POSTS[1], "facebook", "2024-09-09", TATA)[0];
    let third = receive(&kb, TATA_POSTS[2], "x", "2024-09-09", TATA)[0];
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let queue = v.get("/review").await;
    let token = queue.token();
    let post = kb.get_link(first).unwrap().post_id.to_string();
    let none = v
        .post(
            "/review/decide",
            &[("csrf", &token), ("action", "none"), ("post", &post)],
        )
        .await;
    assert_eq!(none.status, StatusCode::SEE_OTHER, "{}", none.body);
    assert_eq!(kb.get_link(first).unwrap().status.as_str(), "rejected");
    let (a, b) = (second.to_string(), third.to_string());
    let bulk = v
        .post(
            "/review/decide",
            &[
                ("csrf", &token),
                ("action", "reject-selected"),
                ("pick", &a),
                ("pick", &b),
            ],
        )
        .await;
    assert_eq!(bulk.status, StatusCode::SEE_OTHER, "{}", bulk.body);
    for link in [second, third] {
        let l = kb.get_link(link).unwrap();
        assert_eq!(l.status.as_str(), "rejected");
        assert_eq!(l.decided_by.as_deref(), Some("Sara"));
    }
}

#[tokio::test]
async fn the_settings_form_is_for_admins_and_refuses_suggest_above_confirm() {
    let kb = seeded();
    let mut editor = Visitor::new(&kb);
    editor.sign_in(Role::Editor).await;
    let page = editor.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("form#settings-form"), 0);
    assert_eq!(page.text("#confirm-value"), "Off");
    let token = page.token();
    let refused = editor
        .post(
            "/settings",
            &[("csrf", &token), ("suggest_at", "0.5"), ("confirm_at", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut admin = Visitor::new(&kb);
    admin.sign_in(Role::Admin).await;
    let page = admin.get("/settings").await;
    let token = page.token();
    let inverted = admin
        .post(
            "/settings",
            &[
                ("csrf", &token),
                ("suggest_at", "0.9"),
                ("confirm_at", "0.5"),
            ],
        )
        .await;
    assert_eq!(inverted.status, StatusCode::BAD_REQUEST);
    assert!(inverted.text("#form-error").contains("confirm_at"));
    assert_eq!(inverted.attr("#suggest_at", "value"), "0.9");
    assert_eq!(kb.settings().unwrap(), debunk::kb::Settings::default());
    assert_eq!(page.attr("#suggest_at", "value"), "0.3");
    let saved = admin
        .post(
            "/settings",
            &[
                ("csrf", &token),
                ("suggest_at", "0.4"),
                ("confirm_at", "0.97"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(kb.settings().unwrap().confirm_at, Some(0.97));
    assert_eq!(
        kb.audit_log(Some("settings"), None).unwrap()[0].actor,
        "Sara"
    );
}

#[tokio::test]
async fn a_narrative_page_shows_its_claims_and_one_timeline_bar_per_day_with_posts() {
    let kb = seeded();
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let form = v.get("/narratives/new").await;
    let token = form.token();
    let made = v
        .post(
            "/narratives/new",
            &[
                ("csrf", &token),
                ("title", "Tata floods: old videos as new"),
                ("event_date", "2024-09-07"),
                ("event_end", "2024-09-10"),
                ("place", "Tata, Morocco"),
                ("status", "active"),
                ("claims", TATA),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let href = made.header("location");
    receive(&kb, TATA_POSTS[0], "tiktok", "2024-09-08", TATA);
    receive(&kb, TATA_POSTS[1], "facebook", "2024-09-08", TATA);
    receive(&kb, TATA_POSTS[2], "tiktok", "2024-09-10", TATA);
    let page = Visitor::new(&kb).get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("li[data-testid=narrative-claim]"), 1);
    assert_eq!(page.count("li[data-testid=narrative-post]"), 3);
    assert_eq!(
        page.count("svg#timeline-chart g[data-testid=timeline-day]"),
        2
    );
    assert_eq!(page.count("svg#timeline-chart g.day rect"), 3);
    assert!(page.text("svg#timeline-chart desc").contains("2024-09-08"));
    assert_eq!(page.count("#timeline-table tbody tr"), 2);
    assert_eq!(page.count("[data-testid=editor-control]"), 0);
    let list = v.get("/narratives").await;
    assert_eq!(list.count("tr[data-testid=narrative-row]"), 1);
    assert_eq!(
        list.all("tr[data-testid=narrative-row] td.num")[1]
            .text()
            .collect::<String>(),
        "3"
    );
    // A bad form shows why; editing and removing the claim go through.
    let bad = v
        .post(
            &format!("{href}/edit"),
            &[("csrf", &token), ("title", "x"), ("claims", "no-such")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.count("#form-error"), 1);
    let removed = v
        .post(
            &format!("{href}/claims"),
            &[("csrf", &token), ("remove", TATA)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(kb.get_claim(TATA).unwrap().narrative.is_none());
    let page = v.get(&href).await;
    assert!(page.count("#history li[data-testid=history-row]") >= 2);
    let gone = v.post(&format!("{href}/delete"), &[("csrf", &token)]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(v.get(&href).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_rating_shows_beside_the_badge_only_when_it_says_more() {
    let kb = seeded();
    for (id, rating) in [("r-same", "False"), ("r-more", "Pants on fire")] {
        let claim = debunk::model::Claim {
            id: id.into(),
            text: format!("The zorblax rating test claim {id}"),
            verdict: Some(debunk::verdict::Verdict::False),
            verdict_text: Some(rating.into()),
            ..Default::default()
        };
        kb.create_claim(claim).unwrap();
    }
    let mut v = Visitor::new(&kb);
    assert_eq!(v.get("/claims/r-same").await.count("#rating-text"), 0);
    assert_eq!(
        v.get("/claims/r-more").await.text("#rating-text"),
        "Pants on fire"
    );
    let search = v.get("/?q=zorblax").await;
    let ratings: Vec<String> = search
        .all("li[data-testid=hit] .rating")
        .iter()
        .map(|r| r.text().collect())
        .collect();
    assert_eq!(ratings, ["Pants on fire"]);
}

#[tokio::test]
async fn an_editor_sends_a_pasted_post_to_the_review_queue_from_the_match_page() {
    let kb = seeded();
    let mut reader = Visitor::new(&kb);
    reader.sign_in(Role::Reader).await;
    let path = format!("/match?text={}", encode(TATA_POSTS[1]));
    let seen = reader.get(&path).await;
    assert_eq!(seen.count("form#queue-post-form"), 0, "readers get no form");
    let mut v = Visitor::new(&kb);
    v.sign_in(Role::Editor).await;
    let page = v.get(&path).await;
    assert_eq!(page.count("form#queue-post-form"), 1, "{}", page.body);
    let token = page.token();
    let text = page.attr("form#queue-post-form input[name=text]", "value");
    assert_eq!(text, TATA_POSTS[1]);
    let fields = [
        ("csrf", token.as_str()),
        ("text", text.as_str()),
        ("url", "https://www.tiktok.com/@x/video/77"),
        ("platform", "tiktok"),
        ("author", "@x"),
    ];
    // Without the token nothing is received.
    let forged = v.post("/posts", &fields[1..]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(kb.review(&Default::default()).unwrap().is_empty());
    let sent = v.post("/posts", &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let to = sent.header("location");
    assert!(to.starts_with("/review?sort=newest&done=queued&n="), "{to}");
    let queue = v.get(&to).await;
    assert!(!queue.text("#review-status").is_empty(), "{}", queue.body);
    let items = kb.review(&Default::default()).unwrap();
    assert!(
        items
            .iter()
            .any(|i| i.claim.as_ref().is_some_and(|c| c.id == TATA)),
        "{items:?}"
    );
    assert_eq!(items[0].post.author.as_deref(), Some("@x"));
    // Sent again, it is the same post, seen twice.
    v.post("/posts", &fields).await;
    let again = kb.review(&Default::default()).unwrap();
    assert_eq!(again[0].post.id, items[0].post.id);
    assert_eq!(again[0].post.seen, 2);
}

#[tokio::test]
async fn the_search_page_keeps_to_one_narrative_when_asked() {
    let kb = seeded();
    let input = debunk::kb::NarrativeInput {
        title: "Tata floods: old videos as new".into(),
        description: None,
        event_date: None,
        event_end: None,
        place: None,
        status: None,
        claims: vec![TATA.into()],
    };
    let made = kb.create_narrative(input, "test").unwrap();
    let id = made.narrative.id;
    let mut v = Visitor::new(&kb);
    let all = v.get("/").await;
    let option = format!("select#narrative option[value=\"{id}\"]");
    assert_eq!(all.count(&option), 1, "{}", all.body);
    assert!(all.count("ol#results > li[data-testid=hit]") > 1);
    let page = v.get(&format!("/?narrative={id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("ol#results > li[data-testid=hit]"), 1);
    assert!(page.attr("ol#results a.hit-link", "href").ends_with(TATA));
    // The narrative's page leads there.
    let narrative = v.get(&format!("/narratives/{id}")).await;
    assert_eq!(
        narrative.attr("a#search-narrative-link", "href"),
        format!("/?narrative={id}")
    );
}
