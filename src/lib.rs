//! debunk: a multilingual fact-check knowledge base.
//!
//! The data flows one way:
//!
//! ```text
//!  cli ─┐                          ┌─> store   (SQLite: the source of truth)
//!  api ─┤                          │
//!  web ─┼─> kb::KnowledgeBase  ────┼─> index   (tantivy: derived, rebuildable)
//!       │                          └─> matcher (pure: text -> ranked candidates)
//!       └───────────── everything ───> text    (language, normalization, analyzers)
//! ```
//!
//! - [`model`] the records (claims, appearances); [`verdict`] the verdict scale.
//! - [`formats`] reads and writes JSONL, ClaimReview and Fact Check API files.
//! - [`text`] owns every normalization, tokenization and stemming rule.
//! - [`store`] SQLite, the only code that writes SQL; [`index`] tantivy, the
//!   only code that calls it; [`kb`] the facade that keeps them in step.
//! - [`matcher`] ranks the claims a post repeats (pure, over the narrow
//!   [`matcher::Corpus`] trait the index implements); [`batch`] streams it
//!   over JSONL; [`eval`] measures it; [`bench`] times it.
//! - [`cli`] and [`api`] are thin adapters over [`kb::KnowledgeBase`];
//!   [`keys`] the API keys and roles they check. [`web`] is the third: the
//!   server-rendered pages, mounted beside the API (templates, assets and
//!   message catalogs in the top-level `web/` folder).
//! - [`error`] the one core error type.

pub mod api;
pub mod batch;
pub mod bench;
pub mod cli;
pub mod error;
pub mod eval;
pub mod formats;
pub mod index;
pub mod kb;
pub mod keys;
pub mod matcher;
pub mod model;
pub mod store;
pub mod text;
pub mod verdict;
pub mod web;

pub use error::{Error, Result};
pub use kb::KnowledgeBase;
