//! The fuzz targets' checks (`fuzz/src/checks.rs`) as a plain test: over
//! every seed in `fuzz/seeds/<target>/` and a few thousand deterministic
//! mutations of them. CI runs this instead of libFuzzer, whose
//! instrumented build of the whole crate does not fit its time; the
//! libFuzzer runs are `scripts/fuzz`.

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

/// A small, seedable generator for the mutations: runs repeat exactly.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Bytes that tend to break parsers: quotes, braces, escapes, NULs, lone
/// UTF-8 lead bytes, Arabic letters and marks, digits Arabizi reads.
const SPICE: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\\",
    b"\\u0000",
    b"\x00",
    b"\n",
    b"\r\n",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    "ـ".as_bytes(),
    "ً".as_bytes(),
    "إ".as_bytes(),
    "ى".as_bytes(),
    b"3",
    b"7",
    b"9",
    b"%",
    b"%ZZ",
    b"&",
    b"=",
    b";",
    b",",
    b"@",
    b"#",
    b"https://",
    b"1e999",
    b"-0",
    b"null",
    b"\"@type\"",
    b"\"claimReview\"",
    b"\"text\"",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 => {
                let spice = SPICE[rng.below(SPICE.len())];
                v.splice(at..at, spice.iter().copied());
            }
            1 if !v.is_empty() => {
                let end = (at + rng.below(8)).min(v.len());
                v.drain(at.min(end)..end);
            }
            2 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = (rng.below(256)) as u8;
            }
            _ => {
                let copy: Vec<u8> = v[at..(at + rng.below(16)).min(v.len())].to_vec();
                v.splice(at..at, copy);
            }
        }
    }
    v
}

fn run(target: &str, check: fn(&[u8]), mutations: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds for {target}");
    for seed in &seeds {
        check(seed);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..mutations {
        let input = mutate(&seeds[i % seeds.len()], &mut rng);
        check(&input);
    }
}

#[test]
fn text_analysis_survives_its_corpus_and_normalizes_idempotently() {
    run("text", checks::text, 3000);
}

#[test]
fn every_importer_survives_its_corpus() {
    run("import", checks::import, 3000);
}

#[test]
fn the_posts_reader_survives_its_corpus() {
    run("posts", checks::posts, 300);
}

#[test]
fn search_parameters_and_cursors_survive_their_corpus() {
    run("query", checks::query, 500);
}

#[test]
fn the_ndjson_matcher_survives_its_corpus() {
    run("ndjson", checks::ndjson, 200);
}

#[test]
fn the_web_layers_cookie_path_and_form_parsing_survive_their_corpus() {
    run("web", checks::web, 3000);
}
