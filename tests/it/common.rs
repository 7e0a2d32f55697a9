//! Shared fixtures: the data sets beside the checkout, temporary data folders,
//! running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use debunk::formats::Format;
use debunk::kb::{ImportOptions, KnowledgeBase};

/// A file of the public evaluation data in `../shared/data`.
pub fn shared_data(rel: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    assert!(path.exists(), "missing evaluation data {}", path.display());
    path
}

/// The real Arabic fact-check records (Fact Check Tools API shape).
pub fn arabic_claimreview() -> PathBuf {
    shared_data("arabic-claimreview/factcheck_api_claims.json")
}

/// An in-memory knowledge base loaded with one file.
pub fn kb_from_file(path: &Path) -> KnowledgeBase {
    let kb = KnowledgeBase::open_in_memory().expect("open in-memory knowledge base");
    import_file(&kb, path);
    kb
}

pub fn import_file(kb: &KnowledgeBase, path: &Path) {
    let file = std::fs::File::open(path).expect("open import file");
    let options = ImportOptions {
        format: Format::Auto,
        source: path.to_path_buf(),
        ..ImportOptions::default()
    };
    let report = kb
        .import(std::io::BufReader::new(file), &options, |_| {})
        .expect("import");
    assert_eq!(
        report.skipped, 0,
        "unexpected bad records: {:?}",
        report.errors
    );
}

/// Imports JSONL lines given inline.
pub fn import_jsonl(kb: &KnowledgeBase, lines: &[serde_json::Value]) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let options = ImportOptions {
        format: Format::Jsonl,
        ..ImportOptions::default()
    };
    let report = kb
        .import(body.as_bytes(), &options, |_| {})
        .expect("import");
    assert_eq!(
        report.skipped, 0,
        "unexpected bad records: {:?}",
        report.errors
    );
}

/// Ids of the top `n` hits for a query.
pub fn top_ids(kb: &KnowledgeBase, q: &str, n: usize) -> Vec<String> {
    let page = kb
        .search(&debunk::index::SearchQuery {
            q: q.into(),
            limit: n,
            ..Default::default()
        })
        .expect("search");
    page.hits.into_iter().map(|h| h.claim.id).collect()
}

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debunk"));
    cmd.env_remove("DEBUNK_DATA_DIR").env("DEBUNK_LOG", "warn");
    cmd
}

/// Runs `debunk --data-dir DIR ARGS...`.
pub fn debunk(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run debunk")
}

/// Makes a key with the CLI (`keys create --json`): its id, secret and role.
pub fn make_key(dir: &Path, role: &str, name: &str) -> serde_json::Value {
    json(&debunk(
        dir,
        &["keys", "create", "--role", role, "--name", name, "--json"],
    ))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "debunk failed: {}\n{}",
        out.status,
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// The real embedding model, as `scripts/setup-model` installs it. Under
/// `scripts/test` (`DEBUNK_REQUIRE_MODEL=1`) a missing model fails the
/// test; elsewhere (a plain `cargo test` without the setup) it is skipped
/// with a note.
pub fn real_model() -> Option<std::sync::Arc<dyn debunk::embed::Embedder>> {
    match debunk::embed::load(&debunk::embed::Config::default()) {
        Ok(Ok(e)) => Some(e),
        other => {
            let why = match other {
                Ok(Err(absent)) => absent.reason().to_string(),
                Err(e) => e.to_string(),
                Ok(Ok(_)) => unreachable!(),
            };
            assert!(
                std::env::var_os("DEBUNK_REQUIRE_MODEL").is_none(),
                "the real-model tests need the embedding model: run scripts/setup-model ({why})"
            );
            eprintln!("skipped: no embedding model ({why})");
            None
        }
    }
}
