//! Editors through the pages: sign in with a key, create a claim, find it,
//! edit it; forged or missing CSRF tokens are refused with nothing
//! written; readers and visitors never see an editor control.

use fantoccini::{Client, Locator};

use super::*;

/// Test data made by the test itself, not a fact-check: a word no seed
/// claim holds, so a search for it finds only this claim.
const FIXTURE_WORD: &str = "zorblatfixture";

pub fn fixture_text() -> String {
    format!("Browser test fixture: the {FIXTURE_WORD} bridge closes on Mondays")
}

/// How many claims a search for `word` finds, through the API.
fn api_total(site: &Site, word: &str) -> u64 {
    site.api(&format!("/api/v1/claims?q={word}"))["total"]
        .as_u64()
        .expect("total")
}

/// Fills the new-claim form (the editor must be signed in).
pub async fn fill_new_claim(c: &Client, site: &Site) {
    open(c, site, "/claims/new").await;
    fill(c, "form#claim-form [name=text]", &fixture_text()).await;
    fill(c, "form#claim-form [name=title]", "Does the bridge close?").await;
    choose(c, "form#claim-form select[name=verdict]", "false").await;
}

/// The claim id of the claim page shown.
pub async fn shown_claim_id(c: &Client) -> String {
    let url = wait_for_path(c, "a claim page", |p| {
        p.starts_with("/claims/") && !p.ends_with("/new") && !p.ends_with("/edit")
    })
    .await;
    claim_id_in(url.as_str()).expect("a claim id in the address")
}

#[test]
fn an_editor_signs_in_creates_a_claim_finds_it_by_search_and_edits_it() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        sign_in(&c, &site, site.editor_key()).await;
        find(&c, "#new-claim-link").await.click().await.unwrap();
        find(&c, "form#claim-form").await;
        fill_new_claim(&c, &site).await;
        submit(&c, "form#claim-form").await;
        let id = shown_claim_id(&c).await;
        let stored = site.api(&format!("/api/v1/claims/{id}"));
        assert_eq!(stored["text"], fixture_text());
        assert_eq!(stored["verdict"], "false");
        assert!(find(&c, "#claim-text")
            .await
            .text()
            .await
            .unwrap()
            .contains(FIXTURE_WORD));

        open(&c, &site, &format!("/?q={FIXTURE_WORD}")).await;
        let hit = find(&c, "ol#results > li[data-testid=hit] a.hit-link").await;
        let href = hit.attr("href").await.unwrap().unwrap_or_default();
        assert_eq!(
            claim_id_in(&href),
            Some(id.clone()),
            "the search found {href}"
        );

        hit.click().await.unwrap();
        find(&c, "#edit-claim-link").await.click().await.unwrap();
        find(&c, "form#claim-form").await;
        let rating = "Closed only on public holidays";
        fill(&c, "form#claim-form [name=verdict_text]", rating).await;
        submit(&c, "form#claim-form").await;
        assert_eq!(shown_claim_id(&c).await, id);
        let shown = find(&c, "#rating-text").await.text().await.unwrap();
        assert!(shown.contains(rating), "{shown}");
        let edited = site.api(&format!("/api/v1/claims/{id}"));
        assert_eq!(edited["verdict_text"], rating);
        assert_eq!(edited["text"], fixture_text());
    });
}

#[test]
fn a_post_with_a_forged_or_missing_csrf_token_is_refused_and_writes_nothing() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        sign_in(&c, &site, site.editor_key()).await;
        for forge in [
            "document.querySelector('form#claim-form [name=csrf]').value = 'forged'",
            "document.querySelector('form#claim-form [name=csrf]').remove()",
        ] {
            fill_new_claim(&c, &site).await;
            c.execute(forge, vec![]).await.expect("forge the token");
            submit(&c, "form#claim-form").await;
            find(&c, "#error[data-status='403']").await;
            assert_eq!(
                api_total(&site, FIXTURE_WORD),
                0,
                "written despite: {forge}"
            );
        }

        // An edit with a forged token leaves the claim as it was.
        let id = super::flows::BANANAS;
        let before = site.api(&format!("/api/v1/claims/{id}"));
        open(&c, &site, &format!("/claims/{id}/edit")).await;
        fill(&c, "form#claim-form [name=verdict_text]", "forged edit").await;
        c.execute(
            "document.querySelector('form#claim-form [name=csrf]').value = 'forged'",
            vec![],
        )
        .await
        .expect("forge the token");
        submit(&c, "form#claim-form").await;
        find(&c, "#error[data-status='403']").await;
        assert_eq!(site.api(&format!("/api/v1/claims/{id}")), before);

        // The same form with its own token goes through: the refusals were
        // about the token, not the form.
        fill_new_claim(&c, &site).await;
        submit(&c, "form#claim-form").await;
        shown_claim_id(&c).await;
        assert_eq!(api_total(&site, FIXTURE_WORD), 1);
    });
}

#[test]
fn a_readers_session_and_a_visitor_see_no_editor_controls() {
    run(|site| async move {
        let c = site.browser(Options::lang("en")).await;
        let claim = format!("/claims/{}", super::flows::IRAQ_VACCINE);
        let pages = ["/", "/?q=trump", claim.as_str(), "/match"];
        for page in pages {
            open(&c, &site, page).await;
            find(&c, "#sign-in-link").await;
            assert!(!exists(&c, "[data-testid=editor-control]").await, "{page}");
        }
        c.goto(&site.url("/claims/new")).await.unwrap();
        wait_for_path(&c, "the sign-in page", |p| p == "/sign-in").await;

        sign_in(&c, &site, site.reader_key()).await;
        for page in pages {
            open(&c, &site, page).await;
            find(&c, "#signed-in").await;
            assert!(!exists(&c, "[data-testid=editor-control]").await, "{page}");
        }
        for page in ["/claims/new", "/import", &format!("{claim}/edit")] {
            open(&c, &site, page).await;
            find(&c, "#error[data-status='403']").await;
            assert!(
                !exists(&c, "form#claim-form, form#import-form").await,
                "{page}"
            );
        }

        // The same pages signed in as an editor do show the controls, so
        // their absence above means something.
        let editor = site.browser(Options::lang("en")).await;
        sign_in(&editor, &site, site.editor_key()).await;
        open(&editor, &site, &claim).await;
        find(&editor, "#edit-claim-link[data-testid=editor-control]").await;
        assert!(editor.find(Locator::Css("#new-claim-link")).await.is_ok());
    });
}
