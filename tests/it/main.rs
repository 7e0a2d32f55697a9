//! Behaviour tests: one binary, real SQLite, a real tantivy index, the real
//! `debunk` executable and a real HTTP server. No mocks.

mod api;
mod api_search;
mod bench;
mod beside;
mod browser;
mod common;

mod crash;
mod import;
mod matching;
mod moderation;
mod openapi;
mod repair;
mod search;
mod semantic;
mod serve;
mod stall;
mod web;
