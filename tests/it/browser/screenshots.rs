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
