//! What a journalist and a moderator do: search, filter, open a claim; paste
//! a paragraph or a URL; match a post in Arabic and in Arabizi; all of it
//! without JavaScript too; the Arabic interface right to left.
//!
//! Every post here repeats a real seed fact-check (`seed-data/claims.jsonl`).

use fantoccini::{Client, Locator};

use super::*;

/// Snopes: "Eating bananas is a preventative against the COVID-19
/// coronavirus disease."
pub const BANANAS: &str = "vclaim-sno-bananas-coronavirus";

/// Fatabyyano: "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح
/// كورونا" (the Iraqi health ministry pays 7 million to everyone vaccinated
/// against corona).
pub const IRAQ_VACCINE: &str = "cr-7a8cf396f08e28e5";

/// A Facebook-style post repeating the Iraqi claim in Arabic.
pub const ARABIC_POST: &str =
    "عاجل: وزارة الصحة العراقية تمنح تعويض 7 مليون لكل شخص أخذ لقاح كورونا، شاركوا الخبر";

/// The same claim in Moroccan Darija written in Latin letters (Arabizi).
pub const ARABIZI_POST: &str =
    "wach s7i7 wizarat sa7a l3ira9ia ghadi t3ti ta3wid 7 mlyoun l kol wa7ed dar l9a7 corona?";

/// Akhbarmeter's review of "bread stops on ration cards" (its fact-check
/// URL, as a journalist would paste it).
const BREAD_REVIEW_URL: &str = "https://akhbarmeter.org/topics/2237";
const BREAD: &str = "cr-9b564746f4c041c9";

/// The first item of a result list (waiting for it); it must link to the
/// page of `claim_id` and show each of `parts` with some text.
async fn first_item_links_to(c: &Client, list: &str, claim_id: &str, parts: &[&str]) {
    let first = find(c, list).await;
    let html = first.html(false).await.unwrap();
    assert!(
        claim_links(&first).await.iter().any(|id| id == claim_id),
        "the first of `{list}` is not {claim_id}: {html}"
    );
    for part in parts {
        let found = first.find(Locator::Css(part)).await;
        let found = found.unwrap_or_else(|_| panic!("no {part} in {html}"));
        let text = found.text().await.unwrap();
        assert!(!text.trim().is_empty(), "empty {part} in {html}");
    }
}

/// The match page for a post, as its form would ask for it.
pub fn match_path(post: &str) -> String {
    let text: String = url::form_urlencoded::byte_serialize(post.as_bytes()).collect();
    format!("/match?text={text}")
}

/// Every page a visitor reaches, by a readable name: screenshots and the
/// accessibility check go through the same list.
pub fn public_pages() -> Vec<(&'static str, String)> {
    vec![
        ("search", "/".into()),
        ("search-results", "/?q=trump".into()),
        ("claim", format!("/claims/{IRAQ_VACCINE}")),
        ("match", match_path(ARABIC_POST)),
        ("sign-in", "/sign-in".into()),
        ("error", "/claims/no-such-claim".into()),
    ]
}

/// Search "trump" (Snopes and PolitiFact claims), narrow to PolitiFact,
/// open the first hit: its page shows the claim the API knows.
pub async fn search_filter_and_open_a_claim(c: &Client, site: &Site) {
    open(c, site, "/").await;
    fill(c, "form#search-form input#q", "trump").await;
    submit(c, "form#search-form").await;
    find(c, "ol#results > li[data-testid=hit]").await;
    let all = first_number(&find(c, "#total").await.text().await.unwrap());
    assert!(all >= 10, "only {all} hits for trump");

    choose(c, "form#search-form select#publisher", "PolitiFact").await;
    submit(c, "form#search-form").await;
    let url = c.current_url().await.unwrap();
    assert!(
        url.query().unwrap_or("").contains("publisher=PolitiFact"),
        "the filter is not in the shareable URL: {url}"
    );
    find(c, "ol#results > li[data-testid=hit]").await;
    let filtered = first_number(&find(c, "#total").await.text().await.unwrap());
    assert!(0 < filtered && filtered < all, "{filtered} of {all}");
    let hits = find_all(c, "ol#results > li[data-testid=hit]").await;
    for hit in &hits {
        let publisher = hit.find(Locator::Css(".publisher")).await;
        let publisher = publisher
            .expect(".publisher in a hit")
            .text()
            .await
            .unwrap();
        assert!(publisher.contains("PolitiFact"), "{publisher}");
        let badge = hit.find(Locator::Css(".badge")).await;
        let badge = badge.expect(".badge in a hit").text().await.unwrap();
        assert!(!badge.trim().is_empty(), "a verdict badge without text");
    }
    let facet = find(c, "select#publisher option[value='PolitiFact']").await;
    let facet = facet.text().await.unwrap();
    assert!(
        facet.contains(&filtered.to_string()),
        "the facet {facet:?} does not count the {filtered} hits"
    );

    let link = find(c, "ol#results > li[data-testid=hit] a.hit-link").await;
    let href = link.attr("href").await.unwrap().expect("hit link href");
    link.click().await.expect("open the claim");
    let page = wait_for_path(c, "a claim page", |p| p.starts_with("/claims/")).await;
    let id = claim_id_in(page.as_str()).expect("a claim id in the address");
    assert_eq!(
        claim_id_in(&href).as_ref(),
        Some(&id),
        "{href} opened {page}"
    );
    let claim = site.api(&format!("/api/v1/claims/{id}"));
    let shown = find(c, "#claim-text").await.text().await.unwrap();
    assert_eq!(shown.trim(), claim["text"].as_str().unwrap().trim());
    assert_eq!(claim["publisher"], "PolitiFact");
    find(c, "#claim-text[dir=auto]").await;
    let badge = find(c, "main .badge").await.text().await.unwrap();
    assert!(!badge.trim().is_empty());
    if let Some(url) = claim["url"].as_str() {
        let review = find(c, "a#review-link").await;
        assert_eq!(review.attr("href").await.unwrap().as_deref(), Some(url));
    }
}

/// Pastes the Arabizi post into the match page: the Arabic claim comes
/// first, with its band, score and the shared terms marked on both sides.
pub async fn match_a_post(c: &Client, site: &Site, post: &str, claim_id: &str) {
    open(c, site, "/match").await;
    fill(c, "form#match-form textarea#text", post).await;
    submit(c, "form#match-form").await;
    let parts = [".band", ".score", ".claim-marked mark"];
    first_item_links_to(
        c,
        "#match-results > li[data-testid=match]",
        claim_id,
        &parts,
    )
    .await;
    let marked = find_all(c, "#post-marked mark").await;
    assert!(!marked.is_empty(), "no shared term marked in the post");
    let post_shown = find(c, "#post-marked").await.text().await.unwrap();
    assert_eq!(post_shown.trim(), post.trim());
}

/// Follows the language switch to Arabic and waits for the page to turn.
async fn switch_to_arabic(c: &Client) {
    let link = find(c, "nav#lang-switch a[hreflang=ar]").await;
    link.click().await.expect("follow the language switch");
    find(c, "html[lang=ar][dir=rtl]").await;
}

#[test]
fn a_journalist_searches_filters_by_fact_checker_and_opens_the_claim_page() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        search_filter_and_open_a_claim(&c, &site).await;
        let json_ld = find(&c, "script#claimreview").await;
        let json_ld = json_ld.prop("textContent").await.unwrap().unwrap();
        let json_ld: serde_json::Value = serde_json::from_str(&json_ld).expect("JSON-LD");
        assert_eq!(json_ld["@type"], "ClaimReview");
    });
}

#[test]
fn a_pasted_paragraph_shows_the_claim_it_repeats_first_with_its_band() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        open(&c, &site, "/").await;
        let paragraph = "My aunt keeps forwarding this in the family group: eating bananas \
            is a preventative against the COVID-19 coronavirus disease, so everyone should \
            eat bananas every day to stay safe from the virus.";
        fill(&c, "form#search-form input#q", paragraph).await;
        submit(&c, "form#search-form").await;
        first_item_links_to(&c, "#matches > li[data-testid=match]", BANANAS, &[".band"]).await;
    });
}

#[test]
fn a_pasted_fact_check_url_finds_its_claim() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        open(&c, &site, "/").await;
        fill(&c, "form#search-form input#q", BREAD_REVIEW_URL).await;
        submit(&c, "form#search-form").await;
        first_item_links_to(&c, "#url-results > li[data-testid=url-hit]", BREAD, &[]).await;
    });
}

#[test]
fn the_match_page_finds_the_claim_an_arabic_post_repeats() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        match_a_post(&c, &site, ARABIC_POST, IRAQ_VACCINE).await;
        find(&c, "#post-marked[dir=auto]").await;
    });
}

#[test]
fn the_match_page_finds_the_arabic_claim_an_arabizi_post_repeats() {
    run(|site| async move {
        let c = site.browser(Options::lang("fr")).await;
        match_a_post(&c, &site, ARABIZI_POST, IRAQ_VACCINE).await;
    });
}

#[test]
fn the_whole_flow_works_with_javascript_disabled() {
    run(|site| async move {
        let c = site.browser(Options::lang("en").without_javascript()).await;
        assert_javascript_is_off(&c).await;
        search_filter_and_open_a_claim(&c, &site).await;
        match_a_post(&c, &site, ARABIZI_POST, IRAQ_VACCINE).await;
        // The language switch is a plain link; an editor's forms are plain
        // POST forms.
        switch_to_arabic(&c).await;
        sign_in(&c, &site, site.editor_key()).await;
        find(&c, "#new-claim-link").await;
        super::editor::fill_new_claim(&c, &site).await;
        submit(&c, "form#claim-form").await;
        let id = super::editor::shown_claim_id(&c).await;
        let stored = site.api(&format!("/api/v1/claims/{id}"));
        assert_eq!(stored["text"], super::editor::fixture_text());
    });
}

#[test]
fn the_arabic_interface_reads_right_to_left_and_is_remembered() {
    run(|site| async move {
        let c = site.browser(Options::lang("ar")).await;
        open(&c, &site, &format!("/claims/{IRAQ_VACCINE}")).await;
        find(&c, "html[lang=ar][dir=rtl]").await;
        let main = find(&c, "main").await;
        assert_eq!(main.css_value("direction").await.unwrap(), "rtl");
        // Claim text sets its own direction: Arabic here, so right to left.
        let text = find(&c, "#claim-text[dir=auto]").await;
        assert_eq!(text.css_value("direction").await.unwrap(), "rtl");

        // An English browser switches to Arabic, and the choice sticks.
        let en = site.browser(Options::lang("en")).await;
        open(&en, &site, "/").await;
        find(&en, "html[lang=en][dir=ltr]").await;
        switch_to_arabic(&en).await;
        open(&en, &site, "/match").await;
        find(&en, "html[lang=ar][dir=rtl]").await;
        let form = find(&en, "form#match-form").await;
        assert_eq!(form.css_value("direction").await.unwrap(), "rtl");
    });
}
