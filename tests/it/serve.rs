//! The server: started as README command 1 starts it, on a new data folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use crate::common::*;

/// A minimal HTTP/1.1 GET; returns status, content type and body.
pub fn get(addr: &str, path: &str) -> (u16, String, String) {
    request(addr, "GET", path, &[], "")
}

/// A minimal HTTP/1.1 request with a body; returns status, content type and body.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let (status, content_type, body) = read_reply(s);
    crate::openapi::check(method, path, status, &content_type, body.as_bytes());
    (status, content_type, body)
}

fn read_reply(mut s: TcpStream) -> (u16, String, String) {
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
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    (status, content_type, body)
}

/// The payload of a chunked HTTP/1.1 body.
fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// A running `debunk serve`, killed on drop.
pub struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `debunk serve` on a free port; returns the child and its address.
pub fn start(data: &std::path::Path) -> (Server, String) {
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

#[test]
fn keys_made_beside_a_running_server_open_and_close_its_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (_server, addr) = start(&data);
    let made = json(&debunk(
        &data,
        &[
            "keys", "create", "--role", "editor", "--name", "ci", "--json",
        ],
    ));
    let secret = made["secret"].as_str().unwrap().to_string();
    let id = made["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("dbk_"));
    let bearer = format!("Bearer {secret}");
    let claim = serde_json::json!({"id": "t-http", "lang": "en",
        "text": "Test claim: quarnia fence opens on the 15th"})
    .to_string();
    let post = |auth: &str| {
        request(
            &addr,
            "POST",
            "/api/v1/claims",
            &[
                ("Authorization", auth),
                ("Content-Type", "application/json"),
            ],
            &claim,
        )
    };
    let (status, _, body) = post(&bearer);
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = get(&addr, "/api/v1/claims?q=quarnia");
    assert_eq!(status, 200);
    assert!(body.contains("t-http"), "{body}");

    let out = debunk(&data, &["keys", "revoke", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, ctype, _) = post(&bearer);
    assert_eq!(status, 401);
    assert_eq!(ctype, "application/problem+json");

    let list = stdout(&debunk(&data, &["keys", "list", "--json"]));
    let listed: serde_json::Value = serde_json::from_str(list.trim()).unwrap();
    assert_eq!(listed["id"], id.as_str());
    assert!(listed["revoked_at"].is_string());
    assert!(!list.contains(&secret), "a secret was listed");

    let again = debunk(&data, &["keys", "revoke", &id]);
    assert!(!again.status.success());
    assert_eq!(
        stderr(&again).trim().lines().count(),
        1,
        "{}",
        stderr(&again)
    );
    let bad = debunk(&data, &["keys", "create", "--role", "root", "--name", "x"]);
    assert!(!bad.status.success());
}

#[test]
fn a_stopping_server_finishes_the_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (mut server, addr) = start(&data);
    let lines: String = (0..3)
        .map(|i| format!("{}\n", serde_json::json!({"id": i, "text": "border fence"})))
        .collect();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/match/batch HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        lines.len()
    )
    .unwrap();
    // Half the body, then the stop signal, then the rest.
    let (first, rest) = lines.split_at(lines.len() / 2);
    s.write_all(first.as_bytes()).unwrap();
    s.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = server.0.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.write_all(rest.as_bytes()).unwrap();
    let (status, _, body) = read_reply(s);
    assert_eq!(status, 200);
    let ids: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids, [0, 1, 2]);
    let exit = server.0.wait().unwrap();
    assert!(exit.success(), "{exit}");
    // Gone: new connections are refused.
    assert!(TcpStream::connect(&addr).is_err());
}
