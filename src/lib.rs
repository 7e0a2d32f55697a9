//! debunk: a multilingual fact-check knowledge base.
//!
//! The data flows one way:
//!
//! ```text
//!  cli ─┐                          ┌─> store   (SQLite: the source of truth)
//!  api ─┤                          │
//!  web ─┼─> kb::KnowledgeBase  ────┼─> index   (tantivy: derived, rebuildable)
//!       │                          └─> matcher (pure: text -> ranked candidates)
//!       │      store, index, matcher ─> model, verdict (the records)
//!       └───────────── everything ───> text    (language, normalization, analyzers)
//! ```
//!
//! Which way each dependency runs, and never back:
//! - [`text`], [`verdict`] and [`model`] depend on nothing of ours but each
//!   other (`model` on `verdict`); [`text::TermField`] names the indexed
//!   fields for everyone.
//! - [`store`] (SQLite, the only code that writes SQL) and [`index`] (tantivy,
//!   the only code that calls it) know the records, not each other, and not
//!   the matcher: the index stores each claim's matching analysis as opaque
//!   bytes ([`index::Analysis`]).
//! - [`matcher`] ranks the claims a post repeats: pure logic over the narrow
//!   [`matcher::Corpus`] trait, knowing neither store nor index.
//! - [`kb`] is the facade that keeps store and index in step and adapts an
//!   index snapshot to `matcher::Corpus`: the one place index and matcher meet.
//!   Its moderation half (posts, links and decisions, narratives, settings,
//!   audit) sits in `kb/moderation.rs` over `store/moderation.rs`: a
//!   confirmed link becomes an appearance of its claim through the same
//!   claim upsert, so decisions feed matching through the index.
//! - [`formats`] reads and writes JSONL, ClaimReview and Fact Check API files;
//!   [`batch`] streams matching over JSONL; [`eval`] measures it; [`bench`]
//!   times it; [`train`] fits its models offline.
//! - [`embed`] turns text into multilingual vectors (the e5 engine, when the
//!   build found it) and keeps the claim vectors following the change log;
//!   the facade fuses them into matching ([`matcher::semantic`]) and search.
//! - [`cli`] and [`api`] are thin adapters over [`kb::KnowledgeBase`];
//!   [`keys`] the API keys and roles they check. [`server`] sits above
//!   `api`: listener, shared layers, shutdown, unknown paths, and the
//!   place other routers mount beside the API. [`web`] is the third
//!   adapter: the server-rendered pages, mounted beside the API by `server`
//!   (templates, assets and message catalogs in the top-level `web/` folder).
//! - [`error`] the one core error type.

pub mod api;
pub mod batch;
pub mod bench;
pub mod cli;
pub mod embed;
pub mod error;
pub mod eval;
pub mod formats;
pub mod index;
pub mod kb;
pub mod keys;
pub mod matcher;
pub mod model;
pub mod server;
pub mod store;
pub mod text;
pub mod train;
pub mod verdict;
pub mod web;

pub use error::{Error, Result};
pub use kb::KnowledgeBase;
