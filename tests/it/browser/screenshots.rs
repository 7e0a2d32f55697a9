//! Full-page screenshots of every page under `target/screenshots/`, for a
//! person to look at: English, Arabic, a phone 360 px wide, and the
//! editor's form. At phone width nothing may be wider than the screen.

use fantoccini::Client;

use super::flows::{public_pages, IRAQ_VACCINE};
use super::*;

/// The page's width and its widest content, in CSS pixels.
async fn widths(c: &Client) -> (u64, u64) {
    let w = c
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await
        .expect("measure the page");
    (w[0].as_u64().unwrap(), w[1].as_u64().unwrap())
}

/// The width of a PNG, from its header.
fn png_width(path: &std::path::Path) -> u32 {
    let png = std::fs::read(path).expect("read screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is no PNG",
        path.display()
    );
    u32::from_be_bytes(png[16..20].try_into().unwrap())
}

async fn shoot(c: &Client, site: &Site, name: &str, path: &str, width: u32) {
    open(c, site, path).await;
    let file = screenshot(c, name).await;
    // The page's own width: a desktop's scroll bar takes up to 20 px.
    let shot = png_width(&file);
    assert!(
        width - 20 <= shot && shot <= width,
        "{name} is {shot} px wide"
    );
}

#[test]
fn every_page_is_saved_as_a_full_page_screenshot() {
    run(|site| async move {
        let pages = public_pages();
        let claim = format!("/claims/{IRAQ_VACCINE}");
        let en = site.browser(Options::lang("en")).await;
        for (name, path) in &pages {
            shoot(&en, &site, &format!("en-{name}"), path, 1280).await;
        }
        sign_in(&en, &site, site.editor_key()).await;
        shoot(&en, &site, "en-editor-new-claim", "/claims/new", 1280).await;
        shoot(
            &en,
            &site,
            "en-editor-edit-claim",
            &format!("{claim}/edit"),
            1280,
        )
        .await;

        let ar = site.browser(Options::lang("ar")).await;
        for (name, path) in &pages {
            shoot(&ar, &site, &format!("ar-{name}"), path, 1280).await;
        }

        let phone = site.browser(Options::lang("en").width(360)).await;
        let arabic_phone = site.browser(Options::lang("ar").width(360)).await;
        for (c, lang) in [(&phone, "en"), (&arabic_phone, "ar")] {
            for (name, path) in &pages {
                shoot(c, &site, &format!("phone-{lang}-{name}"), path, 360).await;
                let (inner, content) = widths(c).await;
                assert_eq!(inner, 360);
                assert!(
                    content <= inner,
                    "{path} in {lang} is {content} px wide on a {inner} px phone"
                );
            }
        }
    });
}

/// A moderator's morning, screenshot by screenshot, in order: the queue
/// most-seen first, a confirmation, a decision someone made first, the
/// narrative the morning's posts tell, the claim's history; the same in
/// Arabic and on a phone.
#[test]
fn a_moderators_morning_is_saved_as_screenshots_in_order() {
    use super::moderation::{decide_card, first_card, morning_posts, tata_narrative};
    run(|site| async move {
        let narrative = tata_narrative(&site);
        let tata = morning_posts(&site);
        let c = site.browser(Options::lang("en")).await;
        sign_in(&c, &site, site.editor_key()).await;
        let queue = "/review?sort=most_seen";
        shoot(&c, &site, "morning-01-review-queue", queue, 1280).await;
        let link = first_card(&c).await;
        decide_card(&c, link, "confirm", Some("same claim, same 7 million")).await;
        screenshot(&c, "morning-02-after-confirm").await;
        // A colleague rejects a Tata link over the API while this page
        // shows it; confirming it here then meets their decision.
        let button = find(&c, &format!("#card-{} .confirm-button", tata[0])).await;
        let path = format!("/api/v1/links/{}/reject", tata[0]);
        assert_eq!(site.api_call("POST", &path, None).0, 200);
        button.click().await.unwrap();
        find(&c, "#review-conflict").await;
        screenshot(&c, "morning-03-conflict").await;
        shoot(&c, &site, "morning-04-narrative", &narrative, 1280).await;
        let claim = site.api(&format!("/api/v1/links/{link}"))["claim_id"]
            .as_str()
            .unwrap()
            .to_string();
        shoot(
            &c,
            &site,
            "morning-05-claim-history",
            &format!("/claims/{claim}"),
            1280,
        )
        .await;
        shoot(&c, &site, "morning-06-settings", "/settings", 1280).await;

        let ar = site.browser(Options::lang("ar")).await;
        sign_in(&ar, &site, site.editor_key()).await;
        shoot(&ar, &site, "morning-07-ar-review-queue", queue, 1280).await;
        shoot(&ar, &site, "morning-08-ar-narrative", &narrative, 1280).await;
        shoot(
            &ar,
            &site,
            "morning-09-ar-claim-history",
            &format!("/claims/{claim}"),
            1280,
        )
        .await;

        let phone = site.browser(Options::lang("en").width(360)).await;
        let arabic_phone = site.browser(Options::lang("ar").width(360)).await;
        for (c, lang) in [(&phone, "en"), (&arabic_phone, "ar")] {
            sign_in(c, &site, site.editor_key()).await;
            for (name, path) in [("review-queue", queue), ("narrative", narrative.as_str())] {
                shoot(
                    c,
                    &site,
                    &format!("morning-10-phone-{lang}-{name}"),
                    path,
                    360,
                )
                .await;
                let (inner, content) = widths(c).await;
                assert!(
                    content <= inner,
                    "{path} in {lang} is {content} px wide on a {inner} px phone"
                );
            }
        }
    });
}
