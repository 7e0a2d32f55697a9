//! axe-core on every page in every interface language: no serious or
//! critical violation. axe-core is read from what `scripts/test` installed
//! and injected by the test; debunk never serves it. Keyboard use, which
//! axe cannot judge, is checked by hand: Tab order, visible focus, the skip
//! link.

use super::flows::{public_pages, IRAQ_VACCINE};
use super::*;

/// Every page a person reaches, signed out and then signed in as an editor,
/// in one interface language; all violations are listed before failing.
fn audit(lang: &'static str) {
    run(move |site| async move {
        let narrative = super::moderation::tata_narrative(&site);
        super::moderation::morning_posts(&site);
        let c = site.browser(Options::lang(lang)).await;
        let mut found = Vec::new();
        let mut pages = public_pages();
        pages.push(("narratives", "/narratives".into()));
        pages.push(("narrative", narrative.clone()));
        for (name, path) in pages {
            open(&c, &site, &path).await;
            find(&c, &format!("html[lang={lang}]")).await;
            for v in serious_violations(&c).await {
                found.push(format!("{name} ({path}): {v}"));
            }
        }
        sign_in(&c, &site, site.editor_key()).await;
        let claim = format!("/claims/{IRAQ_VACCINE}");
        let edit = format!("{claim}/edit");
        let narrative_edit = format!("{narrative}/edit");
        let narrative_delete = format!("{narrative}/delete");
        let tata = format!("/claims/{}", super::moderation::TATA);
        for (name, path) in [
            ("new claim form", "/claims/new"),
            ("edit form", edit.as_str()),
            ("import form", "/import"),
            ("claim as editor", claim.as_str()),
            ("review queue", "/review"),
            (
                "review queue, most seen",
                "/review?sort=most_seen&band=possible",
            ),
            ("narratives as editor", "/narratives"),
            ("narrative as editor", narrative.as_str()),
            ("new narrative form", "/narratives/new"),
            ("narrative form", narrative_edit.as_str()),
            ("narrative deletion", narrative_delete.as_str()),
            ("settings, read only", "/settings"),
        ] {
            open(&c, &site, path).await;
            for v in serious_violations(&c).await {
                found.push(format!("{name} ({path}): {v}"));
            }
        }
        // A decision, then the queue's notice and the claim's history.
        super::moderation::confirm_first_card(&c, &site).await;
        for v in serious_violations(&c).await {
            found.push(format!("queue after a decision: {v}"));
        }
        open(&c, &site, &tata).await;
        for v in serious_violations(&c).await {
            found.push(format!("claim with history ({tata}): {v}"));
        }
        let admin = site.browser(Options::lang(lang)).await;
        sign_in(&admin, &site, site.admin_key()).await;
        open(&admin, &site, "/settings").await;
        for v in serious_violations(&admin).await {
            found.push(format!("settings form: {v}"));
        }
        assert!(
            found.is_empty(),
            "{} serious or critical accessibility violations in the {lang} interface:\n{}",
            found.len(),
            found.join("\n")
        );
    });
}

#[test]
fn every_english_page_passes_axe_without_a_serious_violation() {
    audit("en");
}

#[test]
fn every_french_page_passes_axe_without_a_serious_violation() {
    audit("fr");
}

#[test]
fn every_arabic_page_passes_axe_without_a_serious_violation() {
    audit("ar");
}

/// The first Tab press from the top of a page, as a keyboard user starts.
async fn press_tab(c: &fantoccini::Client) -> fantoccini::elements::Element {
    let focused = c.active_element().await.expect("focused element");
    focused
        .send_keys(&fantoccini::key::Key::Tab.to_string())
        .await
        .expect("press Tab");
    c.active_element().await.expect("focused element")
}

#[test]
fn a_keyboard_user_reaches_the_skip_link_first_sees_the_focus_and_skips_to_main() {
    run(|site| async move {
        for lang in ["en", "ar"] {
            let c = site.browser(Options::lang(lang)).await;
            open(&c, &site, "/?q=trump").await;
            let first = press_tab(&c).await;
            let class = first.attr("class").await.unwrap().unwrap_or_default();
            assert!(class.contains("skip-link"), "Tab went to {class:?} first");
            assert_eq!(first.attr("href").await.unwrap().as_deref(), Some("#main"));
            // Focus is visible: an outline, and the link shown on screen.
            let outline = first.css_value("outline-style").await.unwrap();
            assert_ne!(
                outline, "none",
                "no focus outline on the skip link in {lang}"
            );
            let (x, y, w, h) = first.rectangle().await.unwrap();
            assert!(
                x >= 0.0 && y >= 0.0 && w > 0.0 && h > 0.0,
                "{lang}: off screen"
            );
            assert!(x + w <= 1280.0, "{lang}: off screen at {x}+{w}");
            // Following it lands in the page's main content.
            let enter = fantoccini::key::Key::Enter.to_string();
            first.send_keys(&enter).await.expect("press Enter");
            let target = c.active_element().await.unwrap();
            assert_eq!(target.attr("id").await.unwrap().as_deref(), Some("main"));
        }
    });
}
