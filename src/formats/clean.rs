//! Control characters at the boundary. Text from a file or a request may
//! hold C0 and C1 controls (a stray NUL, an ESC sequence pasted from a
//! terminal): they are never meaningful in a fact-check and some break
//! storage (SQLite's `length()` stops at a NUL, so a text starting with one
//! fails the store's non-empty check). Text fields lose them, keeping tab
//! and newline; an id holding one is refused, since silently changing an
//! id would file the record under another name.

use std::borrow::Cow;

use serde_json::Value;

use crate::model::{Appearance, Claim};

/// Whether `c` is stripped from text: C0 but tab and newline, DEL, C1.
fn is_stripped(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// `s` without control characters other than tab and newline.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_stripped) {
        Cow::Owned(s.chars().filter(|c| !is_stripped(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

fn in_place(s: &mut String) {
    if let Cow::Owned(clean) = text(s) {
        *s = clean;
    }
}

/// Refuses an id holding any control character (NUL, CR, LF, ...).
pub fn check_id(id: &str) -> Result<(), String> {
    match id.chars().find(|c| c.is_control() || is_stripped(*c)) {
        Some(c) => Err(format!(
            "the id holds a control character (U+{:04X})",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// A mapped record, refused if its id holds a control character or a link
/// is neither http nor https.
pub(crate) fn checked(claim: Claim) -> Result<Claim, String> {
    check_id(&claim.id)?;
    check_urls(&claim)?;
    Ok(claim)
}

fn check_urls(c: &Claim) -> Result<(), String> {
    c.url
        .iter()
        .chain(c.appearances.iter().filter_map(|a| a.url.as_ref()))
        .try_for_each(|url| check_url(&text(url)))
}

/// Keys whose strings are ids: checked by [`check_id`] once mapped, never
/// rewritten.
const ID_KEYS: [&str; 2] = ["id", "identifier"];

/// Strips control characters from every string of a parsed record but
/// its ids, before the record is mapped (so derived ids hash clean text).
pub(crate) fn value(v: &mut Value) {
    match v {
        Value::String(s) => in_place(s),
        Value::Array(items) => items.iter_mut().for_each(value),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if !ID_KEYS.contains(&key.as_str()) {
                    value(item);
                }
            }
        }
        _ => {}
    }
}

/// Refuses an address with a scheme other than http or https
/// (`javascript:`, `data:`, `file:`...): a fact-check's or an appearance's
/// link is followed by readers, on our pages and on the pages of whoever
/// exports our records. One without a scheme (`www.example.org/x`) is
/// kept as given; pages link only http(s) addresses.
pub fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim_start();
    let scheme_end = url.find(':').filter(|&i| {
        let scheme = &url[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    match scheme_end.map(|i| url[..i].to_ascii_lowercase()) {
        Some(scheme) if scheme != "http" && scheme != "https" => Err(format!(
            "the url must be an http or https address, not {scheme}:"
        )),
        _ => Ok(()),
    }
}

/// A claim as a request gave it, cleaned like an imported one; its id
/// (if any) must hold no control character, and its links must be http or
/// https addresses.
pub fn claim(mut c: Claim) -> Result<Claim, String> {
    check_id(&c.id)?;
    check_urls(&c)?;
    in_place(&mut c.text);
    for field in [
        &mut c.title,
        &mut c.subtitle,
        &mut c.lang,
        &mut c.verdict_text,
        &mut c.summary,
        &mut c.url,
        &mut c.publisher,
        &mut c.publisher_site,
        &mut c.claimant,
        &mut c.claim_date,
        &mut c.review_date,
        &mut c.country,
        &mut c.narrative,
    ] {
        field.as_mut().map(in_place);
    }
    c.tags.iter_mut().for_each(in_place);
    c.appearances = c.appearances.into_iter().map(appearance).collect();
    if let Some(raw) = c.raw.as_mut() {
        value(raw);
    }
    Ok(c)
}

/// An appearance without control characters in its fields.
pub fn appearance(mut a: Appearance) -> Appearance {
    for field in [&mut a.url, &mut a.platform, &mut a.text, &mut a.first_seen] {
        field.as_mut().map(in_place);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_loses_controls_but_keeps_tabs_newlines_and_letters() {
        assert_eq!(text("\u{0}a\tb\nc\r\u{1b}[0m\u{7f}\u{85}é"), "a\tb\nc[0mé");
        assert!(matches!(text("plain عربي"), Cow::Borrowed(_)));
    }

    #[test]
    fn links_other_than_http_or_https_are_refused() {
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>x</script>",
            "file:///etc/passwd",
            "vbscript:msgbox",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
        for good in [
            "https://www.snopes.com/fact-check/x/",
            "HTTP://example.org/a:b",
            "www.example.org/path:with-colon",
            "example.org",
        ] {
            assert!(check_url(good).is_ok(), "{good:?}");
        }
        let c = Claim {
            id: "c1".into(),
            text: "a claim".into(),
            url: Some("javascript:alert(1)".into()),
            ..Claim::default()
        };
        assert!(claim(c).unwrap_err().contains("http or https"));
    }

    #[test]
    fn ids_with_nul_cr_or_lf_are_refused() {
        for bad in ["a\u{0}b", "a\rb", "a\nb", "\u{9b}x"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_id("cr-0123 / x").is_ok());
    }

    #[test]
    fn a_record_is_cleaned_everywhere_but_its_ids() {
        let mut v = serde_json::json!({"id": "a\u{0}", "text": "\u{0}t", "tags": ["\u{1}x"],
            "appearances": [{"text": "p\u{0}"}]});
        value(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"id": "a\u{0}", "text": "t", "tags": ["x"],
                "appearances": [{"text": "p"}]})
        );
    }
}
