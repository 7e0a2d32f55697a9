//! axe-core on every page in every interface language: no serious or
//! critical violation. axe-core is read from what `scripts/test` installed
//! and injected by the test; debunk never serves it.

use super::flows::{public_pages, IRAQ_VACCINE};
use super::*;

/// Every page a person reaches, signed out and then signed in as an editor,
/// in one interface language; all violations are listed before failing.
fn audit(lang: &'static str) {
    run(move |site| async move {
        let c = site.browser(Options::lang(lang)).await;
        let mut found = Vec::new();
        for (name, path) in public_pages() {
            open(&c, &site, &path).await;
            find(&c, &format!("html[lang={lang}]")).await;
            for v in serious_violations(&c).await {
                found.push(format!("{name} ({path}): {v}"));
            }
        }
        sign_in(&c, &site, site.editor_key()).await;
        let claim = format!("/claims/{IRAQ_VACCINE}");
        let edit = format!("{claim}/edit");
        for (name, path) in [
            ("new claim form", "/claims/new"),
            ("edit form", edit.as_str()),
            ("import form", "/import"),
            ("claim as editor", claim.as_str()),
        ] {
            open(&c, &site, path).await;
            for v in serious_violations(&c).await {
                found.push(format!("{name} ({path}): {v}"));
            }
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
