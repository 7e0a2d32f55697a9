//! Behaviour tests: one binary, real SQLite, a real tantivy index, the real
//! `debunk` executable and a real HTTP server. No mocks.

mod api;
mod api_search;
mod browser;
mod common;

mod crash;
mod import;
mod matching;
mod openapi;
mod search;
mod serve;
mod web;
