//! A crash at any moment loses no committed write: SIGKILL an import midway,
//! restart, and find every batch the import reported as committed, complete
//! and searchable, and no partial batch.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::common::*;

const BATCH: u64 = 500;

#[test]
fn sigkill_during_import_keeps_every_committed_batch_and_nothing_partial() {
    let dir = tempfile::tempdir().unwrap();
    // A large input: the real Snopes claims, repeated under fresh ids.
    let source = std::fs::read_to_string(shared_data("clef2022-task2a-en/claims.jsonl")).unwrap();
    let mut texts: HashMap<String, String> = HashMap::new();
    let path = dir.path().join("big.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for round in 0..6 {
            for line in source.lines() {
                let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
                let id = format!("{}-r{round}", v["id"].as_str().unwrap());
                v["id"] = id.clone().into();
                texts.insert(id, v["text"].as_str().unwrap().to_string());
                writeln!(f, "{v}").unwrap();
            }
        }
    }
    let total = texts.len() as u64;
    let data = dir.path().join("data");

    let mut child = bin()
        .arg("--data-dir")
        .arg(&data)
        .args([
            "import",
            path.to_str().unwrap(),
            "--batch-size",
            &BATCH.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut reported = 0u64;
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(n) = line
            .strip_prefix("committed ")
            .and_then(|rest| rest.strip_suffix(" records"))
        {
            reported = n.parse().unwrap();
            if reported >= 8 * BATCH {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(reported >= 8 * BATCH, "import ended before the kill");

    // Restart: opening the data folder catches the index up.
    let kb = debunk::KnowledgeBase::open(&data).unwrap();
    let stats = kb.stats().unwrap();
    let stored = stats.store.claims;
    assert!(
        stored >= reported,
        "{stored} stored, {reported} reported committed"
    );
    assert!(stored < total, "the kill came too late to test anything");
    assert_eq!(stored % BATCH, 0, "a partial batch was stored");
    assert_eq!(stats.index_docs, stored, "index did not catch up");

    let mut exported = Vec::new();
    kb.export(&mut exported, debunk::formats::ExportFormat::Jsonl)
        .unwrap();
    let mut seen = 0u64;
    for line in exported.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let claim: debunk::model::Claim = serde_json::from_slice(line).unwrap();
        assert_eq!(
            Some(&claim.text),
            texts.get(&claim.id),
            "record {} differs",
            claim.id
        );
        seen += 1;
    }
    assert_eq!(seen, stored);

    // The records are in input order, so the first `reported` are committed:
    // the last of them is searchable by its own words.
    let input = std::fs::read_to_string(&path).unwrap();
    let last: serde_json::Value =
        serde_json::from_str(input.lines().nth(reported as usize - 1).unwrap()).unwrap();
    let ids = top_ids(&kb, last["text"].as_str().unwrap(), 50);
    assert!(
        ids.contains(&last["id"].as_str().unwrap().to_string()),
        "{ids:?}"
    );
}
