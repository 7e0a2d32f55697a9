//! Matching posts to claims through the real index: Arabizi, Arabic with
//! diacritics and hashtags, URLs of known appearances, unrelated posts, and
//! batch order.

use std::io::Write;
use std::process::Stdio;

use debunk::matcher::{Band, Request};
use serde_json::json;

use crate::common::*;

/// Real record of the Arabic set (Fatabyyano): the claim says
/// `وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا`.
const IRAQ_VACCINE_URL_PART: &str = "fatabyyano.net";

fn top(kb: &debunk::KnowledgeBase, text: &str) -> Vec<debunk::matcher::Match> {
    kb.match_post(&Request {
        text,
        top: 5,
        ..Request::default()
    })
    .expect("match")
}

fn iraq_claim_id(kb: &debunk::KnowledgeBase) -> String {
    let ids = top_ids(
        kb,
        "وزارة الصحة العراقيه تمنح تعويض 7 مليون لكل شخص قام باللقاح كورونا",
        1,
    );
    let claim = kb.get_claim(&ids[0]).unwrap();
    assert!(claim
        .url
        .as_deref()
        .unwrap_or("")
        .contains(IRAQ_VACCINE_URL_PART));
    claim.id
}

#[test]
fn an_arabizi_post_matches_its_arabic_claim() {
    let kb = kb_from_file(&arabic_claimreview());
    let want = iraq_claim_id(&kb);
    let matches = top(
        &kb,
        "wach s7i7 wizarat sa7a l3ira9ia ghadi t3ti ta3wid 7 mlyoun l kol wa7ed dar l9a7 corona?",
    );
    assert_eq!(
        matches.first().map(|m| m.claim_id.as_str()),
        Some(want.as_str())
    );
    assert_ne!(matches[0].band, Band::None, "{:?}", matches[0]);
    assert!(!matches[0].explanation.terms.is_empty());
}

#[test]
fn an_arabic_post_with_diacritics_and_hashtags_matches_its_claim() {
    let kb = kb_from_file(&arabic_claimreview());
    let want = iraq_claim_id(&kb);
    let post = "#وزارة_الصحة_العراقية تَمْنَحُ تَعْوِيضًا 7 ملايين لِكُلِّ مَنْ أَخَذَ لقاح كورونا 😱";
    let matches = top(&kb, post);
    let best = &matches[0];
    assert_eq!(best.claim_id, want);
    assert_eq!(best.band, Band::Match, "score {}", best.score);
    assert!((0.0..=1.0).contains(&best.score));
    // The spans point at words of the post as given.
    for [start, end] in &best.explanation.spans {
        assert!(post.is_char_boundary(*start) && post.is_char_boundary(*end) && start < end);
    }
    assert!(!best.explanation.spans.is_empty());
}

#[test]
fn the_ngram_query_runs_only_when_the_words_leave_doubt() {
    let kb = kb_from_file(&arabic_claimreview());
    let want = iraq_claim_id(&kb);
    let always = debunk::matcher::Params {
        ngrams_only_when_unsure: false,
        ..debunk::matcher::Params::default()
    };
    let ids = |matches: Vec<debunk::matcher::Match>| -> Vec<String> {
        matches.into_iter().map(|m| m.claim_id).collect()
    };
    let req = |text| Request {
        text,
        top: 100,
        ..Request::default()
    };
    // Sure from its words: the n-grams would add weaker candidates only.
    let sure = "#وزارة_الصحة_العراقية تَمْنَحُ تَعْوِيضًا 7 ملايين لِكُلِّ مَنْ أَخَذَ لقاح كورونا";
    let skipped = kb.match_post(&req(sure)).unwrap();
    assert_eq!(skipped[0].claim_id, want);
    assert_eq!(skipped[0].band, Band::Match);
    let skipped = ids(skipped);
    let full = ids(kb.match_with(&req(sure), &always).unwrap());
    assert_eq!(full[0], want);
    assert!(
        full.len() > skipped.len(),
        "{} ≤ {}",
        full.len(),
        skipped.len()
    );
    // In doubt (Arabizi spelling): the n-grams are asked.
    let unsure =
        "wach s7i7 wizarat sa7a l3ira9ia ghadi t3ti ta3wid 7 mlyoun l kol wa7ed dar l9a7 corona?";
    let asked = ids(kb.match_post(&req(unsure)).unwrap());
    assert_eq!(asked[0], want);
    assert_eq!(asked, ids(kb.match_with(&req(unsure), &always).unwrap()));
}

#[test]
fn a_post_carrying_a_known_appearance_url_matches_through_it() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    // Test data: two claims, one of which was seen at a TikTok URL.
    import_jsonl(
        &kb,
        &[
            json!({"id": "fence", "lang": "fr", "text": "Une vidéo appelle à franchir la clôture de Ceuta le 15 septembre.",
                   "appearances": [{"url": "https://www.tiktok.com/@someone/video/7412345678901234567?is_from_webapp=1&utm_source=x"}]}),
            json!({"id": "other", "lang": "fr", "text": "Le prix du pain a doublé en une semaine."}),
        ],
    );
    // Other words, same video (tracking parameters and host spelling differ).
    let matches = top(
        &kb,
        "regardez ça!! https://tiktok.com/@someone/video/7412345678901234567",
    );
    let best = &matches[0];
    assert_eq!(best.claim_id, "fence");
    assert_eq!(best.band, Band::Match, "score {}", best.score);
    assert_eq!(
        best.explanation.url.as_deref(),
        Some("https://tiktok.com/@someone/video/7412345678901234567")
    );
}

#[test]
fn a_post_about_something_else_gets_no_match_band() {
    let kb = kb_from_file(&arabic_claimreview());
    import_file(&kb, &shared_data("clef2022-task2b-en/claims.jsonl"));
    for post in [
        "My grandmother's recipe: bake the sourdough bread for forty minutes in a cast iron pot.",
        "وصفة سهلة لتحضير الكسكس المغربي بالخضر في البيت",
    ] {
        for m in top(&kb, post) {
            assert_ne!(
                m.band,
                Band::Match,
                "{post:?} matched {} at {}",
                m.claim_id,
                m.score
            );
        }
    }
}

#[test]
fn batch_output_keeps_input_order_and_ids() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let claims = arabic_claimreview();
    assert!(debunk(&data, &["import", claims.to_str().unwrap()])
        .status
        .success());

    // Real Arabic tweets as posts, with ids of both JSON types and one bad line.
    let tweets =
        std::fs::read_to_string(shared_data("arabic-tweets-clef2022/dev_tweets.jsonl")).unwrap();
    let mut input = String::new();
    let mut want_ids = Vec::new();
    for (i, line) in tweets.lines().enumerate() {
        let tweet: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = if i % 2 == 0 {
            json!(i)
        } else {
            json!(format!("t{i}"))
        };
        input.push_str(&json!({"id": id, "text": tweet["text"]}).to_string());
        input.push('\n');
        want_ids.push(id);
        if i == 10 {
            input.push_str("{\"id\": \"broken\", \"text\": \n");
            // Invalid JSON: its id cannot be read, its place is kept.
            want_ids.push(serde_json::Value::Null);
        }
    }
    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["match", "--batch", "-", "--top", "3", "--threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got_ids: Vec<serde_json::Value> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(got_ids, want_ids);
    let broken = &lines[11];
    assert!(
        broken["error"].as_str().unwrap().contains("JSON"),
        "{broken}"
    );
    assert_eq!(broken["line"], 12);
    for line in lines.iter().filter(|l| l["error"].is_null()) {
        let matches = line["matches"].as_array().unwrap();
        assert!(matches.len() <= 3);
        for m in matches {
            assert!(m["claim_id"].is_string() && m["band"].is_string());
            let s = m["score"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&s));
        }
        let scores: Vec<f64> = matches
            .iter()
            .map(|m| m["score"].as_f64().unwrap())
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "not in rank order: {scores:?}"
        );
    }
}

#[test]
fn eval_leaves_out_posts_that_another_query_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, lines: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let claims = write(
        "claims.jsonl",
        &[
            json!({"id": "c1", "text": "Wind turbines cause cancer in nearby villages", "lang": "en"}),
            json!({"id": "c2", "text": "The moon landing was filmed in a studio", "lang": "en"}),
        ]
        .map(|v| v.to_string()),
    );
    let queries = write(
        "queries.jsonl",
        &[
            json!({"id": "q1", "text": "turbines give villagers cancer"}),
            json!({"id": "q2", "text": "moon landing filmed in studio"}),
        ]
        .map(|v| v.to_string()),
    );
    let qrels = write("qrels.tsv", &["q1\tc1".into(), "q2\tc2".into()]);
    // Another set's posts: q2's text under another id.
    let other = write(
        "other.jsonl",
        &[json!({"id": "x9", "text": "moon landing filmed in studio"}).to_string()],
    );
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--claims",
            &claims,
            "--queries",
            &queries,
            "--qrels",
            &qrels,
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&debunk(dir.path(), &args))
    };
    assert_eq!(eval(&[])["metrics"]["queries"], 2);
    assert_eq!(eval(&["--leave-out", &other])["metrics"]["queries"], 1);
}

#[test]
fn eval_identifies_each_query_language_itself_unless_told_to_use_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, lines: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let claims = write(
        "claims.jsonl",
        &[
            json!({"id": "c1", "text": "Wind turbines cause cancer in nearby villages", "lang": "en"}),
            json!({"id": "c2", "text": "The moon landing was filmed in a studio", "lang": "en"}),
        ]
        .map(|v| v.to_string()),
    );
    // English posts that their source tagged French.
    let queries = write(
        "queries.jsonl",
        &[
            json!({"id": "q1", "text": "the turbines give the villagers cancer", "lang": "fr"}),
            json!({"id": "q2", "text": "the moon landing was filmed in a studio", "lang": "fr"}),
        ]
        .map(|v| v.to_string()),
    );
    let qrels = write("qrels.tsv", &["q1\tc1".into(), "q2\tc2".into()]);
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--claims",
            &claims,
            "--queries",
            &queries,
            "--qrels",
            &qrels,
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&debunk(dir.path(), &args))
    };
    assert_eq!(eval(&[])["metrics"]["map_1"], 1.0);
    assert_eq!(eval(&["--use-query-lang"])["metrics"]["queries"], 2);
}

/// The seed fact-checks beside French claims in the words (analysis
/// test data, not fact-checks) and a Darija one in Arabic script.
fn seeded_with_french() -> debunk::KnowledgeBase {
    let kb = kb_from_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed-data/claims.jsonl"),
    );
    import_jsonl(
        &kb,
        &[
            json!({"id": "fr-election", "text": "L'élection présidentielle a été truquée par des machines de vote.", "lang": "fr"}),
            json!({"id": "fr-vaccin", "text": "Le vaccin contre la grippe provoque la stérilité chez les femmes.", "lang": "fr"}),
        ],
    );
    kb
}

#[test]
fn a_short_french_post_without_function_words_reaches_its_french_claim() {
    let kb = seeded_with_french();
    for post in [
        "Les élections ont été truquées",
        "élection présidentielle truquée machines",
    ] {
        let matches = top(&kb, post);
        let first = matches.first().expect("a candidate");
        assert_eq!(first.claim_id, "fr-election", "{post}: {matches:?}");
        assert_ne!(first.band, Band::None, "{post}: {first:?}");
    }
}

#[test]
fn a_post_mixing_french_and_arabizi_gets_candidates() {
    let kb = kb_from_file(&arabic_claimreview());
    let want = iraq_claim_id(&kb);
    let matches = top(
        &kb,
        "c'est vrai que wizarat sa7a l3ira9ia ghadi t3ti ta3wid 7 mlyoun pour le l9a7 corona?",
    );
    assert!(
        matches.iter().any(|m| m.claim_id == want),
        "{:?}",
        matches.iter().map(|m| &m.claim_id).collect::<Vec<_>>()
    );
}

#[test]
fn explanations_never_show_stop_words_and_give_character_spans() {
    let kb = seeded_with_french();
    let post = "Est-ce que le vaccin de la grippe rend les femmes stériles? J'ai entendu ça";
    let matches = top(&kb, post);
    let first = matches.first().expect("a candidate");
    assert_eq!(first.claim_id, "fr-vaccin");
    let e = &first.explanation;
    assert!(!e.terms.is_empty());
    for term in &e.terms {
        assert!(!debunk::text::is_stop_word(term), "{term} in {:?}", e.terms);
    }
    assert_eq!(e.spans.len(), e.char_spans.len());
    let chars: Vec<char> = post.chars().collect();
    for (bytes, chars_span) in e.spans.iter().zip(&e.char_spans) {
        let by_bytes = &post[bytes[0]..bytes[1]];
        let by_chars: String = chars[chars_span[0]..chars_span[1]].iter().collect();
        assert_eq!(by_bytes, by_chars);
    }
    assert!(
        e.spans.iter().any(|s| &post[s[0]..s[1]] == "stériles"),
        "{e:?}"
    );
}

#[test]
fn every_matched_term_of_an_arabizi_post_has_a_span_in_the_post() {
    let kb = kb_from_file(&arabic_claimreview());
    let want = iraq_claim_id(&kb);
    let post =
        "wach s7i7 wizarat sa7a l3ira9ia ghadi t3ti ta3wid 7 mlyoun l kol wa7ed dar l9a7 corona?";
    let matches = top(&kb, post);
    let m = matches
        .iter()
        .find(|m| m.claim_id == want)
        .expect("the claim");
    let spanned: Vec<&str> = m
        .explanation
        .spans
        .iter()
        .map(|s| &post[s[0]..s[1]])
        .collect();
    assert!(
        spanned.iter().any(|w| w.starts_with("corona")),
        "{spanned:?}"
    );
    assert!(spanned.contains(&"l9a7"), "{spanned:?}");
    for term in &m.explanation.terms {
        let arabic = debunk::text::analyze_arabizi_spans(post);
        assert!(
            arabic.iter().any(|(t, _)| t == term),
            "{term} has no span in {spanned:?}"
        );
    }
}
