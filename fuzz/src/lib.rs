//! What each fuzz target checks, as plain functions: the targets call them
//! on libFuzzer's inputs, and `tests/it/fuzz_corpus.rs` on the seeds.

pub mod checks;
