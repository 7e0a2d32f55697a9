//! Real-browser tests: a real `debunk serve` on a new seeded data folder,
//! Debian's Chromium driven headless through chromedriver (WebDriver, with
//! `fantoccini`). `scripts/test` installs Chromium, chromedriver and axe-core;
//! when one is missing these tests fail and say so, never skip.
//!
//! Each test gets its own server, data folder and driver, so a test that
//! writes never changes what another reads. Browser tests run one at a time:
//! several Chromiums on two shared cores would only make each slower and
//! every wait longer. Every test runs under a guard timeout that fails it
//! instead of letting it hang, and the server, the driver and its browsers
//! are killed on drop, on success, failure or timeout alike.

mod a11y;
mod editor;
mod flows;
mod harness;
mod moderation;
mod screenshots;

pub use harness::*;

/// The harness itself, on a page the server has served since before the
/// web UI: scripts run (the operations list is built by JavaScript), a
/// JavaScript-disabled browser really runs none, screenshots are PNGs and
/// axe-core finds a missing image text.
#[test]
fn the_harness_drives_chromium_against_a_real_server() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        c.goto(&site.url("/docs")).await.expect("navigate");
        let op = find(&c, "details summary").await;
        assert!(op.text().await.unwrap().contains("/api/v1/"));
        let png = std::fs::read(screenshot(&c, "harness-docs").await).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // axe runs and answers (the API docs page is not ours to judge
        // here), and does report what a person would trip on.
        serious_violations(&c).await;
        c.goto("data:text/html,<html lang=en><title>t</title><main><img src=x.png></main>")
            .await
            .expect("navigate");
        let found = serious_violations(&c).await;
        assert!(found.iter().any(|v| v.contains("image-alt")), "{found:?}");

        let off = site.browser(Options::lang("en").without_javascript()).await;
        assert_javascript_is_off(&off).await;
        off.goto(&site.url("/docs")).await.expect("navigate");
        find(&off, "#about").await;
        assert!(!exists(&off, "details").await);
    });
}
