//! One check per fuzz target: whatever the bytes, nothing panics, and the
//! properties that must hold for every input hold. Shared, word for word,
//! by the fuzz targets and by `tests/it/fuzz_corpus.rs` (through `#[path]`),
//! so only `debunk`'s public API and crates both depend on are used here.

use std::sync::OnceLock;

use debunk::formats::{self, Format};
use debunk::text::{self, Lang};
use debunk::KnowledgeBase;

const LANGS: [Lang; 5] = [Lang::Ar, Lang::Fr, Lang::Es, Lang::En, Lang::Other];

/// A knowledge base in memory with the seed fact-checks, shared by the
/// read-only checks.
fn seeded() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let kb = KnowledgeBase::open_in_memory().expect("open a knowledge base in memory");
        kb.seed_if_new().expect("load the seed");
        kb
    })
}

/// Text analysis: normalization is idempotent, analyzers and spans stay in
/// bounds, transliteration and language identification take anything.
pub fn text(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let once = text::normalize(&s);
    assert_eq!(
        text::normalize(&once),
        once,
        "normalize is not idempotent on {s:?}"
    );
    let arabic = text::arabizi_to_arabic(&s);
    text::arabizi_to_arabic_all(&s);
    text::normalize(&arabic);
    for lang in LANGS {
        text::analyze(lang, &s);
        for (_, span) in text::analyze_spans(lang, &s) {
            assert!(
                span.start <= span.end && s.get(span.clone()).is_some(),
                "span {span:?} is not a slice of {s:?}"
            );
        }
    }
    for (_, span) in text::analyze_arabizi_spans(&s) {
        assert!(
            s.get(span.clone()).is_some(),
            "arabizi span {span:?} of {s:?}"
        );
    }
    text::ngrams(&s);
    text::detect(&s);
    text::plausible_langs(&s);
    text::clean_post(&s);
    formats::date::trailing_date(&s);
    // A posted_at the entry points accept is the day the matcher reads.
    if let Ok(day) = formats::date::read_stamp(&s) {
        assert_eq!(
            formats::date::day_of_stamp(&s),
            Some(day),
            "posted_at {s:?}"
        );
    }
    if let Some(url) = text::canonical_url(&s) {
        assert_eq!(
            text::canonical_url(&url).as_deref(),
            Some(url.as_str()),
            "canonical_url of {s:?}"
        );
    }
}

/// Every importer: a bad record is an error, never a panic; a good one
/// has text and an id without control characters.
pub fn import(data: &[u8]) {
    for format in [
        Format::Auto,
        Format::Jsonl,
        Format::Claimreview,
        Format::FactcheckApi,
    ] {
        let _ = formats::read(data, format, |record| {
            if let Ok(claim) = record {
                assert!(
                    !claim.text.trim().is_empty(),
                    "a record with no text was read"
                );
                assert!(
                    formats::clean::check_id(&claim.id).is_ok(),
                    "a bad id was read: {:?}",
                    claim.id
                );
                let json = formats::claimreview::to_json(&claim);
                formats::claimreview::expand(json);
            }
            Ok(())
        });
    }
}

/// The posts reader: every line gets an outcome, in order.
pub fn posts(data: &[u8]) {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    let kb = KB.get_or_init(|| KnowledgeBase::open_in_memory().expect("open a knowledge base"));
    let mut last = 0;
    let _ = kb.receive_posts(data, "fuzz", |line, _| {
        assert!(line > last, "line {line} came after {last}");
        last = line;
        Ok(())
    });
}

/// Search parameters as a query string: parsed, checked, run; a cursor
/// the search gave leads to the next page, and any other is refused.
pub fn query(data: &[u8]) {
    let kb = seeded();
    let Ok(params) = serde_urlencoded::from_bytes::<debunk::api::search::SearchParams>(data) else {
        return;
    };
    let Ok(mut query) = params.into_query() else {
        return;
    };
    query.limit = query.limit.clamp(1, 20);
    let Ok(page) = kb.search(&query) else {
        return;
    };
    assert!(page.hits.len() <= query.limit);
    if let Some(next) = page.next_cursor {
        query.cursor = Some(next);
        query.offset = 0;
        kb.search(&query).expect("a cursor the search gave is good");
    }
}

/// The NDJSON matcher: one JSON line out per line in.
pub fn ndjson(data: &[u8]) {
    let mut out = Vec::new();
    let Ok(_) = debunk::batch::run_on(debunk::batch::Pool::shared(), seeded(), data, &mut out, 3)
    else {
        return;
    };
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        serde_json::from_slice::<serde_json::Value>(line).expect("an output line is JSON");
    }
}

/// The web layer's parsing: cookies, the `next` path, the claim form.
pub fn web(data: &[u8]) {
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_bytes(data) {
        headers.insert(http::header::COOKIE, value.clone());
        headers.insert(http::header::ORIGIN, value.clone());
        headers.insert(http::header::HOST, value);
        for name in ["dbk_session", "dbk_csrf", "lang"] {
            debunk::web::session::cookie(&headers, name);
        }
        debunk::web::session::same_origin(&headers);
    }
    let s = String::from_utf8_lossy(data);
    let next = debunk::web::session::local_path(Some(&s));
    assert!(
        next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\"),
        "{next:?} leaves the site"
    );
    if let Ok(form) = serde_urlencoded::from_bytes::<debunk::web::editor::ClaimForm>(data) {
        if let Ok(claim) = form.apply(debunk::model::Claim::default()) {
            let _ = formats::clean::claim(claim);
        }
    }
}
