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

pub struct Server(pub std::process::Child, std::sync::mpsc::Receiver<String>);

impl Server {
    /// Waits for a log line holding `needle`; false if the server exits or
    /// a minute passes (a guard against hanging, not a speed check).
    fn logged(&self, needle: &str) -> bool {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
            match self.1.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `debunk serve` on a free port; returns the child and its address.
pub fn start(data: &std::path::Path) -> (Server, String) {
    start_with(data, &[])
}

/// `start` with more `serve` options.
pub fn start_with(data: &std::path::Path, options: &[&str]) -> (Server, String) {
    let mut child = bin()
        .env("DEBUNK_LOG", "info")
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(options)
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
    let (log, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = log.send(line);
        }
    });
    (Server(child, seen), addr)
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
    let made = make_key(&data, "editor", "ci");
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

/// Whether the server closed the connection: a read ends (EOF or reset)
/// instead of waiting. The read time-out only guards against a hang.
fn closed_by_server(mut s: TcpStream) -> bool {
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut sink = Vec::new();
    match s.read_to_end(&mut sink) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn a_connection_that_never_finishes_its_request_head_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (_server, addr) = start_with(&data, &["--timeout-secs", "1"]);
    let mut s = TcpStream::connect(&addr).unwrap();
    // A request line and one header, then nothing: the head never ends.
    write!(s, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\n").unwrap();
    s.flush().unwrap();
    assert!(
        closed_by_server(s),
        "the half-sent head kept the connection open"
    );
    // The server still answers others.
    assert_eq!(get(&addr, "/healthz").0, 200);
}

/// Closes `s` with a TCP reset (SO_LINGER 0) instead of a normal close.
fn reset(s: TcpStream) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _inside = rt.enter();
    s.set_nonblocking(true).unwrap();
    let s = tokio::net::TcpStream::from_std(s).unwrap();
    s.set_zero_linger().unwrap();
    drop(s);
}

#[test]
fn an_upload_cut_off_by_a_reset_writes_only_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (server, addr) = start(&data);
    let made = json(&debunk(
        &data,
        &[
            "keys", "create", "--role", "editor", "--name", "up", "--json",
        ],
    ));
    let bearer = format!("Bearer {}", made["secret"].as_str().unwrap());
    let count = |tag: &str| {
        let (status, _, body) = get(&addr, &format!("/api/v1/claims?q={tag}&limit=1"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["total"]
            .as_u64()
            .unwrap()
    };
    for (tag, query) in [
        ("quibbleflux", "/api/v1/import"),
        ("snorgleplat", "/api/v1/import?strict=true"),
    ] {
        // 1,500 records (a whole batch of 1,000 and half of the next), then
        // half a record, then a reset where the rest should have been.
        let records: String = (0..1500)
            .map(|i| {
                let claim = serde_json::json!({"id": format!("{tag}-{i}"), "lang": "en",
                    "text": format!("Test claim {i}: the {tag} fence opens on the 15th")});
                format!("{claim}\n")
            })
            .collect();
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST {query} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {bearer}\r\n\
             Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .unwrap();
        for piece in [records.as_str(), "{\"id\": \"half"] {
            write!(s, "{:x}\r\n{piece}\r\n", piece.len()).unwrap();
        }
        s.flush().unwrap();
        // Let the server take in what was sent before the reset drops it.
        std::thread::sleep(std::time::Duration::from_millis(500));
        reset(s);
        assert!(
            server.logged("import cut short"),
            "{query}: no cut-short import logged"
        );
        let stored = count(tag);
        if query.contains("strict") {
            assert_eq!(stored, 0, "a strict import cut short wrote {stored}");
        } else {
            assert!(stored % 1000 == 0, "{stored} is not whole batches");
        }
    }
}

/// Threads of a running process, as Linux counts them.
fn threads_of(server: &Server) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Starts a batch upload that sends one post and stalls; returns once the
/// server has answered its head.
fn stalled_batch(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    let line = format!("{}\n", serde_json::json!({"id": 1, "text": "border fence"}));
    write!(
        s,
        "POST /api/v1/match/batch HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{line}\r\n",
        line.len()
    )
    .unwrap();
    s.flush().unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    s
}

#[test]
fn concurrent_batches_share_one_pool_of_matching_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let (server, addr) = start(&data);
    // One whole batch first, so that what is started once is started.
    let (status, _, _) = request(
        &addr,
        "POST",
        "/api/v1/match/batch",
        &[("Content-Type", "application/x-ndjson")],
        "{\"id\": 0, \"text\": \"border fence\"}\n",
    );
    assert_eq!(status, 200);
    let before = threads_of(&server);
    let uploads = 6;
    let open: Vec<TcpStream> = (0..uploads).map(|_| stalled_batch(&addr)).collect();
    // Let each batch start what it starts; more time only adds threads.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let grown = threads_of(&server).saturating_sub(before);
    // Each batch may hold a reader and a writer thread of its own; the
    // matching threads are the pool's, started once. A thread per core per
    // batch would be over this.
    assert!(
        grown <= 2 * uploads + 2,
        "{grown} more threads for {uploads} batches"
    );
    drop(open);
}
