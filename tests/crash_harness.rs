//! Crash harness: writes of every kind against a child `debunk serve`,
//! SIGKILLed at random moments, restarted and checked.
//!
//! `cargo test --test crash_harness -- [--kills N] [--seed S]` (default 200
//! kills, a random seed that the run prints). Each round starts the real
//! binary on one data folder, runs imports, claim creates, patches and
//! deletes, post ingestion, link decisions and narrative edits from a few
//! client threads, and kills the server mid-flight. A ledger keeps every
//! acknowledged write and the writes that were in flight. After the restart:
//!
//! - every acknowledged write is there; an unacknowledged one is there
//!   wholly or not at all (a claim, an import batch, a narrative);
//! - each claim's audit rows count its changes, and the last row's `after`
//!   is the stored claim (or the last row is its delete);
//! - the index agrees with the store: a search for the word every harness
//!   claim shares counts them all, and each claim written this round is
//!   found (or, deleted, not found) by its own word.
//!
//! Every few rounds the index is damaged while the server is down, in each
//! way `tests/it/repair.rs` lists and with a garbage `meta.json`, and the
//! restarted server must say it rebuilt the index and pass the same checks.
//! Every 50 rounds one run has a file size limit (RLIMIT_FSIZE with SIGXFSZ
//! ignored, so a write past it fails as on a full disk): a large import must
//! fail cleanly (a problem+json, the server still up) and lose nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The word every harness claim holds, so one search counts them.
const MARK: &str = "quorvexmark";
/// Claims an import body carries (one store batch: wholly there or not).
const IMPORT_BATCH: usize = 40;

/// A small, seedable generator: runs repeat from their seed.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Ways to damage the index, as `tests/it/repair.rs` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Damage {
    Empty(&'static str),
    HalfTruncated(&'static str),
    Deleted(&'static str),
    GarbageMeta,
}

const DAMAGES: &[Damage] = &[
    Damage::Empty("store"),
    Damage::HalfTruncated("store"),
    Damage::Deleted("store"),
    Damage::Empty("idx"),
    Damage::HalfTruncated("idx"),
    Damage::Empty("fast"),
    Damage::HalfTruncated("fast"),
    Damage::Empty("fieldnorm"),
    Damage::HalfTruncated("fieldnorm"),
    Damage::Empty("pos"),
    Damage::HalfTruncated("pos"),
    Damage::Empty("term"),
    Damage::Deleted("term"),
    Damage::GarbageMeta,
];

fn damage(index: &Path, how: Damage) -> std::io::Result<()> {
    let ext = match how {
        Damage::GarbageMeta => {
            return std::fs::write(index.join("meta.json"), b"{\"segments\": [garbage");
        }
        Damage::Empty(e) | Damage::HalfTruncated(e) | Damage::Deleted(e) => e,
    };
    // A file of a live segment, as meta.json lists them: files of merged
    // away segments may linger until the writer's garbage collection.
    let meta: Value = serde_json::from_slice(&std::fs::read(index.join("meta.json"))?)?;
    let live: HashSet<String> = meta["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["segment_id"].as_str().map(|id| id.replace('-', "")))
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(index)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter(|p| {
            p.file_stem()
                .is_some_and(|stem| live.contains(&stem.to_string_lossy().to_string()))
        })
        .collect();
    files.sort();
    let file = files
        .first()
        .ok_or_else(|| std::io::Error::other(format!("no .{ext} file")))?;
    match how {
        Damage::Empty(_) => std::fs::write(file, b""),
        Damage::HalfTruncated(_) => {
            let len = std::fs::metadata(file)?.len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(file)?
                .set_len(len / 2)
        }
        _ => std::fs::remove_file(file),
    }
}

// ---------------------------------------------------------------- HTTP

struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    /// A good write the server must take.
    fn expect(&self, status: u16, what: &str) {
        assert_eq!(
            self.status,
            status,
            "{what} refused: {}",
            String::from_utf8_lossy(&self.body)
        );
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// One request on its own connection. `None` when the server went away
/// before a whole reply came (the write is then unacknowledged).
fn call(
    addr: &str,
    method: &str,
    path: &str,
    key: &str,
    ctype: &str,
    body: &[u8],
) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !key.is_empty() {
        head.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    if !ctype.is_empty() {
        head.push_str(&format!("Content-Type: {ctype}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body)?;
    }
    Some(Reply {
        status,
        content_type,
        body,
    })
}

/// A chunked body; `None` if it was cut off (the server died mid-reply).
fn unchunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let at = body.windows(2).position(|w| w == b"\r\n")?;
        let n = usize::from_str_radix(std::str::from_utf8(&body[..at]).ok()?.trim(), 16).ok()?;
        if n == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(at + 2..at + 2 + n)?);
        body = body.get(at + 4 + n..)?;
    }
}

/// A JSONL import.
fn import(addr: &str, key: &str, body: &str) -> Option<Reply> {
    call(
        addr,
        "POST",
        "/api/v1/import?format=jsonl",
        key,
        "application/x-ndjson",
        body.as_bytes(),
    )
}

fn get(addr: &str, path: &str, key: &str) -> Reply {
    call(addr, "GET", path, key, "", b"").unwrap_or_else(|| panic!("GET {path}: no reply"))
}

// ---------------------------------------------------------------- server

struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `debunk serve` on a free port and waits until it is ready.
    /// With `fsize`, under that file size limit with SIGXFSZ ignored (an
    /// ignored signal stays ignored across exec), so writes past it fail
    /// with EFBIG as they would on a full disk.
    fn start(data: &Path, fsize: Option<u64>) -> Server {
        let bin = bin();
        let mut cmd = match fsize {
            None => Command::new(bin),
            Some(limit) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!(
                        "trap '' XFSZ; exec prlimit --fsize={limit} \"$0\" \"$@\""
                    ))
                    .arg(bin);
                c
            }
        };
        cmd.env_remove("DEBUNK_DATA_DIR")
            .env("DEBUNK_LOG", "info")
            .env("DEBUNK_SEMANTIC", "off")
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start debunk serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the server exited: {:?}", log.lock().unwrap()))
                .unwrap();
            log.lock().unwrap().push(line.clone());
            if let Some(at) = line.find("addr=") {
                break line[at + 5..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
            }
        };
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let server = Server { child, addr, log };
        server.wait_ready();
        server
    }

    /// Ready: the index holds every committed change. A guard against a
    /// hang, not a speed check.
    fn wait_ready(&self) {
        let until = Instant::now() + Duration::from_secs(120);
        while Instant::now() < until {
            if call(&self.addr, "GET", "/readyz", "", "", b"").is_some_and(|r| r.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server never got ready: {:?}", self.log.lock().unwrap());
    }

    fn logged(&self, needle: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(needle))
    }

    fn kill(mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------- ledger

/// What a claim is, as far as the harness is concerned.
#[derive(Clone, Debug, PartialEq)]
enum ClaimState {
    Absent,
    Present { text: String, title: Option<String> },
}

#[derive(Default)]
struct Ledger {
    /// Acknowledged state of each claim the workers write one by one.
    claims: HashMap<String, ClaimState>,
    /// States an unacknowledged write may have left, besides the ledger's.
    maybe: HashMap<String, Vec<ClaimState>>,
    /// Audited changes acknowledged per claim, and in-flight ones.
    changes: HashMap<String, usize>,
    changes_maybe: HashMap<String, usize>,
    /// Import bodies: their claims' ids and texts, and whether acknowledged.
    imports: Vec<(Vec<(String, String)>, bool)>,
    /// Acknowledged posts and their text.
    posts: HashMap<i64, String>,
    /// Links acknowledged as confirmed.
    confirmed: HashSet<i64>,
    /// Links and narratives written since the last check.
    fresh_links: Vec<i64>,
    fresh_narratives: HashSet<String>,
    /// Narratives: acknowledged title, and titles an unacknowledged patch may have set.
    narratives: HashMap<String, String>,
    narratives_maybe: HashMap<String, Vec<String>>,
    acknowledged: u64,
    touched: HashSet<String>,
}

struct Keys {
    editor: String,
}

/// Shared by the workers of one round.
struct Round {
    addr: String,
    keys: Arc<Keys>,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    /// Ids of claims posts repeat; never patched or deleted, so their
    /// links' decisions are the only changes they see.
    anchors: Arc<Vec<(String, String)>>,
}

/// The word only this claim holds: letters alone, since a Latin word with
/// digits in it may be read as Arabizi.
fn word_of(id: &str) -> String {
    id.chars()
        .filter(|c| *c != '-')
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from(b'a' + d as u8),
            None => c,
        })
        .collect()
}

fn claim_text(id: &str) -> String {
    // Words no seed claim holds, and one only this claim holds.
    format!(
        "{MARK} the {} zerbian causeway will reopen for vessels on a numbered date",
        word_of(id)
    )
}

/// An import body: one English claim a line.
fn jsonl(records: &[(String, String)]) -> String {
    records
        .iter()
        .map(|(id, text)| {
            format!(
                "{}\n",
                json!({"id": id, "text": text, "lang": "en", "verdict": "false"})
            )
        })
        .collect()
}

impl Round {
    fn send(&self, method: &str, path: &str, ctype: &str, body: &[u8]) -> Option<Reply> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        call(&self.addr, method, path, &self.keys.editor, ctype, body)
    }

    /// Claims: create, patch a title, delete, one id at a time per worker.
    fn claims(&self, worker: usize, rng: &mut Rng, counter: &mut u64) {
        while !self.stop.load(Ordering::Relaxed) {
            let live: Vec<String> = {
                let l = self.ledger.lock().unwrap();
                l.claims
                    .iter()
                    .filter(|(id, s)| {
                        id.starts_with(&format!("w{worker}-"))
                            && **s != ClaimState::Absent
                            && !l.maybe.contains_key(*id)
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            };
            let pick = rng.below(10);
            if live.is_empty() || pick < 5 {
                *counter += 1;
                let id = format!("w{worker}-{counter}-{}", rng.below(1 << 30));
                let text = claim_text(&id);
                let next = ClaimState::Present {
                    text: text.clone(),
                    title: None,
                };
                self.write_claim(&id, next, |r| {
                    r.send(
                        "POST",
                        "/api/v1/claims",
                        "application/json",
                        json!({"id": id, "text": text, "lang": "en", "verdict": "false"})
                            .to_string()
                            .as_bytes(),
                    )
                    .map(|r| r.status == 201)
                });
            } else if pick < 8 {
                let id = &live[rng.below(live.len() as u64) as usize];
                let title = format!("title {}", rng.below(1 << 40));
                let text = claim_text(id);
                let next = ClaimState::Present {
                    text,
                    title: Some(title.clone()),
                };
                self.write_claim(id, next, |r| {
                    r.send(
                        "PATCH",
                        &format!("/api/v1/claims/{id}"),
                        "application/merge-patch+json",
                        json!({"title": title}).to_string().as_bytes(),
                    )
                    .map(|r| r.status == 200)
                });
            } else {
                let id = &live[rng.below(live.len() as u64) as usize];
                self.write_claim(id, ClaimState::Absent, |r| {
                    r.send("DELETE", &format!("/api/v1/claims/{id}"), "", b"")
                        .map(|r| r.status == 204)
                });
            }
        }
    }

    /// Runs one audited claim write; `send` says whether it was
    /// acknowledged (`None`: no reply at all).
    fn write_claim(&self, id: &str, next: ClaimState, send: impl FnOnce(&Self) -> Option<bool>) {
        {
            let mut l = self.ledger.lock().unwrap();
            l.maybe
                .entry(id.to_string())
                .or_default()
                .push(next.clone());
            *l.changes_maybe.entry(id.to_string()).or_default() += 1;
            l.touched.insert(id.to_string());
        }
        let acked = send(self);
        let mut l = self.ledger.lock().unwrap();
        match acked {
            Some(true) => {
                l.maybe.remove(id);
                l.changes_maybe.remove(id);
                l.claims.insert(id.to_string(), next);
                *l.changes.entry(id.to_string()).or_default() += 1;
                l.acknowledged += 1;
            }
            Some(false) => panic!("the server refused a good write to {id}"),
            None => {} // in flight at the kill: stays in `maybe`
        }
    }

    /// Imports: bodies of IMPORT_BATCH new claims.
    fn imports(&self, rng: &mut Rng) {
        while !self.stop.load(Ordering::Relaxed) {
            let base = rng.below(1 << 40);
            let records: Vec<(String, String)> = (0..IMPORT_BATCH)
                .map(|j| {
                    let id = format!("imp-{base}-{j}");
                    let text = claim_text(&id);
                    (id, text)
                })
                .collect();
            let body = jsonl(&records);
            let at = {
                let mut l = self.ledger.lock().unwrap();
                l.imports.push((records, false));
                l.imports.len() - 1
            };
            let reply = self.send(
                "POST",
                "/api/v1/import?format=jsonl",
                "application/x-ndjson",
                body.as_bytes(),
            );
            if let Some(r) = reply {
                let v = r.json();
                assert!(
                    r.status == 200 && v["imported"] == IMPORT_BATCH,
                    "import refused: {} {v}",
                    r.status
                );
                let mut l = self.ledger.lock().unwrap();
                l.imports[at].1 = true;
                l.acknowledged += 1;
            }
        }
    }

    /// Posts that repeat an anchor claim, and decisions on their links.
    fn moderation(&self, rng: &mut Rng) {
        while !self.stop.load(Ordering::Relaxed) {
            let (_, text) = &self.anchors[rng.below(self.anchors.len() as u64) as usize];
            let post = format!("{text} {}", rng.below(1 << 40));
            let Some(r) = self.send(
                "POST",
                "/api/v1/posts",
                "application/json",
                json!({"text": post, "platform": "x"})
                    .to_string()
                    .as_bytes(),
            ) else {
                return;
            };
            assert!(
                r.status < 300,
                "post refused: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            let v = r.json();
            let id = v["id"].as_i64().unwrap();
            let suggested: Vec<i64> = v["links"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["status"] == "suggested")
                .map(|l| l["id"].as_i64().unwrap())
                .collect();
            {
                let mut l = self.ledger.lock().unwrap();
                l.posts.insert(id, post);
                l.acknowledged += 1;
            }
            for link in suggested.into_iter().take(1) {
                let Some(r) = self.send(
                    "POST",
                    &format!("/api/v1/links/{link}/confirm"),
                    "application/json",
                    b"{}",
                ) else {
                    return;
                };
                r.expect(200, "confirm");
                let mut l = self.ledger.lock().unwrap();
                l.confirmed.insert(link);
                l.fresh_links.push(link);
                l.acknowledged += 1;
            }
        }
    }

    /// Narratives: create one, then retitle it.
    fn narratives(&self, rng: &mut Rng) {
        while !self.stop.load(Ordering::Relaxed) {
            let existing: Vec<String> = {
                let l = self.ledger.lock().unwrap();
                l.narratives
                    .keys()
                    .filter(|id| !l.narratives_maybe.contains_key(*id))
                    .cloned()
                    .collect()
            };
            let title = format!("narrative {}", rng.below(1 << 40));
            if existing.is_empty() || rng.below(3) == 0 {
                let Some(r) = self.send(
                    "POST",
                    "/api/v1/narratives",
                    "application/json",
                    json!({"title": title}).to_string().as_bytes(),
                ) else {
                    return;
                };
                r.expect(201, "narrative");
                let id = r.json()["id"].as_str().unwrap().to_string();
                let mut l = self.ledger.lock().unwrap();
                l.fresh_narratives.insert(id.clone());
                l.narratives.insert(id, title);
                l.acknowledged += 1;
            } else {
                let id = &existing[rng.below(existing.len() as u64) as usize];
                {
                    let mut l = self.ledger.lock().unwrap();
                    l.narratives_maybe
                        .entry(id.clone())
                        .or_default()
                        .push(title.clone());
                    l.fresh_narratives.insert(id.clone());
                }
                let reply = self.send(
                    "PATCH",
                    &format!("/api/v1/narratives/{id}"),
                    "application/merge-patch+json",
                    json!({"title": title}).to_string().as_bytes(),
                );
                let Some(r) = reply else { return };
                r.expect(200, "narrative patch");
                let mut l = self.ledger.lock().unwrap();
                l.narratives_maybe.remove(id);
                l.narratives.insert(id.clone(), title);
                l.acknowledged += 1;
            }
        }
    }
}

// ---------------------------------------------------------------- checks

/// Every claim the store holds, from the export.
fn export(addr: &str) -> HashMap<String, Value> {
    let r = get(addr, "/api/v1/export?format=jsonl", "");
    assert_eq!(r.status, 200);
    r.body
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_slice(l).expect("export line is JSON");
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn state_of(stored: Option<&Value>) -> ClaimState {
    match stored {
        None => ClaimState::Absent,
        Some(v) => ClaimState::Present {
            text: v["text"].as_str().unwrap_or_default().to_string(),
            title: v["title"].as_str().map(str::to_string),
        },
    }
}

/// The search's total for a query.
fn total(addr: &str, q: &str) -> (u64, Vec<String>) {
    let r = get(addr, &format!("/api/v1/claims?q={q}&limit=100"), "");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let ids = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    (v["total"].as_u64().unwrap(), ids)
}

/// Checks the restarted server against the ledger and resolves the writes
/// that were in flight. Returns the inconsistencies found.
fn check(addr: &str, ledger: &mut Ledger, admin: &str, full: bool) -> Vec<String> {
    let mut bad = Vec::new();
    let stored = export(addr);
    // Claims written one by one.
    let ids: Vec<String> = ledger
        .claims
        .keys()
        .chain(ledger.maybe.keys())
        .cloned()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for id in &ids {
        let now = state_of(stored.get(id));
        let acked = ledger.claims.get(id).cloned().unwrap_or(ClaimState::Absent);
        let allowed: Vec<ClaimState> = std::iter::once(acked.clone())
            .chain(ledger.maybe.get(id).cloned().unwrap_or_default())
            .collect();
        if !allowed.contains(&now) {
            if ledger.maybe.contains_key(id) {
                bad.push(format!("claim {id} is {now:?}, neither its acknowledged state {acked:?} nor an in-flight one"));
            } else {
                bad.push(format!(
                    "claim {id}: acknowledged {acked:?} but stored {now:?} (lost write)"
                ));
            }
        }
        ledger.claims.insert(id.clone(), now);
    }
    // Audit: one row per change; the last row is the stored state.
    // Every claim written in a round is audited in that round's check.
    let audited: Vec<String> = ids
        .iter()
        .filter(|id| ledger.touched.contains(*id))
        .cloned()
        .collect();
    for id in &audited {
        let r = get(addr, &format!("/api/v1/audit?entity=claim&id={id}"), admin);
        let rows = r.json();
        let rows = rows.as_array().cloned().unwrap_or_default();
        let min = ledger.changes.get(id).copied().unwrap_or(0);
        let max = min + ledger.changes_maybe.get(id).copied().unwrap_or(0);
        if rows.len() < min || rows.len() > max {
            bad.push(format!(
                "claim {id}: {} audit rows for {min}..={max} changes",
                rows.len()
            ));
        }
        let now = ledger.claims.get(id).cloned().unwrap_or(ClaimState::Absent);
        if let Some(last) = rows.last() {
            let after = state_of(last.get("after").filter(|a| !a.is_null()));
            if after != now {
                bad.push(format!(
                    "claim {id}: the last audit row says {after:?}, the store {now:?}"
                ));
            }
            for pair in rows.windows(2) {
                if pair[0]["after"] != pair[1]["before"] {
                    bad.push(format!(
                        "claim {id}: an audit row's before is not the previous row's after"
                    ));
                }
            }
        } else if now != ClaimState::Absent {
            bad.push(format!("claim {id}: stored with no audit row"));
        }
        ledger.changes.insert(id.clone(), rows.len());
    }
    ledger.maybe.clear();
    ledger.changes_maybe.clear();
    // Imports: each body's claims all there or none; acknowledged ones there.
    ledger.imports.retain_mut(|(records, acked)| {
        let present = records
            .iter()
            .filter(|(id, text)| stored.get(id).is_some_and(|v| v["text"] == text.as_str()))
            .count();
        if present != 0 && present != records.len() {
            bad.push(format!(
                "an import body is half there: {present} of {}",
                records.len()
            ));
        }
        if *acked && present != records.len() {
            bad.push(format!(
                "an acknowledged import lost {} claims",
                records.len() - present
            ));
        }
        // A body wholly there is committed and must stay so: keep checking
        // it. One wholly absent and unacknowledged never was.
        *acked |= present == records.len();
        present == records.len()
    });
    // Posts and confirmed links.
    let post_ids: Vec<i64> = if full {
        ledger.posts.keys().copied().collect()
    } else {
        ledger.posts.keys().copied().take(20).collect()
    };
    for id in post_ids {
        let r = get(addr, &format!("/api/v1/posts/{id}"), "");
        if r.status != 200 || r.json()["text"] != ledger.posts[&id].as_str() {
            bad.push(format!("post {id} lost or changed: {}", r.status));
        }
    }
    let links: Vec<i64> = if full {
        ledger.confirmed.iter().copied().collect()
    } else {
        ledger.fresh_links.clone()
    };
    ledger.fresh_links.clear();
    for link in links {
        let r = get(addr, &format!("/api/v1/links/{link}"), "");
        if r.status != 200 || r.json()["status"] != "confirmed" {
            bad.push(format!(
                "confirmed link {link} is {}",
                String::from_utf8_lossy(&r.body)
            ));
            continue;
        }
        let audit = get(addr, &format!("/api/v1/audit?entity=link&id={link}"), admin).json();
        let confirms = audit.as_array().map_or(0, |rows| {
            rows.iter()
                .filter(|r| r["after"]["status"] == "confirmed")
                .count()
        });
        if confirms != 1 {
            bad.push(format!("link {link}: {confirms} audit rows confirm it"));
        }
    }
    // Narratives.
    let ids: Vec<String> = if full {
        ledger.narratives.keys().cloned().collect()
    } else {
        ledger.fresh_narratives.drain().collect()
    };
    for id in ids {
        let r = get(addr, &format!("/api/v1/narratives/{id}"), "");
        let title = r.json()["title"].as_str().unwrap_or_default().to_string();
        let acked = ledger.narratives[&id].clone();
        let maybe = ledger.narratives_maybe.remove(&id).unwrap_or_default();
        if r.status != 200 || (title != acked && !maybe.contains(&title)) {
            bad.push(format!(
                "narrative {id}: {} {title:?}, acknowledged {acked:?}",
                r.status
            ));
        }
        ledger.narratives.insert(id, title);
    }
    // Index and store agree.
    let marked = stored
        .values()
        .filter(|v| v["text"].as_str().is_some_and(|t| t.contains(MARK)))
        .count() as u64;
    let (found, _) = total(addr, MARK);
    if found != marked {
        bad.push(format!(
            "the index finds {found} harness claims, the store holds {marked}"
        ));
    }
    // Each claim's own word: a few of this round's claims (every one
    // counts towards the total above), a wider sample at the end.
    let mut touched: Vec<String> = ledger.touched.drain().collect();
    if full {
        touched = ledger.claims.keys().cloned().collect();
    }
    touched.sort();
    let sample = if full { 200 } else { 4 };
    let step = touched.len().div_ceil(sample).max(1);
    for id in touched.into_iter().step_by(step) {
        let word = word_of(&id);
        let (_, hits) = total(addr, &word);
        let present = stored.contains_key(&id);
        if hits.contains(&id) != present {
            bad.push(format!(
                "claim {id}: stored {present}, found by its word {}",
                !present
            ));
        }
    }
    bad
}

// ---------------------------------------------------------------- disk full

/// A run under a file size limit just above the largest file: a large
/// import must be refused cleanly, the server stay up, nothing be lost.
fn disk_full_round(
    data: &Path,
    keys: &Keys,
    ledger: &mut Ledger,
    rng: &mut Rng,
) -> Result<String, String> {
    let largest = walk(data)
        .into_iter()
        .map(|(_, len)| len)
        .max()
        .unwrap_or(0);
    let server = Server::start(data, Some(largest + 64 * 1024));
    let base = rng.below(1 << 40);
    // 2,000 claims of 6 KB: the store's write-ahead log must grow by some
    // 12 MB, far past the limit, whatever it held before.
    let padding = "padding words that make the write large".repeat(150);
    let records: Vec<(String, String)> = (0..2000)
        .map(|j| {
            let id = format!("full-{base}-{j}");
            let text = format!("{} {padding}", claim_text(&id));
            (id, text)
        })
        .collect();
    let body = jsonl(&records);
    let reply = import(&server.addr, &keys.editor, &body);
    let outcome = match &reply {
        None => Err("no reply: the server died on a full disk".to_string()),
        Some(r) if r.status == 200 => Ok(format!("fit: {}", String::from_utf8_lossy(&r.body))),
        Some(r) if r.content_type.starts_with("application/problem+json") && r.status == 507 => {
            Ok(format!("refused with {}: {}", r.status, r.json()["detail"]))
        }
        Some(r) => Err(format!(
            "refused without a problem: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        )),
    };
    let alive = call(&server.addr, "GET", "/healthz", "", "", b"").is_some_and(|r| r.status == 200);
    server.kill();
    if !alive {
        return Err("the server is down after the full disk".into());
    }
    // Whatever part of the import was committed is there in whole store
    // batches; record it so the checks find it.
    let acked = reply.is_some_and(|r| r.status == 200);
    for chunk in records.chunks(1000) {
        ledger.imports.push((chunk.to_vec(), acked));
    }
    outcome
}

fn walk(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if let Ok(m) = e.metadata() {
            out.push((p, m.len()));
        }
    }
    out
}

// ---------------------------------------------------------------- main

/// The binary under test: this build's, or `DEBUNK_CRASH_BIN` (a copy
/// kept aside, so that a long run survives rebuilds beside it).
fn bin() -> String {
    std::env::var("DEBUNK_CRASH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_debunk").to_string())
}

fn arg(name: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).and_then(|v| v.parse().ok())
}

fn cli(data: &Path, args: &[&str]) -> Value {
    let out = Command::new(bin())
        .env_remove("DEBUNK_DATA_DIR")
        .env("DEBUNK_LOG", "warn")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run debunk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// One data folder: its keys, anchors, ledger and running server.
struct Folder {
    _dir: tempfile::TempDir,
    data: PathBuf,
    keys: Arc<Keys>,
    admin: String,
    ledger: Arc<Mutex<Ledger>>,
    anchors: Arc<Vec<(String, String)>>,
    server: Server,
}

impl Folder {
    fn new() -> Folder {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let editor = cli(
            &data,
            &[
                "keys", "create", "--role", "editor", "--name", "harness", "--json",
            ],
        );
        let admin = cli(
            &data,
            &[
                "keys",
                "create",
                "--role",
                "admin",
                "--name",
                "harness-admin",
                "--json",
            ],
        );
        let keys = Arc::new(Keys {
            editor: editor["secret"].as_str().unwrap().into(),
        });
        let admin = admin["secret"].as_str().unwrap().to_string();
        // Anchors: claims posts repeat, imported before the first kill.
        let anchors: Vec<(String, String)> = (0..20)
            .map(|i| {
                let id = format!("anchor-{i}");
                let text = format!(
                    "{MARK} the anchor{i} zerbian causeway will reopen for vessels on a numbered date"
                );
                (id, text)
            })
            .collect();
        // One server runs a round's writes and then, restarted after the
        // kill, checks them and runs the next round's.
        let server = Server::start(&data, None);
        let r = import(&server.addr, &keys.editor, &jsonl(&anchors)).unwrap();
        assert_eq!(r.status, 200);
        Folder {
            _dir: dir,
            data,
            keys,
            admin,
            ledger: Arc::new(Mutex::new(Ledger::default())),
            anchors: Arc::new(anchors),
            server,
        }
    }
}

fn main() {
    let kills = arg("--kills").unwrap_or(200);
    let seed = arg("--seed").unwrap_or_else(|| {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("a random seed");
        u64::from_le_bytes(b) >> 1
    });
    // A full-disk run every this many rounds.
    let full_every = arg("--full-every").unwrap_or(50).max(1);
    println!("crash harness: {kills} kills, seed {seed}");
    // A long run starts a new data folder every this many rounds: each
    // round's check reads every stored claim back, so rounds slow as one
    // folder grows; CI's 200 kills all share one.
    let fresh_every = arg("--fresh-every").unwrap_or(200).max(1);
    let started = Instant::now();
    let mut rng = Rng(seed | 1);
    let mut acknowledged = 0u64;
    let mut folders = 1u64;
    let mut f = Folder::new();

    let mut repairs: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut inconsistencies = Vec::new();
    let mut disk_full = Vec::new();
    let mut damage_at = 0usize;
    for round in 0..kills {
        if round > 0 && round % fresh_every == 0 {
            f.server.kill();
            acknowledged += f.ledger.lock().unwrap().acknowledged;
            f = Folder::new();
            folders += 1;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Round {
            addr: f.server.addr.clone(),
            keys: f.keys.clone(),
            ledger: f.ledger.clone(),
            stop: stop.clone(),
            anchors: f.anchors.clone(),
        });
        let mut workers = Vec::new();
        for w in 0..4usize {
            let r = shared.clone();
            let mut rng = Rng(rng.next() | 1);
            workers.push(std::thread::spawn(move || match w {
                0 | 1 => {
                    let mut n = round * 1000;
                    r.claims(w, &mut rng, &mut n)
                }
                2 => {
                    if rng.below(2) == 0 {
                        r.imports(&mut rng)
                    } else {
                        r.narratives(&mut rng)
                    }
                }
                _ => r.moderation(&mut rng),
            }));
        }
        // A random moment in the round's writes.
        std::thread::sleep(Duration::from_millis(20 + rng.below(600)));
        f.server.kill();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            if let Err(e) = w.join() {
                std::panic::resume_unwind(e);
            }
        }
        if round % full_every == full_every - 1 {
            let mut l = f.ledger.lock().unwrap();
            disk_full.push(disk_full_round(&f.data, &f.keys, &mut l, &mut rng));
        }
        // Between rounds, now and then: damage the index while it is down
        // (after any full-disk run, so that the next start is the one that
        // must repair it).
        let damaged = (round % 4 == 3).then(|| {
            let how = DAMAGES[damage_at % DAMAGES.len()];
            damage_at += 1;
            (how, damage(&f.data.join("index"), how).is_ok())
        });
        f.server = Server::start(&f.data, None);
        // The full check (every post, link and claim) ends each folder.
        let full = round + 1 == kills || (round + 1) % fresh_every == 0;
        let bad = check(
            &f.server.addr,
            &mut f.ledger.lock().unwrap(),
            &f.admin,
            full,
        );
        if let Some((how, done)) = damaged {
            let entry = repairs.entry(format!("{how:?}")).or_default();
            if done {
                entry.0 += 1;
                if f.server.logged("rebuilding it from the store") && bad.is_empty() {
                    entry.1 += 1;
                } else {
                    inconsistencies.push(format!("round {round}: {how:?} was not repaired"));
                }
            }
        }
        inconsistencies.extend(bad.into_iter().map(|b| format!("round {round}: {b}")));
        if !inconsistencies.is_empty() {
            break;
        }
        if (round + 1) % 50 == 0 {
            // The whole tally so far: a run stopped early still says
            // what it proved.
            let repaired: u64 = repairs.values().map(|(_, r)| r).sum();
            let kinds = repairs.values().filter(|(_, r)| *r > 0).count();
            println!(
                "crash harness: {} kills, {} acknowledged writes, lost 0, inconsistencies 0, {repaired} repairs of {kinds} damage kinds, {} full-disk runs clean, {folders} data folders, {:.0?}",
                round + 1,
                acknowledged + f.ledger.lock().unwrap().acknowledged,
                disk_full.iter().filter(|d| d.is_ok()).count(),
                started.elapsed()
            );
        }
    }
    f.server.kill();
    let acknowledged = acknowledged + f.ledger.lock().unwrap().acknowledged;
    println!("crash harness: seed {seed}, kills {kills}, {folders} data folders, acknowledged writes {acknowledged}, lost 0 unless listed below, inconsistencies {}", inconsistencies.len());
    for (how, (tried, repaired)) in &repairs {
        println!("crash harness: damage {how}: repaired {repaired} of {tried}");
    }
    for d in &disk_full {
        println!("crash harness: full disk: {d:?}");
    }
    println!("crash harness: {:.0?}", started.elapsed());
    let failed_disk: Vec<&String> = disk_full.iter().filter_map(|d| d.as_ref().err()).collect();
    let unrepaired = repairs.values().any(|(t, r)| t != r);
    if !inconsistencies.is_empty() || !failed_disk.is_empty() || unrepaired {
        eprintln!("crash harness FAILED (rerun with --seed {seed}):");
        for i in inconsistencies.iter().take(50) {
            eprintln!("  {i}");
        }
        for d in failed_disk {
            eprintln!("  full disk: {d}");
        }
        println!("0 passed, 1 failed");
        std::process::exit(1);
    }
    println!("1 passed, 0 failed");
}
