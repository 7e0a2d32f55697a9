//! One client that stops reading must not freeze anyone else: a real server,
//! a real socket that requests an export and then reads no more.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use debunk::keys::Role;
use debunk::KnowledgeBase;

use crate::common::*;
use crate::serve::{get, request, start};

/// Far longer than any answer takes: only a request that waits on the
/// stalled export runs into it.
const GUARD: Duration = Duration::from_secs(60);

/// Runs `f` on its own thread; its result, or a failure naming `what` if
/// it has not answered before the guard.
fn answers<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(GUARD)
        .unwrap_or_else(|_| panic!("{what} did not answer while an export was stalled"))
}

/// A data folder with enough claims that their export outgrows every
/// socket and channel buffer between the store and the client, and an
/// editor key.
fn big_folder(data: &std::path::Path) -> String {
    let kb = KnowledgeBase::open(data).unwrap();
    // The summary is stored and exported but not indexed: bulk that is cheap to import.
    let summary = "the fence story was checked against the records ".repeat(60);
    let lines: Vec<serde_json::Value> = (0..4000)
        .map(|i| {
            serde_json::json!({"id": format!("big-{i:05}"), "lang": "en",
                "text": format!("Claim {i} about the border fence"), "summary": summary})
        })
        .collect();
    import_jsonl(&kb, &lines);
    let (_, secret) = kb.store().create_key("stall test", Role::Editor).unwrap();
    secret
}

#[test]
fn a_client_that_stops_reading_an_export_freezes_no_other_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let secret = big_folder(&data);
    let (_server, addr) = start(&data);

    let mut stalled = TcpStream::connect(&addr).unwrap();
    write!(
        stalled,
        "GET /api/v1/export HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut first = [0u8; 64];
    stalled.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"HTTP/1.1 200"), "{first:?}");
    // From here on the client reads nothing more, keeping the socket open.

    let bearer = format!("Bearer {secret}");
    let a = addr.clone();
    let auth = bearer.clone();
    let (status, _, body) = answers("a write", move || {
        let claim = serde_json::json!({"id": "during-stall", "lang": "en",
            "text": "Written while an export was stalled"})
        .to_string();
        request(
            &a,
            "POST",
            "/api/v1/claims",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &claim,
        )
    });
    assert_eq!(status, 201, "{body}");

    let a = addr.clone();
    let (status, _, body) = answers("a claim read", move || get(&a, "/api/v1/claims/big-00042"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Claim 42 about"), "{body}");

    let a = addr.clone();
    let (status, _, body) = answers("readiness", move || get(&a, "/readyz"));
    assert_eq!(status, 200, "{body}");

    let a = addr.clone();
    let (status, _, body) = answers("a keyed read", move || {
        request(
            &a,
            "GET",
            "/api/v1/claims/during-stall",
            &[("Authorization", &bearer)],
            "",
        )
    });
    assert_eq!(status, 200, "{body}");
    drop(stalled);
}
