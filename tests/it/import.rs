//! Import and export through the CLI: counts, idempotence, verdicts, bad input.

use std::io::Write;

use crate::common::*;

#[test]
fn importing_the_same_file_twice_updates_instead_of_duplicating() {
    let dir = tempfile::tempdir().unwrap();
    let claims = shared_data("clef2020-task2-en/claims.jsonl");
    let path = claims.to_str().unwrap();

    let first = json(&debunk(dir.path(), &["import", path, "--json"]));
    assert_eq!(first["imported"], 10_375);
    assert_eq!(first["updated"], 0);
    assert_eq!(first["skipped"], 0);

    let second = json(&debunk(dir.path(), &["import", path, "--json"]));
    assert_eq!(second["imported"], 0);
    assert_eq!(second["updated"], 10_375);

    let stats = json(&debunk(dir.path(), &["stats", "--json"]));
    assert_eq!(stats["claims"], 10_375);
    assert_eq!(stats["index_docs"], 10_375);
}

#[test]
fn arabic_claimreview_records_all_get_a_normalized_verdict_and_keep_their_rating() {
    let dir = tempfile::tempdir().unwrap();
    let file = arabic_claimreview();
    let report = json(&debunk(
        dir.path(),
        &["import", file.to_str().unwrap(), "--json"],
    ));
    let source: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let records = source["claims"].as_array().unwrap().len() as u64;
    assert_eq!(report["skipped"], 0);
    let stored = report["imported"].as_u64().unwrap() + report["updated"].as_u64().unwrap();
    assert!(stored >= records, "{stored} stored of {records} records");

    let export = debunk(dir.path(), &["export", "--format", "jsonl"]);
    assert!(export.status.success());
    let mut with_verdict = 0;
    let exported = stdout(&export);
    // The source lists some fact-checks twice; each is stored once.
    let unique = exported.lines().count() as u64;
    assert_eq!(unique, report["imported"].as_u64().unwrap());
    for line in exported.lines() {
        let claim: serde_json::Value = serde_json::from_str(line).unwrap();
        let rating = claim["verdict_text"].as_str();
        assert!(
            rating.is_some_and(|r| !r.is_empty()),
            "rating text lost: {claim}"
        );
        if claim["verdict"].is_string() {
            with_verdict += 1;
        }
        assert!(claim["url"].as_str().is_some_and(|u| u.starts_with("http")));
        assert!(claim["publisher"].is_string() || claim["publisher_site"].is_string());
    }
    assert_eq!(
        with_verdict, unique,
        "every record has a normalized verdict"
    );

    // The mapping is not a constant: the file's ratings spread over several verdicts.
    let stats = json(&debunk(dir.path(), &["stats", "--json"]));
    let verdicts = stats["by_verdict"].as_array().unwrap();
    assert!(verdicts.len() >= 4, "verdicts: {verdicts:?}");
}

#[test]
fn export_then_import_into_an_empty_folder_then_export_gives_the_same_records() {
    for format in ["jsonl", "claimreview"] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for file in [
            arabic_claimreview(),
            shared_data("clef2022-task2b-en/claims.jsonl"),
        ] {
            let out = debunk(a.path(), &["import", file.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let first = a.path().join("export.out");
        let out = debunk(
            a.path(),
            &[
                "export",
                "--format",
                format,
                "--out",
                first.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));

        let out = debunk(b.path(), &["import", first.to_str().unwrap(), "--strict"]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let second = b.path().join("export.out");
        let out = debunk(
            b.path(),
            &[
                "export",
                "--format",
                format,
                "--out",
                second.to_str().unwrap(),
            ],
        );
        assert!(out.status.success());

        let first = std::fs::read(&first).unwrap();
        assert!(first.len() > 1_000_000, "{format} export is too small");
        assert!(
            first == std::fs::read(&second).unwrap(),
            "{format} round trip differs"
        );
    }
}

/// One good record, then one of each kind of bad record, then one good record.
fn malformed_jsonl(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bad.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(
        f,
        r#"{{"id": "good-1", "text": "A first good claim about vaccines."}}"#
    )
    .unwrap();
    writeln!(f, r#"{{"id": "truncated", "text": "cut off"#).unwrap(); // line 2
    writeln!(f, r#"{{"id": "wrong-type", "text": 5}}"#).unwrap(); // line 3
    writeln!(f, r#"{{"id": "empty", "text": "   "}}"#).unwrap(); // line 4
    let huge = "x".repeat(10 << 20);
    writeln!(f, r#"{{"id": "huge", "text": "{huge}"}}"#).unwrap(); // line 5
    f.write_all(b"{\"id\": \"utf8\", \"text\": \"\xff\xfe bad bytes\"}\n")
        .unwrap(); // line 6
    writeln!(
        f,
        r#"{{"id": "good-2", "text": "A second good claim about elections."}}"#
    )
    .unwrap();
    path
}

#[test]
fn bad_records_are_skipped_and_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = malformed_jsonl(dir.path());
    let data = dir.path().join("data");
    let report = json(&debunk(
        &data,
        &["import", file.to_str().unwrap(), "--json"],
    ));
    assert_eq!(report["imported"], 2);
    assert_eq!(report["skipped"], 5);
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6]);
    for e in report["errors"].as_array().unwrap() {
        assert!(!e["reason"].as_str().unwrap().is_empty());
    }

    // Without --json the reasons go to stderr as file:line: reason.
    let out = debunk(&data, &["import", file.to_str().unwrap()]);
    assert!(out.status.success());
    let err = stderr(&out);
    for line in 2..=6 {
        assert!(
            err.contains(&format!("{}:{line}:", file.display())),
            "line {line} not reported in: {err}"
        );
    }
}

#[test]
fn strict_import_of_a_bad_file_writes_nothing_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = malformed_jsonl(dir.path());
    let data = dir.path().join("data");
    let out = debunk(&data, &["import", file.to_str().unwrap(), "--strict"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:2:", file.display())), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line error: {err}");
    let stats = json(&debunk(&data, &["stats", "--json"]));
    assert_eq!(stats["claims"], 0);
    assert_eq!(stats["last_seq"], 0);
}

#[test]
fn a_truncated_claimreview_document_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(arabic_claimreview()).unwrap();
    // Cut the document in the middle of its records.
    let cut = full.char_indices().nth(full.chars().count() / 2).unwrap().0;
    let path = dir.path().join("truncated.json");
    std::fs::write(&path, &full[..cut]).unwrap();
    let data = dir.path().join("data");

    let out = debunk(&data, &["import", path.to_str().unwrap(), "--strict"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:", path.display())), "{err}");
    let stats = json(&debunk(&data, &["stats", "--json"]));
    assert_eq!(stats["claims"], 0, "strict import wrote records");

    // Without --strict the records before the cut are kept and the cut is reported.
    let report = json(&debunk(
        &data,
        &["import", path.to_str().unwrap(), "--json"],
    ));
    assert!(report["imported"].as_u64().unwrap() > 100);
    assert_eq!(report["skipped"], 1);
    let line = report["errors"][0]["line"].as_u64().unwrap();
    let total_lines = full[..cut].lines().count() as u64;
    assert!(
        line + 50 >= total_lines,
        "error at line {line} of {total_lines}"
    );
}

#[test]
fn a_missing_file_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = debunk(dir.path(), &["import", "/nonexistent/claims.jsonl"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("/nonexistent/claims.jsonl"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn text_plainly_in_another_language_than_its_tag_is_stored_under_its_own() {
    let kb = kb_from_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed-data/claims.jsonl"),
    );
    // Seed records tagged `ar` whose text is English and French.
    for (id, lang) in [("cr-a97e25d0c40ac3fa", "en"), ("cr-5f5eb13f2d98aff0", "fr")] {
        let claim = kb.get_claim(id).unwrap();
        assert_eq!(claim.lang.as_deref(), Some(lang), "{id}");
        assert_eq!(claim.lang_tag.as_deref(), Some("ar"), "{id}");
    }
    let arabic = kb.get_claim("cr-8fd67a1fea560a90").unwrap();
    assert_eq!(
        (arabic.lang.as_deref(), arabic.lang_tag.as_deref()),
        (Some("ar"), None)
    );
    // Searched in its own language's field: French stems meet.
    let ids = top_ids(&kb, "drapeaux palestiniens athlète égyptien", 3);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("cr-5f5eb13f2d98aff0"),
        "{ids:?}"
    );
}

#[test]
fn a_short_claim_without_a_language_is_not_stored_under_a_guess() {
    let kb = debunk::KnowledgeBase::open_in_memory().unwrap();
    // Made-up claims, not fact-checks.
    import_jsonl(
        &kb,
        &[
            serde_json::json!({"id": "short", "text": "Élections truquées"}),
            serde_json::json!({"id": "long", "text": "Les élections de dimanche ont été truquées par le gouvernement et les résultats sont faux."}),
        ],
    );
    assert_eq!(kb.get_claim("short").unwrap().lang, None);
    assert_eq!(kb.get_claim("long").unwrap().lang.as_deref(), Some("fr"));
    assert_eq!(top_ids(&kb, "élections truquées", 5).len(), 2);
}
