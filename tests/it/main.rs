//! Behaviour tests: one binary, real SQLite, a real tantivy index, the real
//! `debunk` executable and a real HTTP server. No mocks.

mod api;
mod api_search;
mod bad_input;
mod bench;
mod beside;
mod browser;
mod common;

mod crash;
mod fuzz_corpus;
mod import;
mod matching;
mod moderation;
mod openapi;
mod props;
mod repair;
mod search;
mod semantic;
mod serve;
mod stall;
mod web;
