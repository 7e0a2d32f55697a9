//! The index is derived from the store: a damaged one is rebuilt on open,
//! whichever file of a segment was hurt, and never keeps debunk from starting.

use std::io::Write;
use std::path::{Path, PathBuf};

use debunk::matcher::Request;
use debunk::KnowledgeBase;

use crate::common::*;
use crate::serve::{get, request, start};

/// Claims of a test folder: distinct words, so each is found by its own.
const CLAIMS: usize = 40;

fn folder_with_claims(data: &Path) {
    let kb = KnowledgeBase::open(data).unwrap();
    let lines: Vec<serde_json::Value> = (0..CLAIMS)
        .map(|i| {
            serde_json::json!({"id": format!("r{i}"), "lang": "en",
                "text": format!("The zorblat{i} fence near the quarnia river opens at dawn")})
        })
        .collect();
    import_jsonl(&kb, &lines);
}

/// The first file of the index's live segments whose name ends in `ext`.
fn segment_file(data: &Path, ext: &str) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no .{ext} file in the index"))
}

#[derive(Clone, Copy, Debug)]
enum Damage {
    Empty,
    HalfTruncated,
    Deleted,
}

fn damage(data: &Path, ext: &str, how: Damage) {
    let file = segment_file(data, ext);
    match how {
        Damage::Empty => std::fs::write(&file, b"").unwrap(),
        Damage::HalfTruncated => {
            let len = std::fs::metadata(&file).unwrap().len();
            let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
            f.set_len(len / 2).unwrap();
        }
        Damage::Deleted => std::fs::remove_file(&file).unwrap(),
    }
}

const DAMAGES: &[(&str, Damage)] = &[
    ("store", Damage::Empty),
    ("store", Damage::HalfTruncated),
    ("idx", Damage::Empty),
    ("idx", Damage::HalfTruncated),
    ("fast", Damage::Empty),
    ("fast", Damage::HalfTruncated),
    ("fieldnorm", Damage::Empty),
    ("fieldnorm", Damage::HalfTruncated),
    ("pos", Damage::Empty),
    ("pos", Damage::HalfTruncated),
    ("term", Damage::Empty),
    ("term", Damage::Deleted),
    ("store", Damage::Deleted),
];

/// The knowledge base finds claim `r7` by its own word and by matching.
fn finds_its_claims(kb: &KnowledgeBase, what: &str) {
    assert_eq!(kb.index_docs(), CLAIMS as u64, "{what}");
    assert_eq!(top_ids(kb, "zorblat7", 1), ["r7"], "{what}");
    let matches = kb
        .match_post(&Request {
            text: "the zorblat7 fence near the quarnia river opens at dawn",
            url: None,
            lang: None,
            top: 3,
            posted_at: None,
        })
        .unwrap();
    assert_eq!(
        matches.first().map(|m| m.claim_id.as_str()),
        Some("r7"),
        "{what}"
    );
}

#[test]
fn a_damaged_segment_is_rebuilt_from_the_store_when_the_knowledge_base_opens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    for &(ext, how) in DAMAGES {
        damage(&data, ext, how);
        let kb =
            KnowledgeBase::open(&data).unwrap_or_else(|e| panic!("open after {how:?} .{ext}: {e}"));
        finds_its_claims(&kb, &format!("{how:?} .{ext}"));
    }
}

#[test]
fn the_cli_repairs_a_damaged_index_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    for &(ext, how) in DAMAGES {
        let what = format!("{how:?} .{ext}");
        damage(&data, ext, how);
        let out = debunk(&data, &["stats", "--json"]);
        assert!(
            stderr(&out).contains("rebuilding it from the store"),
            "{what}: {}",
            stderr(&out)
        );
        assert_eq!(json(&out)["index_docs"], CLAIMS as u64, "{what}");
        let found = json(&debunk(&data, &["search", "zorblat7", "--json"]));
        assert_eq!(found["hits"][0]["id"], "r7", "{what}: {found}");
    }
}

#[test]
fn a_server_starts_on_a_damaged_index_ready_and_matching() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    damage(&data, "pos", Damage::HalfTruncated);
    let (_server, addr) = start(&data);
    let (status, _, body) = get(&addr, "/readyz");
    assert_eq!(status, 200, "{body}");
    let post =
        serde_json::json!({"text": "the zorblat7 fence near the quarnia river opens at dawn"});
    let (status, _, body) = request(
        &addr,
        "POST",
        "/api/v1/match",
        &[("Content-Type", "application/json")],
        &post.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["matches"][0]["claim_id"], "r7", "{body}");
}

#[test]
fn reindex_rebuilds_a_damaged_index_or_one_whose_metadata_is_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    damage(&data, "store", Damage::Empty);
    let out = debunk(&data, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(data.join("index/meta.json"), b"{ not json").unwrap();
    let out = debunk(&data, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let kb = KnowledgeBase::open(&data).unwrap();
    finds_its_claims(&kb, "after reindex");
}

#[test]
fn a_write_the_index_could_not_take_is_answered_as_committed_and_caught_up_later() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    let kb = KnowledgeBase::open(&data).unwrap();
    // The index folder vanishes under the running knowledge base: its next
    // commit can't write a segment.
    std::fs::remove_dir_all(data.join("index")).unwrap();
    let claim = debunk::model::Claim {
        id: "late".into(),
        lang: Some("en".into()),
        text: "The vorpalix bridge closes at noon".into(),
        ..Default::default()
    };
    let stored = kb
        .create_claim(claim)
        .expect("a committed write is answered as such");
    assert_eq!(stored.id, "late");
    assert_eq!(kb.get_claim("late").unwrap().text, stored.text);
    // An import's committed batches stand the same way.
    import_jsonl(
        &kb,
        &[serde_json::json!({"id": "late-2", "lang": "en",
            "text": "The vorpalix tunnel floods at dusk"})],
    );
    assert_eq!(kb.get_claim("late-2").unwrap().id, "late-2");
    assert!(!kb.index_caught_up().unwrap());
    drop(kb);
    let kb = KnowledgeBase::open(&data).unwrap();
    assert!(kb.index_caught_up().unwrap());
    assert_eq!(top_ids(&kb, "vorpalix bridge", 1), ["late"]);
    assert_eq!(top_ids(&kb, "vorpalix tunnel", 1), ["late-2"]);
    finds_the_first_claims_beside_the_late_ones(&kb);
}

fn finds_the_first_claims_beside_the_late_ones(kb: &KnowledgeBase) {
    assert_eq!(kb.index_docs(), CLAIMS as u64 + 2);
    assert_eq!(top_ids(kb, "zorblat7", 1), ["r7"]);
}

#[test]
fn a_term_dictionary_damaged_under_a_running_knowledge_base_fails_matches_instead_of_emptying_them()
{
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    let kb = KnowledgeBase::open(&data).unwrap();
    // Overwritten in place, same length: the open segment's mapping sees it.
    let file = segment_file(&data, "term");
    let len = std::fs::metadata(&file).unwrap().len() as usize;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .write_all(&vec![0xff; len])
        .unwrap();
    let matched = kb.match_post(&Request {
        text: "the zorblat7 fence near the quarnia river opens at dawn",
        url: None,
        lang: None,
        top: 3,
        posted_at: None,
    });
    assert!(
        matches!(matched, Err(debunk::Error::Index(_))),
        "{matched:?}"
    );
    let searched = kb.search(&debunk::index::SearchQuery {
        q: "zorblat7".into(),
        limit: 3,
        ..Default::default()
    });
    assert!(searched.is_err(), "{searched:?}");
}

#[test]
fn a_dropped_knowledge_base_lets_go_of_its_index_only_when_its_merges_are_done() {
    // Each round writes a few segments, so the writer has merges to run;
    // reopening at once must find the index free and whole every time.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    for round in 0..12 {
        let kb = KnowledgeBase::open(&data)
            .unwrap_or_else(|e| panic!("round {round}: reopening failed: {e}"));
        let lines: Vec<serde_json::Value> = (0..20)
            .map(|i| {
                serde_json::json!({"id": format!("m{round}-{i}"), "lang": "en",
                    "text": format!("The merlox{round} gate {i} opens at dawn")})
            })
            .collect();
        import_jsonl(&kb, &lines);
        assert_eq!(kb.index_docs(), 20 * (round + 1) as u64, "round {round}");
    }
    let kb = KnowledgeBase::open(&data).unwrap();
    assert_eq!(kb.index_docs(), 240);
}

/// A claim the index holds but the store does not (a write cut short by a
/// full disk left one behind in the crash harness) is gone once the
/// knowledge base opens: the counts disagree, so the index is rebuilt.
#[test]
fn an_index_holding_a_claim_the_store_does_not_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    folder_with_claims(&data);
    {
        // Behind the change log's back, as no debunk write ever does.
        let conn = rusqlite::Connection::open(debunk::kb::store_path(&data)).unwrap();
        let gone = conn
            .execute("DELETE FROM claim WHERE id = 'r7'", [])
            .unwrap();
        assert_eq!(gone, 1);
    }
    let kb = KnowledgeBase::open(&data).unwrap();
    assert_eq!(kb.index_docs(), CLAIMS as u64 - 1);
    let found = top_ids(&kb, "zorblat7", 5);
    assert!(!found.iter().any(|id| id == "r7"), "{found:?}");
    assert_eq!(top_ids(&kb, "zorblat8", 1), ["r8"]);
}
