//! URL canonicalization, so that the many spellings of one post's link
//! (mobile host, tracking parameters, short forms) find the same appearance.

use ::url::{form_urlencoded, Url};

/// Query parameters that identify a click or a share, never the content.
fn is_tracking_param(key: &str, host: &str) -> bool {
    let key_lower = key.to_ascii_lowercase();
    let key = key_lower.as_str();
    key.starts_with("utm_")
        || key.starts_with("__cft__")
        || matches!(
            key,
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "igshid"
                | "igsh"
                | "si"
                | "feature"
                | "ref"
                | "ref_src"
                | "ref_url"
                | "mibextid"
                | "__tn__"
                | "_rdc"
                | "_rdr"
                | "is_from_webapp"
                | "sender_device"
        )
        // On x.com, s and t are share-sheet markers; elsewhere they can be a
        // search query or a timestamp, so they stay.
        || (host == "x.com" && matches!(key, "s" | "t"))
        || (host.ends_with("tiktok.com") && matches!(key, "_r" | "_t"))
}

fn host_alias(mut host: &str) -> &str {
    // Every such prefix, not only the first: `www.m.example.com` must give
    // what its canonical form gives again.
    while let Some(rest) = ["www.", "m.", "mobile."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
    {
        host = rest;
    }
    match host {
        "twitter.com" => "x.com",
        _ => host,
    }
}

/// Returns the YouTube video id of `youtu.be/ID`, `youtube.com/shorts/ID`,
/// `/embed/ID`, `/live/ID` and `/watch?v=ID`.
fn youtube_video(host: &str, url: &Url) -> Option<String> {
    let mut segments = url.path_segments()?;
    let first = segments.next()?;
    let id = match host {
        "youtu.be" => first,
        "youtube.com" => match first {
            "shorts" | "embed" | "live" | "v" => segments.next()?,
            "watch" => {
                return url
                    .query_pairs()
                    .find(|(k, _)| k == "v")
                    .map(|(_, v)| v.into_owned())
            }
            _ => return None,
        },
        _ => return None,
    };
    (!id.is_empty()).then(|| id.to_string())
}

pub fn canonical_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let lower_start = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    let url = if lower_start.starts_with("http://") || lower_start.starts_with("https://") {
        Url::parse(raw).ok()?
    } else if lower_start.starts_with("www.") {
        Url::parse(&format!("https://{raw}")).ok()?
    } else {
        return None;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = host_alias(url.host_str()?);
    if host.is_empty() || !host.contains('.') {
        return None;
    }

    if let Some(id) = youtube_video(host, &url) {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("v", &id);
        return Some(format!("https://youtube.com/watch?{}", query.finish()));
    }

    let mut out = String::with_capacity(raw.len());
    out.push_str("https://");
    out.push_str(host);
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(url.path().trim_end_matches('/'));

    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.is_empty() && !is_tracking_param(k, host))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !params.is_empty() {
        params.sort();
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(params);
        out.push('?');
        out.push_str(&query.finish());
    }
    Some(out)
}

pub fn platform_of(canonical: &str) -> Option<&'static str> {
    let rest = canonical
        .strip_prefix("https://")
        .or_else(|| canonical.strip_prefix("http://"))
        .unwrap_or(canonical);
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let host = host_alias(&host);
    let is = |domain: &str| {
        host == domain || host.strip_suffix(domain).is_some_and(|h| h.ends_with('.'))
    };
    let platform = if is("x.com") || is("t.co") {
        "x"
    } else if is("tiktok.com") {
        "tiktok"
    } else if is("facebook.com") || is("fb.com") || is("fb.watch") || is("fb.me") {
        "facebook"
    } else if is("instagram.com") || is("instagr.am") {
        "instagram"
    } else if is("youtube.com") || is("youtu.be") {
        "youtube"
    } else if is("t.me") || is("telegram.me") || is("telegram.org") {
        "telegram"
    } else if is("wa.me") || is("whatsapp.com") {
        "whatsapp"
    } else if is("reddit.com") || is("redd.it") {
        "reddit"
    } else if is("threads.net") || is("threads.com") {
        "threads"
    } else if is("linkedin.com") {
        "linkedin"
    } else if is("snapchat.com") {
        "snapchat"
    } else if is("bsky.app") {
        "bluesky"
    } else if is("vk.com") {
        "vk"
    } else {
        return None;
    };
    Some(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_mobile_and_www_prefixes_all_go_so_the_form_is_stable() {
        // Found by the `text` fuzz target: `www.m.x` gave `m.x`, whose own
        // canonical form is another (or none).
        assert_eq!(canon("www.m.facebook.com/a"), "https://facebook.com/a");
        assert_eq!(canon("https://m.www.twitter.com/a"), "https://x.com/a");
        assert_eq!(canonical_url("www.m.axtesw?q=1"), None);
        for raw in ["www.m.example.com/p?a=1", " www.m.axtEsw?\0\0\0tm_s=f "] {
            if let Some(once) = canonical_url(raw) {
                assert_eq!(canonical_url(&once), Some(once.clone()), "{raw:?}");
            }
        }
    }

    fn canon(url: &str) -> String {
        canonical_url(url).unwrap_or_else(|| format!("None for {url}"))
    }

    #[test]
    fn scheme_and_host_are_lowercased_and_upgraded_to_https() {
        assert_eq!(
            canon("HTTP://WWW.Example.COM/Path/To/"),
            "https://example.com/Path/To"
        );
    }

    #[test]
    fn mobile_hosts_and_twitter_become_canonical() {
        assert_eq!(
            canon("https://mobile.twitter.com/user/status/123"),
            "https://x.com/user/status/123"
        );
        assert_eq!(
            canon("https://m.facebook.com/story.php?id=1"),
            "https://facebook.com/story.php?id=1"
        );
    }

    #[test]
    fn tracking_parameters_and_fragments_are_dropped_and_the_rest_sorted() {
        assert_eq!(
            canon("https://example.com/a?utm_source=x&b=2&fbclid=abc&a=1#top"),
            "https://example.com/a?a=1&b=2"
        );
        assert_eq!(
            canon("https://x.com/u/status/1?s=20&t=abc"),
            "https://x.com/u/status/1"
        );
        assert_eq!(
            canon("https://example.com/search?s=vaccin"),
            "https://example.com/search?s=vaccin"
        );
    }

    #[test]
    fn youtube_forms_point_to_the_watch_page() {
        let expected = "https://youtube.com/watch?v=dQw4w9WgXcQ";
        assert_eq!(canon("https://youtu.be/dQw4w9WgXcQ?si=abc"), expected);
        assert_eq!(
            canon("https://www.youtube.com/shorts/dQw4w9WgXcQ"),
            expected
        );
        assert_eq!(
            canon("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&list=PL1"),
            expected
        );
    }

    #[test]
    fn tiktok_short_links_stay_short() {
        assert_eq!(
            canon("https://vm.tiktok.com/ZMabc123/"),
            "https://vm.tiktok.com/ZMabc123"
        );
    }

    #[test]
    fn bare_www_links_are_urls() {
        assert_eq!(canon("www.hespress.com/x"), "https://hespress.com/x");
    }

    #[test]
    fn non_urls_are_rejected() {
        for text in [
            "",
            "hello world",
            "ftp://example.com/file",
            "mailto:a@b.c",
            "https://",
            "javascript:alert(1)",
        ] {
            assert_eq!(canonical_url(text), None, "{text}");
        }
    }

    #[test]
    fn platforms_are_named_from_the_host() {
        assert_eq!(platform_of("https://x.com/u/status/1"), Some("x"));
        assert_eq!(platform_of("https://vm.tiktok.com/ZMabc"), Some("tiktok"));
        assert_eq!(
            platform_of("https://youtube.com/watch?v=1"),
            Some("youtube")
        );
        assert_eq!(platform_of("https://t.me/channel/5"), Some("telegram"));
        assert_eq!(
            platform_of("https://chat.whatsapp.com/abc"),
            Some("whatsapp")
        );
        assert_eq!(platform_of("https://hespress.com/x"), None);
        assert_eq!(platform_of("https://notx.com/x"), None);
    }
}
