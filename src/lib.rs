//! debunk: a multilingual fact-check knowledge base.
//!
//! The data flows one way:
//!
//! ```text
//!  cli ─┐                          ┌─> store   (SQLite: the source of truth)
//!  api ─┼─> kb::KnowledgeBase  ────┼─> index   (tantivy: derived, rebuildable)
//!       │                          └─> matcher (pure: text -> ranked candidates)
//!       └───────────── everything ───> text    (language, normalization, analyzers)
//! ```
//!
//! - [`model`] the records (claims, appearances); [`verdict`] the verdict scale.
//! - [`formats`] reads and writes JSONL, ClaimReview and Fact Check API files.
//! - [`text`] owns every normalization, tokenization and stemming rule.
//! - [`error`] the one core error type.

pub mod error;
pub mod formats;
pub mod model;
pub mod text;
pub mod verdict;

pub use error::{Error, Result};
