//! Search through the knowledge base and the CLI: Arabic forms, Arabizi,
//! French elision, and an index that can always be rebuilt.

use serde_json::json;

use crate::common::*;

/// Real record of the Arabic set: the claim says `العراقيه` and `باللقاح كورونا`.
const IRAQ_VACCINE: &str = "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا";
/// Real record: `بإغلاق السفارة السورية` (hamza on alef, ta marbuta).
const EGYPT_EMBASSY: &str =
    "خبر زعم ناشروه قيام الحكومة المصرية بإغلاق السفارة السورية في القاهرة، حتى إشعار آخر.";

fn id_of(kb: &debunk::KnowledgeBase, text: &str) -> String {
    let hits = kb
        .search(&debunk::index::SearchQuery {
            q: text.into(),
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .hits;
    let hit = hits.first().expect("the claim finds itself");
    assert_eq!(hit.claim.text, text);
    hit.claim.id.clone()
}

#[test]
fn arabic_spelling_variants_find_the_same_claim() {
    let kb = kb_from_file(&arabic_claimreview());
    let iraq = id_of(&kb, IRAQ_VACCINE);
    let egypt = id_of(&kb, EGYPT_EMBASSY);
    let variants = [
        // ة / ه and plain
        ("وزارة الصحة العراقية تعويض", &iraq),
        ("وزاره الصحه العراقيه تعويض", &iraq),
        // harakat
        ("وَزَارَةُ الصِّحَّةِ العِرَاقِيَّة تَعْوِيض", &iraq),
        // tatweel
        ("وزارـــة الصحـــة العراقيـــة تعويـــض", &iraq),
        // hamza forms
        ("إغلاق السفارة السورية", &egypt),
        ("اغلاق السفاره السوريه", &egypt),
        ("أغلاق السفارة السورية", &egypt),
    ];
    for (q, want) in variants {
        let top = top_ids(&kb, q, 3);
        assert_eq!(top.first(), Some(want), "query {q:?} gave {top:?}");
    }
}

#[test]
fn alef_maqsura_and_ya_spellings_meet() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    // Analysis test data, not fact-checks: the same sentence spelled with ى and with ي.
    import_jsonl(
        &kb,
        &[
            json!({"id": "maqsura", "text": "نقل المريض إلى المستشفى الكبرى", "lang": "ar"}),
            json!({"id": "other", "text": "افتتاح ملعب جديد في المدينة", "lang": "ar"}),
        ],
    );
    for q in ["المستشفى الكبرى", "المستشفي الكبري"] {
        assert_eq!(top_ids(&kb, q, 1), vec!["maqsura"], "query {q}");
    }
}

#[test]
fn a_plural_with_prefixes_finds_singular_and_prefixed_forms() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    // Analysis test data, not fact-checks.
    import_jsonl(
        &kb,
        &[
            json!({"id": "prefixed", "text": "الحكومة تفرض الكمامات واللقاحات على الموظفين", "lang": "ar"}),
            json!({"id": "singular", "text": "لقاح جديد يسبب العقم", "lang": "ar"}),
            json!({"id": "unrelated", "text": "ارتفاع أسعار الخبز في الأسواق", "lang": "ar"}),
        ],
    );
    let mut top = top_ids(&kb, "اللقاحات", 10);
    top.sort();
    assert_eq!(top, vec!["prefixed", "singular"]);
}

#[test]
fn an_arabizi_query_finds_the_arabic_claim() {
    let kb = kb_from_file(&arabic_claimreview());
    let iraq = id_of(&kb, IRAQ_VACCINE);
    for q in ["l9a7 corona", "la9a7 korona"] {
        let top = top_ids(&kb, q, 3);
        assert!(top.contains(&iraq), "query {q:?} gave {top:?}");
    }
}

#[test]
fn french_elision_and_accents_do_not_matter() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    // Analysis test data, not fact-checks.
    import_jsonl(
        &kb,
        &[
            json!({"id": "fr", "text": "Des bulletins ont été détruits après l'élection présidentielle.", "lang": "fr"}),
            json!({"id": "fr-other", "text": "Le prix du carburant a doublé en une semaine.", "lang": "fr"}),
        ],
    );
    for q in ["l'élection", "election", "L’ÉLECTION", "élections"] {
        assert_eq!(top_ids(&kb, q, 5), vec!["fr"], "query {q:?}");
    }
}

/// Analysis test data in the words, not fact-checks.
fn french_election_claims() -> Vec<serde_json::Value> {
    vec![
        json!({"id": "fr-election", "text": "L'élection présidentielle a été truquée par des machines de vote.", "lang": "fr"}),
        json!({"id": "fr-manipule", "text": "Une vidéo du ministre a été manipulé pour lui faire dire le contraire.", "lang": "fr"}),
        json!({"id": "fr-falsifie", "text": "Des chiffres falsifiés circulent sur la mortalité des vaccins.", "lang": "fr"}),
    ]
}

#[test]
fn french_inflections_find_each_other_with_or_without_accents() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    import_jsonl(&kb, &french_election_claims());
    for (q, want) in [
        ("truquée", "fr-election"),
        ("truque", "fr-election"),
        ("truquee", "fr-election"),
        ("manipulée", "fr-manipule"),
        ("manipulee", "fr-manipule"),
        ("falsifiée", "fr-falsifie"),
        ("falsifie", "fr-falsifie"),
    ] {
        assert_eq!(top_ids(&kb, q, 5), vec![want], "query {q:?}");
    }
}

#[test]
fn a_french_query_ranks_the_french_claim_first_beside_ten_thousand_english_claims() {
    let kb = kb_from_file(&shared_data("clef2020-task2-en/claims.jsonl"));
    import_jsonl(&kb, &french_election_claims());
    for q in [
        "election truquee",
        "élection truquée",
        "élection présidentielle truquée",
    ] {
        let top = top_ids(&kb, q, 3);
        assert_eq!(
            top.first().map(String::as_str),
            Some("fr-election"),
            "query {q:?}: {top:?}"
        );
    }
}

fn hits(kb: &debunk::KnowledgeBase, q: &str) -> Vec<debunk::index::Hit> {
    kb.search(&debunk::index::SearchQuery {
        q: q.into(),
        limit: 100,
        ..Default::default()
    })
    .unwrap()
    .hits
}

#[test]
fn a_two_word_arabizi_query_finds_only_claims_with_both_words() {
    let kb = kb_from_file(&arabic_claimreview());
    let found = hits(&kb, "l9a7 corona");
    assert!(!found.is_empty());
    for hit in &found {
        let mut words = debunk::text::analyze(debunk::text::Lang::Ar, &hit.claim.text);
        words.extend(debunk::text::analyze(
            debunk::text::Lang::Ar,
            hit.claim.title.as_deref().unwrap_or(""),
        ));
        assert!(
            words.iter().any(|w| w == "لقاح") && words.iter().any(|w| w == "كورونا"),
            "{:?}",
            hit.claim
        );
    }
}

#[test]
fn a_short_query_needs_most_of_its_words_and_a_long_one_any() {
    let kb = kb_from_file(&shared_data("clef2020-task2-en/claims.jsonl"));
    let stems = |q: &str| debunk::text::analyze(debunk::text::Lang::En, q);
    let query = "obama birth certificate forged";
    let wanted = stems(query);
    let found = hits(&kb, query);
    assert!(!found.is_empty());
    for hit in &found {
        let mut words = stems(&hit.claim.text);
        words.extend(stems(hit.claim.title.as_deref().unwrap_or("")));
        let shared = wanted.iter().filter(|w| words.contains(w)).count();
        assert!(shared >= 3, "{shared} of {wanted:?}: {:?}", hit.claim.text);
    }
    // Pasted text: a claim sharing a few of its many words is still a hit.
    let pasted = "I just read that Barack Obama's long form birth certificate, released by the White House, was forged in Photoshop according to a sheriff in Arizona";
    assert!(hits(&kb, pasted).len() >= 50);
}

#[test]
fn search_filters_by_language_and_verdict() {
    let kb = kb_from_file(&arabic_claimreview());
    import_file(&kb, &shared_data("clef2022-task2b-en/claims.jsonl"));
    let page = kb
        .search(&debunk::index::SearchQuery {
            q: String::new(),
            lang: Some("ar".into()),
            verdict: Some(debunk::verdict::Verdict::Misleading),
            limit: 50,
            ..Default::default()
        })
        .unwrap();
    assert!(page.total > 10);
    for hit in page.hits {
        assert_eq!(hit.claim.lang.as_deref(), Some("ar"));
        assert_eq!(
            hit.claim.verdict,
            Some(debunk::verdict::Verdict::Misleading)
        );
    }
}

#[test]
fn any_string_is_a_valid_query() {
    let kb = kb_from_file(&arabic_claimreview());
    for q in [
        "",
        "   ",
        "\"unbalanced",
        "AND OR NOT",
        "title:(",
        "*",
        "🙂🙂",
        "a-b:c^2~",
    ] {
        kb.search(&debunk::index::SearchQuery {
            q: q.into(),
            limit: 5,
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("query {q:?} failed: {e}"));
    }
}

fn cli_search(dir: &std::path::Path, q: &str) -> serde_json::Value {
    json(&debunk(dir, &["search", q, "--limit", "20", "--json"]))
}

#[test]
fn reindex_and_a_deleted_index_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = arabic_claimreview();
    let out = debunk(dir.path(), &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let queries = ["l9a7 corona", "اغلاق السفارة", "صورة قديمة", "فيديو"];
    let before: Vec<_> = queries.iter().map(|q| cli_search(dir.path(), q)).collect();
    assert!(before[0]["total"].as_u64().unwrap() > 0);

    let out = debunk(dir.path(), &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after: Vec<_> = queries.iter().map(|q| cli_search(dir.path(), q)).collect();
    assert_eq!(before, after, "results changed after reindex");

    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let restored: Vec<_> = queries.iter().map(|q| cli_search(dir.path(), q)).collect();
    assert_eq!(
        before, restored,
        "results changed after the index was deleted"
    );
}

#[test]
fn cli_search_prints_the_documented_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let file = arabic_claimreview();
    assert!(debunk(dir.path(), &["import", file.to_str().unwrap()])
        .status
        .success());
    let page = json(&debunk(
        dir.path(),
        &[
            "search",
            "السفارة",
            "--lang",
            "ar",
            "--verdict",
            "misleading",
            "--json",
        ],
    ));
    assert!(page["total"].as_u64().unwrap() >= 1);
    let hit = &page["hits"][0];
    for key in [
        "id",
        "text",
        "lang",
        "verdict",
        "verdict_text",
        "url",
        "score",
    ] {
        assert!(!hit[key].is_null(), "{key} missing in {hit}");
    }
    assert_eq!(hit["verdict"], "misleading");

    let bad = debunk(dir.path(), &["search", "x", "--verdict", "wrong"]);
    assert!(!bad.status.success());
}
