//! The harness: one site (server, data folder, keys, chromedriver) per test,
//! browsers opened on it, explicit waits, full-page screenshots and axe-core.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{json, Value};

use crate::common::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long one test may take before it fails as hung. Generous: the two
/// cores are shared with other builds and tests.
const GUARD: Duration = Duration::from_secs(300);

/// How long to wait for one element or one page.
pub const WAIT: Duration = Duration::from_secs(30);

/// Browser tests run one at a time (see the module doc).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs one browser test: starts a site, gives it to `test`, and tears
/// everything down afterwards whether the test passed, failed or hung.
pub fn run<F, Fut>(test: F)
where
    F: FnOnce(Site) -> Fut,
    Fut: Future<Output = ()>,
{
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let site = Site::start();
    let outcome = runtime.block_on(async {
        let guarded = tokio::time::timeout(GUARD, test(site.clone()));
        let outcome = std::panic::AssertUnwindSafe(guarded).catch_unwind().await;
        site.close_browsers().await;
        outcome
    });
    drop(site);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("browser test still running after {GUARD:?}: failed as hung"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// What a browser is opened with.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The browser's language (`Accept-Language`).
    pub lang: &'static str,
    pub javascript: bool,
    /// Window width in CSS pixels.
    pub width: u32,
}

impl Options {
    pub fn lang(lang: &'static str) -> Self {
        Options {
            lang,
            javascript: true,
            width: 1280,
        }
    }

    pub fn without_javascript(self) -> Self {
        Options {
            javascript: false,
            ..self
        }
    }

    pub fn width(self, width: u32) -> Self {
        Options { width, ..self }
    }
}

/// A running server on its own seeded data folder, with an editor and a
/// reader key, and a chromedriver to open browsers on it.
#[derive(Clone)]
pub struct Site(Arc<SiteInner>);

struct SiteInner {
    /// `http://127.0.0.1:PORT`
    base: String,
    addr: String,
    editor_key: String,
    reader_key: String,
    admin_key: String,
    driver_url: String,
    browsers: Mutex<Vec<Client>>,
    // Dropped in this order: the driver (and its browsers) before the
    // server, the data folder last.
    _driver: Driver,
    _server: Mutex<crate::serve::Server>,
    profiles: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl Site {
    fn start() -> Site {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: run scripts/test, which installs Debian's \
                 chromium and chromium-driver for the browser tests"
            );
        }
        let data = tempfile::tempdir().expect("temp data folder");
        let dir = data.path().join("data");
        // Keys first: a folder that holds only keys is still new to the
        // seed, so `serve` loads it.
        let editor_key = make_key(&dir, "editor");
        let reader_key = make_key(&dir, "reader");
        let admin_key = make_key(&dir, "admin");
        let (server, addr) = crate::serve::start(&dir);
        let driver = Driver::start();
        Site(Arc::new(SiteInner {
            base: format!("http://{addr}"),
            addr,
            editor_key,
            reader_key,
            admin_key,
            driver_url: driver.url.clone(),
            browsers: Mutex::new(Vec::new()),
            _driver: driver,
            _server: Mutex::new(server),
            profiles: tempfile::tempdir().expect("temp profiles folder"),
            _data: data,
        }))
    }

    /// The address of a page of the site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0.base)
    }

    pub fn editor_key(&self) -> &str {
        &self.0.editor_key
    }

    pub fn reader_key(&self) -> &str {
        &self.0.reader_key
    }

    pub fn admin_key(&self) -> &str {
        &self.0.admin_key
    }

    /// A JSON API answer read without the browser, with the editor key.
    pub fn api(&self, path: &str) -> Value {
        let (status, body) = self.api_call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A JSON API call without the browser, with the editor key: its
    /// status and JSON answer (`null` for an empty one).
    pub fn api_call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let auth = format!("Bearer {}", self.0.editor_key);
        let mut headers = vec![("Authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let body = body.map(Value::to_string).unwrap_or_default();
        let (status, _, answer) =
            crate::serve::request(&self.0.addr, method, path, &headers, &body);
        let answer = match answer.trim() {
            "" => Value::Null,
            text => serde_json::from_str(text).expect("API answers JSON"),
        };
        (status, answer)
    }

    /// Opens a new headless Chromium with its own empty profile.
    pub async fn browser(&self, options: Options) -> Client {
        let profile = tempfile::tempdir_in(self.0.profiles.path()).expect("temp profile");
        let profile = profile.keep();
        let caps = capabilities(options, &profile);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.0.driver_url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        // The viewport as a device of that width has it (a desktop window
        // cannot be made phone-narrow): CSS pixels, media queries and the
        // viewport meta tag all see `width`.
        client
            .issue_cmd(Cdp::new(
                "Emulation.setDeviceMetricsOverride",
                json!({
                    "width": options.width,
                    "height": 900,
                    "deviceScaleFactor": 1,
                    "mobile": options.width < 600,
                }),
            ))
            .await
            .expect("set the viewport");
        self.0.browsers.lock().unwrap().push(client.clone());
        client
    }

    async fn close_browsers(&self) {
        let browsers = std::mem::take(&mut *self.0.browsers.lock().unwrap());
        for client in browsers {
            let _ = client.close().await;
        }
    }
}

fn make_key(dir: &Path, role: &str) -> String {
    let out = debunk(
        dir,
        &["keys", "create", "--role", role, "--name", role, "--json"],
    );
    json(&out)["secret"]
        .as_str()
        .expect("key secret")
        .to_string()
}

fn capabilities(options: Options, profile: &Path) -> serde_json::Map<String, Value> {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        // Without these three Chromium keeps opening connections to the
        // outside, which this closed network refuses.
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--window-size={},900", options.width),
        format!("--lang={}", options.lang),
    ];
    if !options.javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut prefs = json!({ "intl": { "accept_languages": options.lang } });
    if !options.javascript {
        prefs["profile"] = json!({ "managed_default_content_settings": { "javascript": 2 } });
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args, "prefs": prefs },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// chromedriver on a free local port, in its own process group so that
/// killing the group also ends the browsers it started.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium it launched.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now. chromedriver cannot report the port it
/// bound, so we pick one; another process taking it in between is unlikely
/// on loopback and would fail the start loudly.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// Waits for an element matching a CSS selector. A failure quotes the
/// page's own error message, if it shows one.
pub async fn find(c: &Client, css: &str) -> Element {
    match c.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
        Ok(element) => element,
        Err(e) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let shown = match c.find(Locator::Css("#form-error, #error")).await {
                Ok(error) => error.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!("no element `{css}` on {url} ({e}); the page says: {shown:?}")
        }
    }
}

/// Every element matching a CSS selector, now (after a `find` has waited
/// for the page).
pub async fn find_all(c: &Client, css: &str) -> Vec<Element> {
    c.find_all(Locator::Css(css)).await.expect("find elements")
}

/// Whether an element matching a CSS selector is on the page now.
pub async fn exists(c: &Client, css: &str) -> bool {
    !find_all(c, css).await.is_empty()
}

/// Opens a page of the site and waits for its `<main>`.
pub async fn open(c: &Client, site: &Site, path: &str) {
    c.goto(&site.url(path)).await.expect("navigate");
    find(c, "main").await;
}

/// Waits until the browser shows a page whose path satisfies `ok`, then for
/// its `<main>`; returns the URL.
pub async fn wait_for_path(c: &Client, what: &str, ok: impl Fn(&str) -> bool) -> url::Url {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = c.current_url().await.expect("current url");
        if ok(url.path()) {
            find(c, "main").await;
            return url;
        }
        assert!(Instant::now() < deadline, "never reached {what}; at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Where the screenshots go: `target/screenshots/` of this checkout.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// Saves a full-page PNG (beyond the window's height) as `name.png`.
pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let metrics = c
        .issue_cmd(Cdp::new("Page.getLayoutMetrics", json!({})))
        .await
        .expect("page metrics");
    let size = &metrics["cssContentSize"];
    // Beyond the viewport only when the page is taller: Chromium shifts a
    // right-to-left page that fits sideways when asked to look beyond.
    let taller = size["height"].as_f64() > metrics["cssLayoutViewport"]["clientHeight"].as_f64();
    let shot = c
        .issue_cmd(Cdp::new(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": taller,
                "clip": {
                    "x": 0, "y": 0, "scale": 1,
                    "width": size["width"], "height": size["height"],
                },
            }),
        ))
        .await
        .expect("capture screenshot");
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().expect("screenshot data"))
        .expect("screenshot is base64");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// A Chrome DevTools command sent through chromedriver: WebDriver has no
/// full-page screenshot.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl Cdp {
    fn new(cmd: &'static str, params: Value) -> Self {
        Cdp { cmd, params }
    }
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// axe-core as `scripts/test` installed it (pinned by
/// `tests/browser/package-lock.json`); read from disk and injected by the
/// tests, never served by debunk.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/web-test/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {}: run scripts/test, which installs it ({e})",
            path.display()
        )
    })
}

/// Runs axe-core on the page shown and returns its serious and critical
/// violations, one readable paragraph each.
pub async fn serious_violations(c: &Client) -> Vec<String> {
    let script = format!(
        "{}\n;const done = arguments[arguments.length - 1];\
         axe.run(document, {{ resultTypes: ['violations'] }})\
           .then(r => done(JSON.stringify(r.violations)), e => done('error: ' + e));",
        axe_source()
    );
    let answer = c
        .execute_async(&script, vec![])
        .await
        .expect("run axe-core");
    let answer = answer.as_str().expect("axe answers a string");
    let violations: Vec<Value> =
        serde_json::from_str(answer).unwrap_or_else(|_| panic!("axe-core failed: {answer}"));
    violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(describe_violation)
        .collect()
}

fn describe_violation(v: &Value) -> String {
    let mut out = format!(
        "[{}] {}: {} ({})",
        v["impact"].as_str().unwrap_or("?"),
        v["id"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or(""),
        v["helpUrl"].as_str().unwrap_or(""),
    );
    for node in v["nodes"].as_array().into_iter().flatten().take(5) {
        out.push_str(&format!(
            "\n    at {}: {}",
            node["target"],
            node["failureSummary"]
                .as_str()
                .unwrap_or("")
                .replace('\n', " ")
        ));
    }
    out
}

/// Replaces the value of a text field or text area by typing into it.
pub async fn fill(c: &Client, css: &str, text: &str) {
    let field = find(c, css).await;
    field.clear().await.expect("clear field");
    field.send_keys(text).await.expect("type into field");
}

/// Chooses the option of a `<select>` whose value is `value`.
pub async fn choose(c: &Client, css: &str, value: &str) {
    find(c, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("no option {value:?} in `{css}`: {e}"));
}

/// Submits a form by clicking its submit button, as a person would (and
/// as works without JavaScript), and waits for the answer: a new document
/// (the old one goes stale) or, for a script that swaps part of the page
/// and pushes its URL, a new address.
pub async fn submit(c: &Client, form: &str) {
    let button = find(
        c,
        &format!(
            "{form} button[type=submit], {form} button:not([type]), {form} input[type=submit]"
        ),
    )
    .await;
    let before = c.current_url().await.expect("current url");
    let old = find(c, "html").await;
    button.click().await.expect("click the submit button");
    let deadline = Instant::now() + WAIT;
    loop {
        let stale = old.tag_name().await.is_err();
        if stale || c.current_url().await.ok().as_ref() != Some(&before) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "submitting `{form}` on {before} never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    find(c, "main").await;
}

/// The first whole number in a text (`"12 results"` → 12).
pub fn first_number(text: &str) -> u64 {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

/// Signs in on `/sign-in` with an API key and waits for the signed-in mark.
pub async fn sign_in(c: &Client, site: &Site, key: &str) {
    open(c, site, "/sign-in").await;
    fill(c, "form#sign-in-form input#key", key).await;
    submit(c, "form#sign-in-form").await;
    find(c, "#signed-in").await;
}

/// Proves that a browser opened without JavaScript really runs none.
pub async fn assert_javascript_is_off(c: &Client) {
    c.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await
        .expect("navigate");
    assert_eq!(c.title().await.unwrap(), "off", "JavaScript still ran");
}

/// The claim id a link to a claim page names (`/claims/{id}`, its one
/// segment percent-decoded), if it is one.
pub fn claim_id_in(href: &str) -> Option<String> {
    let (_, rest) = href.split_once("/claims/")?;
    let segment = rest.split(['/', '?', '#']).next()?;
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The claim ids every link inside `element` points at.
pub async fn claim_links(element: &Element) -> Vec<String> {
    let mut ids = Vec::new();
    for a in element
        .find_all(Locator::Css("a[href]"))
        .await
        .expect("links")
    {
        let href = a.attr("href").await.expect("href").unwrap_or_default();
        ids.extend(claim_id_in(&href));
    }
    ids
}
