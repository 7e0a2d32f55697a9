//! What a moderator does: work the review queue with the keyboard, the
//! next card coming in place (and with buttons when JavaScript is off), meet a decision someone else made
//! first, read a narrative's timeline, and keep the thresholds in order.
//!
//! The posts here were written for these tests; each repeats a real seed
//! fact-check (`seed-data/claims.jsonl`), in Darija, in Arabic or in
//! Arabizi. No fact-check is invented.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::Client;
use serde_json::{json, Value};

use super::flows::{ARABIC_POST, ARABIZI_POST};
use super::*;

/// Fatabyyano: a 2019 video of floods in Morocco passed off as the
/// September 2024 floods in the province of Tata.
pub const TATA: &str = "cr-75b189a0a5defab5";

/// Posts that repeat the Tata claim in Darija, with where and when they
/// were published: three days, three platforms.
pub const TATA_POSTS: [(&str, &str, &str); 4] = [
    (
        "فيضانات خايبة ضربات إقليم طاطا والناس كيغرقو على المباشر والسلطات ما دارت والو، شوفو الفيديو قبل ما يتحيد",
        "https://www.tiktok.com/@flood.news.ma/video/7412000000000000001",
        "2024-09-08T07:40:00Z",
    ),
    (
        "عاجل فيضانات ضربات إقليم طاطا والساكنة كتغرق على المباشر والسلطات غايبة، شاركو الفيديو",
        "https://www.facebook.com/groups/tata.news/posts/1001",
        "2024-09-08T12:05:00Z",
    ),
    (
        "طاطا غارقة: فيضانات في الإقليم والناس كيغرقو على المباشر بلا حتى تدخل من السلطات",
        "https://x.com/maghrib_direct/status/1833000000000000002",
        "2024-09-09T18:30:00Z",
    ),
    (
        "شوفو شنو واقع ف طاطا، فيضانات والساكنة كتغرق على المباشر والسلطات ما دارت والو",
        "https://www.tiktok.com/@tata.live/video/7413000000000000003",
        "2024-09-11T09:15:00Z",
    ),
];

/// Days on which the Tata posts were published.
pub const TATA_DAYS: usize = 3;

/// Sends the morning's posts through the API, as a stream of posts would
/// arrive: the Tata posts, then the Iraqi vaccine claim in Arabic and in
/// Arabizi (the Arabic one seen twice). Returns the Tata claim's links.
pub fn morning_posts(site: &Site) -> Vec<i64> {
    let mut tata = Vec::new();
    for (text, url, at) in TATA_POSTS {
        let answer = post(site, json!({"text": text, "url": url, "posted_at": at}));
        tata.extend(links_to(&answer, TATA));
    }
    let facebook = "https://www.facebook.com/share/p/iraq.vaccine.7m";
    for _ in 0..2 {
        post(site, json!({"text": ARABIC_POST, "url": facebook}));
    }
    post(site, json!({"text": ARABIZI_POST, "platform": "whatsapp"}));
    assert_eq!(tata.len(), TATA_POSTS.len(), "every Tata post is suggested");
    tata
}

fn post(site: &Site, body: Value) -> Value {
    let (status, answer) = site.api_call("POST", "/api/v1/posts", Some(&body));
    assert!(status == 200 || status == 201, "{status}: {answer}");
    answer
}

fn links_to(answer: &Value, claim: &str) -> Vec<i64> {
    answer["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["claim_id"] == claim)
        .filter_map(|l| l["id"].as_i64())
        .collect()
}

/// The narrative the Tata posts tell, over the API; returns its page.
pub fn tata_narrative(site: &Site) -> String {
    let body = json!({
        "title": "Tata floods: old videos passed off as new",
        "description": "Videos of earlier floods shared as the floods of September 2024 in the province of Tata, with claims that the authorities did nothing.",
        "event_date": "2024-09-07",
        "event_end": "2024-09-11",
        "place": "Tata, Morocco",
        "claims": [TATA]
    });
    let (status, made) = site.api_call("POST", "/api/v1/narratives", Some(&body));
    assert_eq!(status, 201, "{made}");
    format!("/narratives/{}", made["id"].as_str().expect("narrative id"))
}

/// The first card of the queue: its link id.
pub async fn first_card(c: &Client) -> i64 {
    let card = find(c, "ol#queue > li[data-testid=review-card]").await;
    let id = card.attr("data-link").await.unwrap().expect("data-link");
    id.parse().expect("a link id")
}

/// Presses one key, wherever the focus is, as a person would.
async fn press(c: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.expect("press a key");
}

/// Waits until the queue says what the last decision did.
async fn decided(c: &Client, done: &str) {
    let want = format!("done={done}");
    wait_for_path(c, "the queue after a decision", |p| p == "/review").await;
    let deadline = std::time::Instant::now() + WAIT;
    while !c
        .current_url()
        .await
        .unwrap()
        .query()
        .unwrap_or("")
        .contains(&want)
    {
        assert!(std::time::Instant::now() < deadline, "never saw {want}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    find(c, "#review-status").await;
}

/// Decides a card of the queue shown with its button (`confirm` or
/// `reject`), with a note if one is given, and waits for the answer.
pub async fn decide_card(c: &Client, link: i64, action: &str, note: Option<&str>) {
    let card = format!("#card-{link}");
    if let Some(note) = note {
        fill(c, &format!("{card} input[name=note]"), note).await;
    }
    find(c, &format!("{card} .{action}-button"))
        .await
        .click()
        .await
        .expect("press the decision's button");
    decided(c, &format!("{action}ed")).await;
}

/// Confirms the queue's first card with its button, as a moderator does;
/// returns its link.
pub async fn confirm_first_card(c: &Client, site: &Site) -> i64 {
    open(c, site, "/review").await;
    let first = first_card(c).await;
    decide_card(c, first, "confirm", None).await;
    first
}

/// The link as the API has it, and the actor of its last audit row.
fn link_and_actor(site: &Site, link: i64) -> (Value, String) {
    let stored = site.api(&format!("/api/v1/links/{link}"));
    let trail = site.api(&format!("/api/v1/audit?entity=link&id={link}"));
    let last = trail.as_array().and_then(|t| t.last()).cloned();
    let actor = last.map(|a| a["actor"].as_str().unwrap_or("").to_string());
    (stored, actor.unwrap_or_default())
}

#[test]
fn a_moderator_confirms_and_rejects_from_the_keyboard_and_the_next_card_takes_focus() {
    run(|site| async move {
        morning_posts(&site);
        let c = site.browser(Options::lang("en")).await;
        sign_in(&c, &site, site.editor_key()).await;
        open(&c, &site, "/review").await;
        let keys = find(&c, "#review-keys").await;
        assert!(keys.is_displayed().await.unwrap(), "the keys are announced");
        let first = first_card(&c).await;
        // A mark on this document: it is still there after the decision
        // if the next card came in place, without a reload.
        c.execute("window.sameDocument = true;", vec![])
            .await
            .unwrap();
        press(&c, 'c').await;
        decided(&c, "confirmed").await;
        let same = c
            .execute("return window.sameDocument === true;", vec![])
            .await
            .unwrap();
        assert_eq!(same, Value::Bool(true), "the page was reloaded");
        let status = find(&c, "#review-status").await.text().await.unwrap();
        assert!(status.contains("Confirmed"), "{status:?}");
        // The next card is first, and has the focus.
        let next = first_card(&c).await;
        assert_ne!(next, first);
        let focused = c.active_element().await.unwrap();
        assert_eq!(
            focused.attr("id").await.unwrap(),
            Some(format!("card-{next}"))
        );
        // j moves on; r rejects the card it moved to.
        press(&c, 'j').await;
        let focused = c.active_element().await.unwrap();
        let moved = focused.attr("data-link").await.unwrap().unwrap();
        assert_ne!(moved, next.to_string());
        press(&c, 'r').await;
        decided(&c, "rejected").await;

        let (confirmed, actor) = link_and_actor(&site, first);
        assert_eq!(confirmed["status"], "confirmed");
        assert_eq!(confirmed["decided_by"], "editor");
        assert_eq!(actor, "editor");
        let (rejected, actor) = link_and_actor(&site, moved.parse().unwrap());
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(actor, "editor");
        let (untouched, _) = link_and_actor(&site, next);
        assert_eq!(untouched["status"], "suggested");
    });
}

#[test]
fn without_javascript_the_buttons_decide_and_a_link_decided_meanwhile_shows_the_conflict() {
    run(|site| async move {
        morning_posts(&site);
        let c = site.browser(Options::lang("en").without_javascript()).await;
        assert_javascript_is_off(&c).await;
        sign_in(&c, &site, site.editor_key()).await;
        open(&c, &site, "/review?sort=most_seen").await;
        // Most seen first: the Arabic post was received twice.
        let seen = find(&c, "ol#queue > li .seen").await.text().await.unwrap();
        assert_eq!(first_number(&seen), 2, "{seen}");
        let first = first_card(&c).await;
        decide_card(&c, first, "confirm", Some("same claim, same figure")).await;
        assert!(c
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("sort=most_seen"));
        let (confirmed, actor) = link_and_actor(&site, first);
        assert_eq!(confirmed["status"], "confirmed");
        assert_eq!(confirmed["note"], "same claim, same figure");
        assert_eq!(actor, "editor");

        let second = first_card(&c).await;
        decide_card(&c, second, "reject", None).await;
        assert_eq!(link_and_actor(&site, second).0["status"], "rejected");

        // Another moderator rejects the next card over the API while this
        // page shows it; confirming it here then changes nothing.
        let third = first_card(&c).await;
        let (status, _) = site.api_call("POST", &format!("/api/v1/links/{third}/reject"), None);
        assert_eq!(status, 200);
        find(&c, &format!("#card-{third} .confirm-button"))
            .await
            .click()
            .await
            .unwrap();
        let conflict = find(&c, "#review-conflict").await.text().await.unwrap();
        assert!(conflict.contains("already"), "{conflict:?}");
        assert_eq!(link_and_actor(&site, third).0["status"], "rejected");
        assert!(!exists(&c, &format!("#card-{third}")).await);
    });
}

/// The narrative page's timeline: one bar per day with posts, the table
/// beside it, the claim with its badge.
async fn timeline_has_a_bar_per_day(c: &Client, site: &Site, href: &str) {
    open(c, site, href).await;
    let claims = find_all(c, "#narrative-claims > li[data-testid=narrative-claim]").await;
    assert_eq!(claims.len(), 1);
    find(c, "#narrative-claims .badge").await;
    let days = find_all(c, "svg#timeline-chart g[data-testid=timeline-day]").await;
    assert_eq!(days.len(), TATA_DAYS, "one bar per day that has posts");
    let mut total = 0;
    for day in &days {
        let posts: u64 = day
            .attr("data-posts")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        assert!(posts > 0);
        total += posts;
        assert!(!find_all_in(day, "rect").await.is_empty());
    }
    assert!(total >= TATA_POSTS.len() as u64, "{total}");
    find(c, "svg#timeline-chart title").await;
    find(c, "svg#timeline-chart desc").await;
    let legend = find_all(c, "svg#timeline-chart .legend text").await;
    assert!(legend.len() >= 3, "a legend entry per platform");
    let rows = find_all(c, "#timeline-table tbody tr").await;
    assert_eq!(rows.len(), TATA_DAYS);
    let shown = find(c, "svg#timeline-chart").await;
    let (_, _, w, h) = shown.rectangle().await.unwrap();
    assert!(w > 100.0 && h > 50.0, "the chart is drawn: {w}x{h}");
}

async fn find_all_in(
    element: &fantoccini::elements::Element,
    css: &str,
) -> Vec<fantoccini::elements::Element> {
    element
        .find_all(fantoccini::Locator::Css(css))
        .await
        .expect("find elements")
}

#[test]
fn a_narrative_page_shows_its_claims_and_a_timeline_bar_per_day_with_and_without_javascript() {
    run(|site| async move {
        let href = tata_narrative(&site);
        morning_posts(&site);
        let on = site.browser(Options::lang("en")).await;
        timeline_has_a_bar_per_day(&on, &site, &href).await;
        let off = site.browser(Options::lang("ar").without_javascript()).await;
        timeline_has_a_bar_per_day(&off, &site, &href).await;
        find(&off, "html[dir=rtl]").await;
        // The list links to it with its counts.
        open(&off, &site, "/narratives").await;
        let row = find(&off, "table#narratives tr[data-testid=narrative-row]").await;
        assert!(row.text().await.unwrap().contains("Tata"));
    });
}

#[test]
fn the_settings_form_refuses_a_suggest_threshold_above_the_confirm_one() {
    run(|site| async move {
        let c = site.browser(Options::lang("fr")).await;
        sign_in(&c, &site, site.admin_key()).await;
        open(&c, &site, "/settings").await;
        fill(&c, "form#settings-form #suggest_at", "0.9").await;
        fill(&c, "form#settings-form #confirm_at", "0.5").await;
        submit(&c, "form#settings-form").await;
        let why = find(&c, "#form-error").await.text().await.unwrap();
        assert!(why.contains("confirm_at"), "{why:?}");
        let kept = find(&c, "#suggest_at").await.prop("value").await.unwrap();
        assert_eq!(
            kept.as_deref(),
            Some("0.9"),
            "the form keeps what was typed"
        );
        let stored = site.api("/api/v1/settings");
        assert!(stored["confirm_at"].is_null(), "{stored}");
        fill(&c, "form#settings-form #suggest_at", "0.35").await;
        fill(&c, "form#settings-form #confirm_at", "0.97").await;
        submit(&c, "form#settings-form").await;
        find(&c, "#settings-saved").await;
        assert_eq!(
            site.api("/api/v1/settings"),
            json!({"suggest_at": 0.35, "confirm_at": 0.97})
        );
    });
}
