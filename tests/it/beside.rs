//! The CLI beside a running `debunk serve` on the same data folder: reads
//! work on what the server committed, writes say in one line what to do.

use crate::common::*;
use crate::serve::{request, start};

/// A one-line error that names what to do and none of tantivy's words.
fn refused_in_one_line(out: &std::process::Output, instead: &str) {
    assert!(!out.status.success());
    let err = stderr(out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(instead), "{err}");
    assert!(!err.to_lowercase().contains("lock"), "{err}");
}

#[test]
fn read_only_commands_work_beside_a_running_server_and_writes_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (_server, addr) = start(&data);
    let made = make_key(&data, "editor", "ci");
    let bearer = format!("Bearer {}", made["secret"].as_str().unwrap());
    let claim = serde_json::json!({"id": "beside-1", "lang": "en",
        "text": "The glimmerquartz dam was opened at midnight"})
    .to_string();
    let (status, _, body) = request(
        &addr,
        "POST",
        "/api/v1/claims",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        &claim,
    );
    assert_eq!(status, 201, "{body}");

    let stats = json(&debunk(&data, &["stats", "--json"]));
    let claims = stats["claims"].as_u64().unwrap();
    assert!(claims > 300, "{stats}");
    assert_eq!(stats["index_docs"].as_u64(), Some(claims), "{stats}");

    let found = json(&debunk(&data, &["search", "glimmerquartz", "--json"]));
    assert_eq!(found["hits"][0]["id"], "beside-1", "{found}");

    let matched = debunk(
        &data,
        &[
            "match",
            "the glimmerquartz dam was opened at midnight",
            "--json",
        ],
    );
    assert!(
        stdout(&matched).contains("beside-1"),
        "{}{}",
        stdout(&matched),
        stderr(&matched)
    );

    let exported = debunk(&data, &["export"]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert_eq!(stdout(&exported).lines().count() as u64, claims);

    let file = dir.path().join("more.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"beside-2\",\"lang\":\"en\",\"text\":\"Another dam claim\"}\n",
    )
    .unwrap();
    let import = debunk(&data, &["import", file.to_str().unwrap()]);
    refused_in_one_line(&import, "POST /api/v1/import");
    refused_in_one_line(&debunk(&data, &["reindex"]), "stop the server");
    // The refused import wrote nothing.
    let after = json(&debunk(&data, &["stats", "--json"]));
    assert_eq!(after["claims"].as_u64(), Some(claims));
}
