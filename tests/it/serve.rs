//! The server: started as README command 1 starts it, on a new data folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use crate::common::*;

/// A minimal HTTP/1.1 GET; returns status, content type and body.
pub fn get(addr: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_string)
        })
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `debunk serve` on a free port; returns the child and its address.
fn start(data: &std::path::Path) -> (Server, String) {
    let mut child = bin()
        .env("DEBUNK_LOG", "info")
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(at) = line.find("addr=") {
            break line[at + 5..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Server(child), addr)
}

#[test]
fn first_serve_creates_the_data_folder_loads_the_seed_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new-folder");
    let (_server, addr) = start(&data);
    assert!(data.join("debunk.sqlite").exists());

    let (status, ctype, body) = get(&addr, "/healthz");
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/json"));
    assert!(body.contains("ok"));

    let (status, _, body) = get(
        &addr,
        "/api/v1/claims?q=%D9%84%D9%82%D8%A7%D8%AD%20%D9%83%D9%88%D8%B1%D9%88%D9%86%D8%A7",
    );
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        page["total"].as_u64().unwrap() >= 1,
        "seed not loaded: {body}"
    );

    let (status, ctype, body) = get(&addr, "/api/v1/claims?q=x&verdict=nonsense");
    assert_eq!(status, 400);
    assert_eq!(ctype, "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 400);
    assert!(problem["detail"].as_str().unwrap().contains("nonsense"));
}

#[test]
fn a_second_serve_does_not_load_the_seed_again() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let count = || {
        json(&debunk(&data, &["stats", "--json"]))["claims"]
            .as_u64()
            .unwrap()
    };
    {
        let _first = start(&data);
    }
    let seeded = count();
    assert!(seeded >= 300, "seed has {seeded} claims");
    {
        let _second = start(&data);
    }
    assert_eq!(count(), seeded);
}
