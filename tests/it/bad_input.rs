//! Several hundred malformed requests of every class against a real server:
//! each is refused with a 4xx (problem+json on the API, an HTML error page
//! on page routes, a bare 4xx where the HTTP layer refuses before any route),
//! never a 5xx, and the data is the same afterwards.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::*;

/// What a refused request must look like.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Face {
    /// A 4xx `application/problem+json` that the spec documents.
    Problem,
    /// A 4xx HTML error page.
    Page,
    /// A 4xx from the HTTP layer itself, before any route: no body promised.
    Protocol,
    /// A 200 NDJSON stream whose every line reports its bad input line.
    StreamErrors,
}

struct Case {
    name: String,
    /// The raw request head and body, exactly as sent.
    raw: Vec<u8>,
    face: Face,
    /// Method and path, for the spec check of problem replies.
    method: String,
    path: String,
}

struct Reply {
    status: u16,
    content_type: String,
    head: String,
    body: Vec<u8>,
}

/// Sends raw bytes and reads the reply. A server may answer before the body
/// is all sent (a 413 on a 10 MB body) and close: write errors are ignored,
/// the reply is what counts.
fn send_raw(addr: &str, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    // No half-close after the request: hyper drops a connection whose
    // client has shut its side before the reply is written.
    let _ = s.write_all(raw);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    let Some(split) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Reply {
            status: 0,
            content_type: String::new(),
            head: String::new(),
            body: got,
        };
    };
    let head = String::from_utf8_lossy(&got[..split]).into_owned();
    let mut body = got[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let lower = head.to_ascii_lowercase();
    let content_type = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    if lower.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    Reply {
        status,
        content_type,
        head,
        body,
    }
}

fn unchunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(at) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..at]).unwrap().trim();
        let n = usize::from_str_radix(size, 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&body[at + 2..at + 2 + n]);
        body = &body[at + 4 + n..];
    }
    out
}

/// A request with a Content-Length body, `Connection: close`.
fn raw_request(method: &str, target: &[u8], headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    raw.extend_from_slice(method.as_bytes());
    raw.push(b' ');
    raw.extend_from_slice(target);
    raw.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.extend_from_slice(k.as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(v);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    raw.extend_from_slice(body);
    raw
}

/// The cases, built around the keys and ids of the running server.
struct Corpus {
    editor: String,
    admin: String,
    session: String,
    csrf: String,
    cases: Vec<Case>,
}

impl Corpus {
    fn add(
        &mut self,
        name: String,
        method: &str,
        target: &[u8],
        headers: &[(&str, &[u8])],
        body: &[u8],
        face: Face,
    ) {
        let path = String::from_utf8_lossy(target).into_owned();
        self.cases.push(Case {
            name,
            raw: raw_request(method, target, headers, body),
            face,
            method: method.into(),
            path,
        });
    }

    /// A JSON route sent `body` with an editor's (or admin's) key.
    fn json(&mut self, what: &str, method: &str, path: &str, body: &[u8], admin: bool) {
        let auth = format!("Bearer {}", if admin { &self.admin } else { &self.editor });
        self.add(
            format!("{what}: {method} {path}"),
            method,
            path.as_bytes(),
            &[
                ("Authorization", auth.as_bytes()),
                ("Content-Type", b"application/json"),
            ],
            body,
            Face::Problem,
        );
    }

    /// A form post on a page route from a signed-in editor's browser.
    fn form(&mut self, what: &str, path: &str, content_type: &[u8], body: &[u8]) {
        let cookie = format!("dbk_session={}", self.session);
        self.add(
            format!("{what}: POST {path}"),
            "POST",
            path.as_bytes(),
            &[
                ("Cookie", cookie.as_bytes()),
                ("Content-Type", content_type),
                ("Sec-Fetch-Site", b"same-origin"),
                ("Origin", b"http://127.0.0.1"),
            ],
            body,
            Face::Page,
        );
    }
}

/// JSON routes that take a body, and whether they need the admin key.
const JSON_ROUTES: &[(&str, &str, bool)] = &[
    ("POST", "/api/v1/claims", false),
    ("PUT", "/api/v1/claims/bad-input-1", false),
    ("PATCH", "/api/v1/claims/bad-input-1", false),
    ("POST", "/api/v1/claims/bad-input-1/appearances", false),
    ("POST", "/api/v1/match", false),
    ("POST", "/api/v1/posts", false),
    ("POST", "/api/v1/links/decide", false),
    ("POST", "/api/v1/narratives", false),
    ("PUT", "/api/v1/settings", true),
    ("POST", "/api/v1/keys", true),
];

/// Bodies that are not JSON at all.
const NOT_JSON: &[&[u8]] = &[
    b"",
    b"{",
    b"{\"text\":",
    b"{\"text\": \"a\",}",
    b"{'text': 'a'}",
    b"nul",
    b"[1, 2",
    b"{} trailing",
    b"{\"text\": NaN}",
    b"{\"text\": \"\\ud800\"}",
    b"{\"text\": \"\\x41\"}",
    b"\xef\xbb\xbf{\"text\": \"bom\"}",
    b"\xff\xfe{\x00\"\x00",
    b"{\"text\": \"caf\xe9\"}",
    b"{\"text\": \"a\x00b\"",
    b"\x00\x00\x00\x00",
    b"<claim><text>a</text></claim>",
];

/// JSON of the wrong shape or types for every JSON route.
const WRONG_TYPES: &[&str] = &[
    "null",
    "[]",
    "\"text\"",
    "42",
    "true",
    "{\"text\": 1}",
    "{\"text\": [\"a\"]}",
    "{\"text\": {\"a\": 1}}",
    "{\"text\": null, \"lang\": 7}",
];

/// Known fields of the wrong type for one route (claims take unknown
/// fields and leave them, so only known ones can be wrong there).
fn route_wrong_types(method: &str, path: &str) -> &'static [&'static str] {
    match (method, path) {
        (_, "/api/v1/claims" | "/api/v1/claims/bad-input-1") if method != "PATCH" => &[
            "{\"text\": \"ok\", \"tags\": \"not-a-list\"}",
            "{\"text\": \"ok\", \"verdict\": 5}",
            "{\"text\": \"ok\", \"claim_date\": {\"y\": 2020}}",
            "{\"text\": \"ok\", \"appearances\": \"x\"}",
        ],
        ("PATCH", _) => &[
            "{\"text\": 5}",
            "{\"verdict\": []}",
            "{\"tags\": {\"a\": 1}}",
        ],
        (_, "/api/v1/match") => &[
            "{\"text\": \"ok\", \"top\": \"ten\"}",
            "{\"text\": \"ok\", \"top\": -1}",
            "{\"text\": \"ok\", \"no_such_field\": 1}",
            "{\"text\": \"ok\", \"posted_at\": \"last tuesday\"}",
            "{\"text\": \"ok\", \"posted_at\": 20150923}",
        ],
        (_, "/api/v1/posts") => &[
            "{\"text\": \"ok\", \"no_such_field\": 1}",
            "{\"text\": \"ok\", \"url\": 5}",
            "{\"text\": \"ok\", \"posted_at\": \"31/12/2024\"}",
        ],
        (_, "/api/v1/links/decide") => &[
            "{\"ids\": \"1\", \"decision\": 3}",
            "{\"ids\": [\"a\"], \"status\": \"confirmed\"}",
        ],
        (_, "/api/v1/keys") => &["{\"role\": \"emperor\", \"name\": 1}", "{\"role\": 3}"],
        (_, "/api/v1/settings") => &["{\"suggest_at\": \"high\"}", "{\"confirm_at\": []}"],
        (_, "/api/v1/narratives") => &["{\"title\": 5}", "{\"title\": \"x\", \"claims\": \"x\"}"],
        _ => &[],
    }
}

fn deep(n: usize) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"{\"text\": ");
    v.extend(std::iter::repeat_n(b'[', n));
    v.extend(std::iter::repeat_n(b']', n));
    v.push(b'}');
    v
}

fn api_body_cases(c: &mut Corpus) {
    for &(method, path, admin) in JSON_ROUTES {
        for (i, body) in NOT_JSON.iter().enumerate() {
            c.json(&format!("not JSON #{i}"), method, path, body, admin);
        }
        for (i, body) in WRONG_TYPES.iter().enumerate() {
            c.json(
                &format!("wrong types #{i}"),
                method,
                path,
                body.as_bytes(),
                admin,
            );
        }
        for (i, body) in route_wrong_types(method, path).iter().enumerate() {
            c.json(
                &format!("wrong field types #{i}"),
                method,
                path,
                body.as_bytes(),
                admin,
            );
        }
        c.json("deep nesting", method, path, &deep(100_000), admin);
        c.json(
            "deep objects",
            method,
            path,
            "{\"a\":".repeat(50_000).as_bytes(),
            admin,
        );
        // Over the JSON body limit: a 413, whatever the field.
        let huge = format!("{{\"text\": \"{}\"}}", "x".repeat(300 * 1024));
        c.json("huge field", method, path, huge.as_bytes(), admin);
        let ten_mb = vec![b'a'; 10 << 20];
        c.json("10 MB body", method, path, &ten_mb, admin);
        for ct in [
            &b"text/plain"[..],
            b"application/x-www-form-urlencoded",
            b"multipart/form-data; boundary=x",
            b"application/json; charset=latin1-nope",
            b"\xff\xfe",
            b"",
        ] {
            let auth = format!("Bearer {}", if admin { &c.admin } else { &c.editor });
            c.add(
                format!(
                    "content type {:?}: {method} {path}",
                    String::from_utf8_lossy(ct)
                ),
                method,
                path.as_bytes(),
                &[("Authorization", auth.as_bytes()), ("Content-Type", ct)],
                b"text=hello",
                Face::Problem,
            );
        }
    }
    // Strings too long for a field whose limit is under the body limit.
    let long = format!("{{\"text\": \"{}\"}}", "word ".repeat(2_000));
    c.json(
        "text over 5,000 characters",
        "POST",
        "/api/v1/match",
        long.as_bytes(),
        false,
    );
    c.json(
        "text over 5,000 characters",
        "POST",
        "/api/v1/posts",
        long.as_bytes(),
        false,
    );
    for field in ["id", "text", "lang", "verdict", "url", "publisher"] {
        let body = format!("{{\"id\": \"ok\", \"text\": \"ok\", \"{field}\": \"a\\u0000b\\r\\nc\", \"no_such_field\": {}}}", "[".repeat(3000));
        c.json(
            &format!("NUL in {field}, broken JSON"),
            "POST",
            "/api/v1/claims",
            body.as_bytes(),
            false,
        );
    }
    for url in [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
    ] {
        let body = format!("{{\"id\": \"linked\", \"text\": \"ok\", \"url\": \"{url}\"}}");
        c.json(
            &format!("claim url {url}"),
            "POST",
            "/api/v1/claims",
            body.as_bytes(),
            false,
        );
        let body = format!(
            "{{\"id\": \"linked\", \"text\": \"ok\", \"appearances\": [{{\"url\": \"{url}\"}}]}}"
        );
        c.json(
            &format!("appearance url {url}"),
            "POST",
            "/api/v1/claims",
            body.as_bytes(),
            false,
        );
    }
    c.json(
        "NUL in an id",
        "POST",
        "/api/v1/claims",
        b"{\"id\": \"a\\u0000b\", \"text\": \"ok\"}",
        false,
    );
    c.json(
        "newline in an id",
        "POST",
        "/api/v1/claims",
        b"{\"id\": \"a\\nb\", \"text\": \"ok\"}",
        false,
    );
    c.json(
        "empty text",
        "POST",
        "/api/v1/claims",
        b"{\"text\": \"\"}",
        false,
    );
    c.json(
        "blank text",
        "POST",
        "/api/v1/claims",
        b"{\"text\": \"   \\t\\n\"}",
        false,
    );
    c.json(
        "control characters only",
        "POST",
        "/api/v1/claims",
        b"{\"text\": \"\\u0001\\u0002\\u0000\"}",
        false,
    );
    c.json(
        "unknown verdict",
        "POST",
        "/api/v1/claims",
        b"{\"text\": \"ok\", \"verdict\": \"purple\"}",
        false,
    );
    c.json(
        "bad post url",
        "POST",
        "/api/v1/posts",
        b"{\"text\": \"ok\", \"url\": \"::::\"}",
        false,
    );
    c.json(
        "top too big",
        "POST",
        "/api/v1/match",
        b"{\"text\": \"ok\", \"top\": 100000}",
        false,
    );
    c.json(
        "empty post",
        "POST",
        "/api/v1/posts",
        b"{\"text\": \"\"}",
        false,
    );
    c.json(
        "decide nothing",
        "POST",
        "/api/v1/links/decide",
        b"{}",
        false,
    );
    c.json(
        "unknown role",
        "POST",
        "/api/v1/keys",
        b"{\"role\": \"emperor\", \"name\": \"x\"}",
        true,
    );
    c.json(
        "settings out of range",
        "PUT",
        "/api/v1/settings",
        b"{\"suggest\": 7, \"confirm\": -2}",
        true,
    );
    c.json(
        "narrative without title",
        "POST",
        "/api/v1/narratives",
        b"{\"claim_ids\": [\"nope\"]}",
        false,
    );
    c.json(
        "narrative over unknown claims",
        "POST",
        "/api/v1/narratives",
        b"{\"title\": \"x\", \"claim_ids\": [\"no-such-claim\"]}",
        false,
    );
    c.json(
        "patch an unknown narrative",
        "PATCH",
        "/api/v1/narratives/999999",
        b"{\"title\": \"x\"}",
        false,
    );
    c.json(
        "confirm an unknown link",
        "POST",
        "/api/v1/links/999999/confirm",
        b"{}",
        false,
    );
    c.json(
        "reject an unknown link",
        "POST",
        "/api/v1/links/999999/reject",
        b"{\"note\": 5}",
        false,
    );
    c.json(
        "reject-all an unknown post",
        "POST",
        "/api/v1/posts/999999/reject-all",
        b"{}",
        false,
    );
    c.json(
        "patch with a stale version",
        "PATCH",
        "/api/v1/claims/seed-does-not-exist",
        b"{\"text\": \"x\"}",
        false,
    );
}

/// Bad NDJSON: strict imports refuse the whole body; the streamed routes
/// answer 200 and report each bad line in its place.
fn ndjson_cases(c: &mut Corpus) {
    let lines: &[&[u8]] = &[
        b"{",
        b"not json at all",
        b"[1,2,3]",
        b"{\"text\": 5}",
        b"{\"id\": \"a\\u0000b\", \"text\": \"nul id\"}",
        b"{\"text\": \"\"}",
        b"{\"text\": \"caf\xe9\"}",
        b"\xff\xff\xff",
        b"{\"text\": \"x\", \"lang\": []}",
        b"null",
    ];
    let auth = format!("Bearer {}", c.editor);
    for (i, line) in lines.iter().enumerate() {
        let mut body = line.to_vec();
        body.push(b'\n');
        let mut with_good =
            b"{\"id\": \"bad-input-never\", \"text\": \"a good line before a bad one\"}\n".to_vec();
        with_good.extend_from_slice(&body);
        for (what, body) in [("bad line", &body), ("good then bad line", &with_good)] {
            c.add(
                format!("strict import, {what} #{i}"),
                "POST",
                b"/api/v1/import?strict=true&format=jsonl",
                &[
                    ("Authorization", auth.as_bytes()),
                    ("Content-Type", b"application/x-ndjson"),
                ],
                body,
                Face::Problem,
            );
        }
        if i == 4 {
            // A NUL is bad in a claim's id, not in a post's echoed one.
            continue;
        }
        c.add(
            format!("match batch, bad line #{i}"),
            "POST",
            b"/api/v1/match/batch",
            &[
                ("Authorization", auth.as_bytes()),
                ("Content-Type", b"application/x-ndjson"),
            ],
            &body,
            Face::StreamErrors,
        );
        c.add(
            format!("posts batch, bad line #{i}"),
            "POST",
            b"/api/v1/posts/batch",
            &[
                ("Authorization", auth.as_bytes()),
                ("Content-Type", b"application/x-ndjson"),
            ],
            &body,
            Face::StreamErrors,
        );
    }
    let long_line = format!("{{\"text\": \"{}\"}}\n", "y".repeat(2 << 20));
    c.add(
        "strict import, a line over 1 MiB".into(),
        "POST",
        b"/api/v1/import?strict=true&format=jsonl",
        &[
            ("Authorization", auth.as_bytes()),
            ("Content-Type", b"application/x-ndjson"),
        ],
        long_line.as_bytes(),
        Face::Problem,
    );
    for (target, what) in [
        (
            &b"/api/v1/import?strict=true&format=claimreview"[..],
            "ClaimReview that is not",
        ),
        (
            b"/api/v1/import?strict=true&format=factcheck-api",
            "a Fact Check API body that is not",
        ),
        (b"/api/v1/import?format=xml", "an unknown format"),
        (
            b"/api/v1/import?strict=maybe",
            "a strict that is no boolean",
        ),
    ] {
        c.add(
            format!("import, {what}"),
            "POST",
            target,
            &[
                ("Authorization", auth.as_bytes()),
                ("Content-Type", b"application/json"),
            ],
            b"{\"claims\": 5, \"@type\": [\"ClaimReview\"], \"claimReviewed\": {}}",
            Face::Problem,
        );
    }
    for target in [
        &b"/api/v1/import"[..],
        b"/api/v1/match/batch",
        b"/api/v1/posts/batch",
    ] {
        c.add(
            format!(
                "NDJSON route, wrong content type: {}",
                String::from_utf8_lossy(target)
            ),
            "POST",
            target,
            &[
                ("Authorization", auth.as_bytes()),
                ("Content-Type", b"text/csv"),
            ],
            b"a,b\n1,2\n",
            Face::Problem,
        );
    }
}

/// Odd query strings and path tricks on read routes, with no key.
fn query_and_path_cases(c: &mut Corpus) {
    let long_q = format!("/api/v1/claims?q={}", "a".repeat(6_000));
    let queries: Vec<Vec<u8>> = vec![
        b"/api/v1/claims?limit=-1".to_vec(),
        b"/api/v1/claims?limit=abc".to_vec(),
        b"/api/v1/claims?limit=99999999999999999999999".to_vec(),
        b"/api/v1/claims?limit=1000".to_vec(),
        b"/api/v1/claims?cursor=garbage".to_vec(),
        b"/api/v1/claims?cursor=%FF%FE".to_vec(),
        b"/api/v1/claims?cursor=eyJ4IjoxfQ".to_vec(),
        b"/api/v1/claims?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_vec(),
        b"/api/v1/claims?verdict=purple".to_vec(),
        b"/api/v1/claims?from=2020-13-45".to_vec(),
        b"/api/v1/claims?to=yesterday".to_vec(),
        b"/api/v1/claims?from=2021-01-01&to=2020-01-01&from=x".to_vec(),
        b"/api/v1/claims?sort=sideways".to_vec(),
        b"/api/v1/claims?limit=1&limit=2".to_vec(),
        long_q.into_bytes(),
        b"/api/v1/links?status=maybe".to_vec(),
        b"/api/v1/links?post=abc".to_vec(),
        b"/api/v1/review?limit=-5".to_vec(),
        b"/api/v1/export?format=pdf".to_vec(),
        b"/api/v1/claims/%FF%FE/appearances".to_vec(),
        b"/api/v1/posts/abc".to_vec(),
        b"/api/v1/posts/-1".to_vec(),
        b"/api/v1/posts/99999999999999999999999".to_vec(),
        b"/api/v1/links/1.5".to_vec(),
        b"/api/v1/narratives/%00".to_vec(),
        b"/api/v1/keys/%2e%2e".to_vec(),
    ];
    let admin = format!("Bearer {}", c.admin);
    for q in queries {
        let name = format!(
            "odd query: {}",
            String::from_utf8_lossy(&q[..q.len().min(80)])
        );
        c.add(
            name,
            "GET",
            &q,
            &[("Authorization", admin.as_bytes())],
            b"",
            Face::Problem,
        );
    }
    let paths: &[&[u8]] = &[
        b"/api/v1/../../etc/passwd",
        b"/api/v1/claims/../../../etc/passwd",
        b"/api/v1/claims/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        b"/api/v1/claims/a%00b",
        b"/api/v1/claims/%ZZ",
        b"/api/v1//claims",
        b"/api/v1/claims/x/y/z",
        b"/api/v2/claims",
        b"/api/v1/CLAIMS",
        b"/api/v1/claims/%E2%80%AE",
        b"/api/v1/nothing",
    ];
    for p in paths {
        let name = format!("path trick: {}", String::from_utf8_lossy(p));
        c.add(name, "GET", p, &[], b"", Face::Problem);
    }
    for m in ["DELETE", "PUT", "PATCH"] {
        c.add(
            format!("no such method: {m} /api/v1/claims"),
            m,
            b"/api/v1/claims",
            &[("Authorization", admin.as_bytes())],
            b"",
            Face::Problem,
        );
    }
    c.add(
        "no such method: POST /healthz".into(),
        "POST",
        b"/healthz",
        &[],
        b"",
        Face::Problem,
    );
    // Page routes: tricks and odd queries get an HTML page, never a 5xx.
    let pages: &[&[u8]] = &[
        b"/claims/%FF",
        b"/claims/..%2f..%2fetc%2fpasswd",
        b"/claims/a%00b",
        b"/static/../Cargo.toml",
        b"/static/%2e%2e/%2e%2e/etc/passwd",
        b"/?from=2020-99-99",
        b"/?cursor=%FF%FF",
        b"/?cursor=garbage",
        b"/?sort=%00",
        b"/?verdict=%C3%28",
        b"/lang/xx",
        b"/nowhere/at/all",
        b"/claims/new/../../edit",
    ];
    for p in pages {
        let name = format!("page trick: {}", String::from_utf8_lossy(p));
        c.add(name, "GET", p, &[], b"", Face::Page);
    }
    let long_page = format!("/?q={}", "b".repeat(6_000));
    c.add(
        "page with a long query".into(),
        "GET",
        long_page.as_bytes(),
        &[],
        b"",
        Face::Page,
    );
    let long_match = format!("/match?text={}", "c".repeat(6_000));
    c.add(
        "match page with a long post".into(),
        "GET",
        long_match.as_bytes(),
        &[],
        b"",
        Face::Page,
    );
}

/// Headers a client should never send.
fn header_cases(c: &mut Corpus) {
    let bad_auth: &[&[u8]] = &[
        b"Bearer",
        b"Bearer ",
        b"Bearer dbk_not_a_key",
        b"Basic dXNlcjpwYXNz",
        b"bearer\tx",
        b"Bearer \xff\xfe",
        b"Bearer a b c",
        b"Token abc",
    ];
    for (i, a) in bad_auth.iter().enumerate() {
        let a = a.to_vec();
        c.add(
            format!("bad Authorization #{i}: POST /api/v1/claims"),
            "POST",
            b"/api/v1/claims",
            &[("Authorization", &a), ("Content-Type", b"application/json")],
            b"{\"text\": \"no key\"}",
            Face::Problem,
        );
        c.add(
            format!("bad Authorization #{i}: GET /api/v1/keys"),
            "GET",
            b"/api/v1/keys",
            &[("Authorization", &a)],
            b"",
            Face::Problem,
        );
    }
    let reader_only = format!("Bearer {}", c.editor);
    c.add(
        "editor key on an admin route".into(),
        "GET",
        b"/api/v1/keys",
        &[("Authorization", reader_only.as_bytes())],
        b"",
        Face::Problem,
    );
    c.add(
        "no key on a write".into(),
        "DELETE",
        b"/api/v1/claims/bad-input-1",
        &[],
        b"",
        Face::Problem,
    );
    // Refused by the HTTP layer before any route.
    c.add(
        "raw bytes that are not UTF-8 in the path".into(),
        "GET",
        b"/api/v1/claims/\xff\xfe",
        &[],
        b"",
        Face::Protocol,
    );
    c.add(
        "an asset that does not exist".into(),
        "GET",
        b"/static/app.deadbeef.css",
        &[],
        b"",
        Face::Protocol,
    );
    let huge_header = vec![b'a'; 1 << 20];
    c.add(
        "a 1 MB header".into(),
        "GET",
        b"/api/v1/claims",
        &[("X-Huge", &huge_header)],
        b"",
        Face::Protocol,
    );
    let mut many = Vec::new();
    for i in 0..200 {
        many.push((format!("X-H{i}"), b"v".to_vec()));
    }
    let many: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    c.add(
        "200 headers".into(),
        "GET",
        b"/api/v1/claims",
        &many,
        b"",
        Face::Protocol,
    );
    let raws: &[(&str, &[u8])] = &[
        ("two Content-Lengths", b"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{\"a\":1}"),
        ("a negative Content-Length", b"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n"),
        ("a Content-Length that is no number", b"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n"),
        ("a header without a colon", b"GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n"),
        ("a header name with a space", b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: v\r\nConnection: close\r\n\r\n"),
        ("a NUL in a header value", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\nConnection: close\r\n\r\n"),
        ("a bad chunk size", b"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
        ("chunked and a Content-Length", b"POST /api/v1/match HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\n0\r\n\r\n"),
        ("an unknown HTTP version", b"GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ("a request line of garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
        ("a bare LF request", b"GET /healthz HTTP/1.1\nHost: x\nX: \x7f\x00\n\n"),
        ("a space in the path", b"GET /api/v1/claims?q=a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    ];
    for (what, raw) in raws {
        c.cases.push(Case {
            name: (*what).into(),
            raw: raw.to_vec(),
            face: Face::Protocol,
            method: "GET".into(),
            path: "/".into(),
        });
    }
    // Cookie abuse on a page: a broken session cookie is a visitor, and an
    // editor route then sends them to sign in; an odd lang cookie is ignored.
    let cookies: &[&[u8]] = &[
        b"dbk_session=",
        b"dbk_session=\xff\xfe",
        b"dbk_session=a; dbk_session=b; dbk_session=c",
        b"lang=../../etc; dbk_session=%00",
        b";;;==;",
    ];
    for (i, cookie) in cookies.iter().enumerate() {
        let cookie = cookie.to_vec();
        c.add(
            format!("bad cookie #{i}: POST /claims/new"),
            "POST",
            b"/claims/new",
            &[
                ("Cookie", &cookie),
                ("Content-Type", b"application/x-www-form-urlencoded"),
                ("Sec-Fetch-Site", b"same-origin"),
            ],
            b"csrf=x&text=hello",
            Face::Page,
        );
    }
}

/// Form posts a signed-in editor's browser might send, broken.
fn form_cases(c: &mut Corpus) {
    let csrf = c.csrf.clone();
    let form = b"application/x-www-form-urlencoded" as &[u8];
    // Broken for every form route: refused before anything is read.
    let everywhere: Vec<(&str, Vec<u8>)> = vec![
        ("no csrf", b"text=hello&url=https://example.org/x".to_vec()),
        (
            "forged csrf",
            b"csrf=forged&text=hello&url=https://example.org/x".to_vec(),
        ),
        ("empty body", b"".to_vec()),
        ("no equals signs", b"&&&&&&".to_vec()),
        (
            "over the form limit",
            format!("csrf={csrf}&text={}", "z".repeat(300 * 1024)).into_bytes(),
        ),
        (
            "10 MB",
            [
                format!("csrf={csrf}&text=").as_bytes(),
                &vec![b'q'; 10 << 20],
            ]
            .concat(),
        ),
    ];
    for (what, body) in &everywhere {
        for path in [
            "/claims/new",
            "/claims/bad-input-1/edit",
            "/claims/bad-input-1/appearances",
            "/sign-in",
            "/sign-out",
        ] {
            c.form(what, path, form, body);
        }
    }
    // A claim form whose fields are unusable.
    let claim_forms: Vec<(&str, String)> = vec![
        ("empty text", format!("csrf={csrf}&text=")),
        ("blank text", format!("csrf={csrf}&text=+++%09")),
        ("NUL-only text", format!("csrf={csrf}&text=%00%00")),
        (
            "unknown verdict",
            format!("csrf={csrf}&text=hello&verdict=purple"),
        ),
    ];
    for (what, body) in &claim_forms {
        c.form(what, "/claims/new", form, body.as_bytes());
        c.form(
            what,
            "/claims/bad-input-1/edit",
            form,
            format!("{body}&etag=1").as_bytes(),
        );
    }
    c.form(
        "a stale etag",
        "/claims/bad-input-1/edit",
        form,
        format!("csrf={csrf}&text=hello&etag=-5").as_bytes(),
    );
    c.form(
        "a wrong key",
        "/sign-in",
        form,
        format!("csrf={csrf}&key=dbk_nothing").as_bytes(),
    );
    c.form(
        "JSON instead of a form",
        "/claims/new",
        b"application/json",
        b"{\"text\": \"x\"}",
    );
    c.form(
        "edit of an unknown claim",
        "/claims/no-such-claim/edit",
        form,
        format!("csrf={csrf}&text=hello&etag=1").as_bytes(),
    );
    let multipart = b"multipart/form-data; boundary=XyZ" as &[u8];
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("no boundary in the body", b"just bytes".to_vec()),
        ("an unterminated part", b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc".to_vec()),
        ("a forged csrf", b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nforged\r\n--XyZ--\r\n".to_vec()),
        ("a file of garbage, strict", format!("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"strict\"\r\n\r\non\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n{{bad\n\u{FFFD}\r\n--XyZ--\r\n").into_bytes()),
    ];
    for (what, body) in &parts {
        c.form(what, "/import", multipart, body);
    }
    c.form(
        "a form where multipart is due",
        "/import",
        form,
        format!("csrf={csrf}&file=x").as_bytes(),
    );
}

/// Signs in through the pages: the session cookie and a csrf token.
fn sign_in(addr: &str, secret: &str) -> (String, String) {
    let page = send_raw(addr, &raw_request("GET", b"/sign-in", &[], b""));
    let html = String::from_utf8_lossy(&page.body).into_owned();
    let token = attr_after(&html, "name=\"csrf\"", "value=\"");
    let pre = cookie_of(&page.head, "dbk_csrf");
    let mut headers: Vec<(&str, &[u8])> = vec![
        ("Content-Type", b"application/x-www-form-urlencoded"),
        ("Sec-Fetch-Site", b"same-origin"),
    ];
    let jar = pre.map(|v| format!("dbk_csrf={v}"));
    if let Some(jar) = &jar {
        headers.push(("Cookie", jar.as_bytes()));
    }
    let body = format!("csrf={token}&key={secret}&next=/");
    let done = send_raw(
        addr,
        &raw_request("POST", b"/sign-in", &headers, body.as_bytes()),
    );
    assert_eq!(
        done.status,
        303,
        "sign-in failed: {}",
        String::from_utf8_lossy(&done.body)
    );
    let session = cookie_of(&done.head, "dbk_session").expect("a session cookie");
    // The csrf token of a signed-in page.
    let cookie = format!("dbk_session={session}");
    let form = send_raw(
        addr,
        &raw_request("GET", b"/claims/new", &[("Cookie", cookie.as_bytes())], b""),
    );
    assert_eq!(form.status, 200);
    let html = String::from_utf8_lossy(&form.body).into_owned();
    (session, attr_after(&html, "name=\"csrf\"", "value=\""))
}

fn attr_after(html: &str, marker: &str, attr: &str) -> String {
    let at = html.find(marker).expect("a csrf field");
    // The value may sit before or after the name within the tag.
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    let tag = &html[start..end];
    let v = &tag[tag.find(attr).expect("a value") + attr.len()..];
    v[..v.find('"').unwrap()].to_string()
}

fn cookie_of(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let v = l
            .strip_prefix("set-cookie: ")
            .or_else(|| l.strip_prefix("Set-Cookie: "))?;
        let pair = v.split(';').next()?;
        pair.strip_prefix(&format!("{name}="))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Everything stored, as the API shows it: every claim, narrative, link and
/// audit row.
fn snapshot(addr: &str, admin: &str) -> Vec<String> {
    let auth = format!("Bearer {admin}");
    [
        "/api/v1/export?format=jsonl",
        "/api/v1/narratives",
        "/api/v1/links?limit=100",
        "/api/v1/audit?limit=100",
        "/api/v1/keys",
        "/api/v1/settings",
    ]
    .iter()
    .map(|p| {
        let r = send_raw(
            addr,
            &raw_request(
                "GET",
                p.as_bytes(),
                &[("Authorization", auth.as_bytes())],
                b"",
            ),
        );
        assert_eq!(r.status, 200, "{p}: {}", String::from_utf8_lossy(&r.body));
        String::from_utf8_lossy(&r.body).into_owned()
    })
    .collect()
}

/// The reason a reply is wrong for its case, if it is.
fn fault(case: &Case, r: &Reply) -> Option<String> {
    if r.status == 0 {
        return Some("no reply".into());
    }
    if r.status >= 500 {
        return Some(format!("a {} server error", r.status));
    }
    let html = r.content_type.starts_with("text/html");
    let problem = r.content_type.starts_with("application/problem+json");
    match case.face {
        Face::StreamErrors => {
            if r.status != 200 {
                return Some(format!("status {}", r.status));
            }
            let text = String::from_utf8_lossy(&r.body);
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return Some("no line out".into());
            }
            let all_errors = lines.iter().all(|l| {
                serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.get("error").is_some())
            });
            (!all_errors).then(|| format!("a bad line was not reported: {text}"))
        }
        _ if !(400..500).contains(&r.status) => Some(format!("status {}, not a 4xx", r.status)),
        Face::Problem if !problem => Some(format!("content type {:?}", r.content_type)),
        Face::Problem => {
            let v: serde_json::Value = match serde_json::from_slice(&r.body) {
                Ok(v) => v,
                Err(e) => return Some(format!("problem body is not JSON: {e}")),
            };
            (v["status"] != r.status || !v["title"].is_string())
                .then(|| format!("not a problem: {v}"))
        }
        Face::Page if !html => Some(format!("content type {:?}, not a page", r.content_type)),
        Face::Page | Face::Protocol => None,
    }
}

#[test]
fn hundreds_of_malformed_requests_each_get_a_clear_4xx_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let editor = make_key(&data, "editor", "bad-input editor");
    let admin = make_key(&data, "admin", "bad-input admin");
    let (server, addr) = crate::serve::start_with(&data, &["--rate-limit", "0"]);
    let (editor, admin) = (
        editor["secret"].as_str().unwrap().to_string(),
        admin["secret"].as_str().unwrap().to_string(),
    );
    // A claim the routes with an id can aim at.
    let auth = format!("Bearer {editor}");
    let made = send_raw(
        &addr,
        &raw_request(
            "PUT",
            b"/api/v1/claims/bad-input-1",
            &[("Authorization", auth.as_bytes()), ("Content-Type", b"application/json")],
            b"{\"text\": \"The quarnia bridge closes for good on Monday\", \"lang\": \"en\", \"verdict\": \"false\"}",
        ),
    );
    assert!(made.status < 300, "{}", String::from_utf8_lossy(&made.body));
    let (session, csrf) = sign_in(&addr, &editor);
    let mut corpus = Corpus {
        editor,
        admin,
        session,
        csrf,
        cases: Vec::new(),
    };
    api_body_cases(&mut corpus);
    ndjson_cases(&mut corpus);
    query_and_path_cases(&mut corpus);
    header_cases(&mut corpus);
    form_cases(&mut corpus);
    assert!(
        corpus.cases.len() >= 300,
        "only {} cases",
        corpus.cases.len()
    );

    let before = snapshot(&addr, &corpus.admin);
    let mut faults = Vec::new();
    for case in &corpus.cases {
        let reply = send_raw(&addr, &case.raw);
        if let Some(why) = fault(case, &reply) {
            faults.push(format!(
                "{}: {why}: {}",
                case.name,
                String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)])
            ));
        } else if case.face == Face::Problem {
            // Collected, not raised: one run lists every gap in the spec.
            let conforms = std::panic::catch_unwind(|| {
                crate::openapi::check(
                    &case.method,
                    &case.path,
                    reply.status,
                    &reply.content_type,
                    &reply.body,
                )
            });
            if let Err(e) = conforms {
                let why = e.downcast_ref::<String>().cloned().unwrap_or_default();
                faults.push(format!(
                    "{}: does not conform to /openapi.json: {why}",
                    case.name
                ));
            }
        }
    }
    assert!(
        faults.is_empty(),
        "{} of {} cases went wrong:\n{}",
        faults.len(),
        corpus.cases.len(),
        faults.join("\n")
    );
    assert_eq!(
        snapshot(&addr, &corpus.admin),
        before,
        "a refused request changed the data"
    );
    // Still up and well.
    let health = send_raw(&addr, &raw_request("GET", b"/healthz", &[], b""));
    assert_eq!(health.status, 200);
    drop(server);
}
