//! Property tests (proptest): normalization is idempotent on any text,
//! export → import leaves every claim as it was (JSONL and ClaimReview),
//! and cursor pagination visits each matching claim exactly once.

use std::collections::HashSet;

use debunk::formats::{ExportFormat, Format};
use debunk::index::{SearchQuery, SearchSort};
use debunk::kb::{ImportOptions, KnowledgeBase};
use proptest::prelude::*;
use serde_json::Value;

/// Words of every language debunk reads, Arabizi and marks included.
const WORDS: &[&str] = &[
    "vaccin",
    "puce",
    "frontière",
    "vacuna",
    "frontera",
    "vaccine",
    "chip",
    "border",
    "fence",
    "كورونا",
    "اللقاح",
    "الحدود",
    "مُسْتَشْفَى",
    "ـــ",
    "l9a7",
    "3ayla",
    "7bibi",
    "corona",
    "١٢٣",
    "2024",
    "#BoycottFrance",
    "@user",
    "https://example.org/a?b=1",
    "İstanbul",
    "ﷲ",
];

fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), min..max).prop_map(|w| w.join(" "))
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        words(0, 12),
        any::<String>(),
        "[\\u{0600}-\\u{06FF}a-z0-9 \\u{064B}-\\u{065F}\\u{0640}]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn normalizing_normalized_text_changes_nothing(text in any_text()) {
        let once = debunk::text::normalize(&text);
        prop_assert_eq!(debunk::text::normalize(&once), once);
    }
}

/// A claim as a fact-checker's file might hold it, in JSONL.
fn claim(i: usize) -> impl Strategy<Value = Value> {
    let verdicts = prop::sample::select(vec!["false", "misleading", "true", "mixed", "satire"]);
    let langs = prop::sample::select(vec!["en", "fr", "es", "ar"]);
    (
        words(2, 10),
        prop::option::of(words(1, 6)),
        prop::option::of(verdicts),
        langs,
        prop::option::of(0u32..3000),
        prop::collection::vec(prop::sample::select(vec!["health", "border", "صحة"]), 0..3),
    )
        .prop_map(move |(text, title, verdict, lang, day, tags)| {
            let mut v = serde_json::json!({
                "id": format!("prop-{i}"),
                "text": format!("pagemark {text}"),
                "lang": lang,
                "url": format!("https://example.org/review/{i}"),
                "publisher": "Prop Desk",
                "tags": tags,
            });
            if let Some(t) = title {
                v["title"] = t.into();
            }
            if let Some(verdict) = verdict {
                v["verdict"] = verdict.into();
                v["verdict_text"] = format!("rated {verdict}").into();
            }
            if let Some(d) = day {
                let date = time::Date::from_ordinal_date(2016, 1).unwrap()
                    + time::Duration::days(d.into());
                v["review_date"] = date.to_string().into();
            }
            v
        })
}

fn claims(max: usize) -> impl Strategy<Value = Vec<Value>> {
    (1..max).prop_flat_map(|n| (0..n).map(claim).collect::<Vec<_>>())
}

fn kb_with(body: &[u8], format: Format) -> KnowledgeBase {
    let kb = KnowledgeBase::open_in_memory().unwrap();
    let options = ImportOptions {
        format,
        ..ImportOptions::default()
    };
    let report = kb.import(body, &options, |_| {}).unwrap();
    assert_eq!(report.skipped, 0, "{:?}", report.errors);
    kb
}

/// The JSONL export, one claim a value, without what only the store
/// decides (when and how often it was written).
fn exported(kb: &KnowledgeBase) -> Vec<Value> {
    let mut out = Vec::new();
    kb.export(&mut out, ExportFormat::Jsonl).unwrap();
    let mut claims: Vec<Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut v: Value = serde_json::from_slice(l).unwrap();
            for key in ["created_at", "updated_at", "version"] {
                v.as_object_mut().unwrap().remove(key);
            }
            v
        })
        .collect();
    claims.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    claims
}

fn export_as(kb: &KnowledgeBase, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    kb.export(&mut out, format).unwrap();
    out
}

fn jsonl(claims: &[Value]) -> Vec<u8> {
    claims
        .iter()
        .map(|c| format!("{c}\n"))
        .collect::<String>()
        .into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_jsonl_export_imported_again_holds_the_same_claims(input in claims(12)) {
        let first = kb_with(&jsonl(&input), Format::Jsonl);
        let again = kb_with(&export_as(&first, ExportFormat::Jsonl), Format::Jsonl);
        prop_assert_eq!(exported(&again), exported(&first));
    }

    #[test]
    fn a_claimreview_export_imported_again_holds_the_same_claims(input in claims(12)) {
        let first = kb_with(&jsonl(&input), Format::Jsonl);
        let again = kb_with(&export_as(&first, ExportFormat::Claimreview), Format::Claimreview);
        prop_assert_eq!(exported(&again), exported(&first));
    }

    #[test]
    fn cursor_pages_visit_each_matching_claim_exactly_once(
        input in claims(40),
        limit in 1usize..8,
        by_date in any::<bool>(),
    ) {
        let kb = kb_with(&jsonl(&input), Format::Jsonl);
        let mut query = SearchQuery {
            q: "pagemark".into(),
            limit,
            sort: if by_date { SearchSort::Date } else { SearchSort::Relevance },
            ..Default::default()
        };
        let mut seen = Vec::new();
        loop {
            let page = kb.search(&query).unwrap();
            prop_assert_eq!(page.total, input.len() as u64);
            prop_assert!(page.hits.len() <= limit);
            seen.extend(page.hits.into_iter().map(|h| h.claim.id));
            match page.next_cursor {
                Some(next) => query.cursor = Some(next),
                None => break,
            }
            prop_assert!(seen.len() <= input.len(), "more pages than claims");
        }
        let unique: HashSet<&String> = seen.iter().collect();
        prop_assert_eq!(unique.len(), seen.len(), "a claim came twice: {:?}", seen);
        prop_assert_eq!(seen.len(), input.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Found by schemathesis: `from=0184-06-13` overflowed tantivy's
    /// nanosecond dates and answered 500.
    #[test]
    fn any_day_of_any_year_filters_a_search_and_dates_a_claim(
        year in 1i32..9999,
        ordinal in 1u16..366,
        later in 0i64..400_000,
    ) {
        let day = time::Date::from_ordinal_date(year, ordinal).unwrap();
        let to = day.checked_add(time::Duration::days(later)).unwrap_or(time::Date::MAX);
        let claim = serde_json::json!({
            "id": "dated", "text": "pagemark a dated claim", "review_date": day.to_string(),
        });
        let kb = kb_with(&jsonl(&[claim]), Format::Jsonl);
        let page = kb.search(&SearchQuery {
            q: "pagemark".into(),
            from: Some(day),
            to: Some(to),
            limit: 10,
            ..Default::default()
        });
        prop_assert!(page.is_ok(), "{:?}", page.err());
    }
}
