//! The two references `debunk bench` sets our figures beside, built on the
//! same claims and asked the same posts: what a user would get from plain
//! tantivy or from SQLite FTS5 instead of debunk.
//!
//! Both see the text as our word analyzers leave it (so the difference is
//! the engine and the pipeline, not the analysis) and answer one boolean OR
//! of the post's distinct terms, top 10, with no re-ranking. This is the one
//! place outside `index` and `store` that calls tantivy and SQL directly:
//! the references must not go through our code, or they would measure it.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OpenFlags};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use super::BenchClaim;
use crate::error::{Error, Result};
use crate::text::{self, Lang};

/// A reference engine: index the claims once, then answer posts.
pub trait Reference: Sync {
    /// Top-10 claim positions (in the order they were indexed), best first.
    fn top(&self, post: &str) -> Result<Vec<usize>>;
}

/// The language whose analyzer a text goes through: the one our detector
/// names (Arabizi counts as Arabic, as in matching).
fn lang_of(text: &str) -> Lang {
    text::detect(text).lang
}

/// A text's distinct terms under its language's analyzer, first seen first.
fn distinct_terms(text: &str) -> (Lang, Vec<String>) {
    let lang = lang_of(text);
    let mut terms = text::analyze(lang, text);
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    (lang, terms)
}

fn engine_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("{what}: {e}")))
}

/// Plain tantivy: one text field per language with our analyzer, claim text
/// and title in it, BM25 over a boolean OR of term queries with frequencies
/// (so block-max WAND prunes, as tantivy's best case).
pub struct Tantivy {
    reader: IndexReader,
    fields: Vec<(Lang, Field)>,
}

impl Tantivy {
    pub fn build(dir: &Path, claims: &[BenchClaim]) -> Result<Tantivy> {
        let mut builder = Schema::builder();
        let fields: Vec<(Lang, Field)> = Lang::ALL
            .into_iter()
            .map(|lang| {
                let indexing = TextFieldIndexing::default()
                    .set_tokenizer(lang.analyzer())
                    .set_index_option(IndexRecordOption::WithFreqs);
                let options = TextOptions::default().set_indexing_options(indexing);
                (lang, builder.add_text_field(lang.code(), options))
            })
            .collect();
        let position = builder.add_u64_field("position", NumericOptions::default().set_fast());
        let index = Index::create_in_dir(dir, builder.build())
            .map_err(|e| engine_error("creating the tantivy reference", e))?;
        text::register_analyzers(index.tokenizers());
        let mut writer = index
            .writer(256 << 20)
            .map_err(|e| engine_error("opening the tantivy reference's writer", e))?;
        for (i, claim) in claims.iter().enumerate() {
            let lang = Lang::from_code(&claim.lang);
            let field = fields
                .iter()
                .find(|(l, _)| *l == lang)
                .map_or(fields[0].1, |(_, f)| *f);
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(field, &claim.text);
            doc.add_text(field, &claim.title);
            doc.add_u64(position, i as u64);
            writer
                .add_document(doc)
                .map_err(|e| engine_error("indexing the tantivy reference", e))?;
        }
        writer
            .commit()
            .map_err(|e| engine_error("committing the tantivy reference", e))?;
        writer
            .wait_merging_threads()
            .map_err(|e| engine_error("merging the tantivy reference", e))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| engine_error("reading the tantivy reference", e))?;
        Ok(Tantivy { reader, fields })
    }
}

impl Reference for Tantivy {
    fn top(&self, post: &str) -> Result<Vec<usize>> {
        let (lang, terms) = distinct_terms(post);
        let Some(&(_, field)) = self.fields.iter().find(|(l, _)| *l == lang) else {
            return Ok(Vec::new());
        };
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let q = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(q) as Box<dyn Query>)
            })
            .collect();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let hits = searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(10))
            .map_err(|e| engine_error("searching the tantivy reference", e))?;
        hits.into_iter()
            .map(|(_, address)| {
                let column = searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .u64("position")
                    .map_err(|e| engine_error("reading the tantivy reference", e))?;
                Ok(column.first(address.doc_id).unwrap_or(0) as usize)
            })
            .collect()
    }
}

/// SQLite FTS5 through rusqlite: one table of the claims' analysed terms
/// (text and title), `bm25` order, `"t1" OR "t2" ...`. A connection per
/// thread that asks (SQLite connections are not shared between threads).
pub struct Fts5 {
    path: std::path::PathBuf,
    connections: Mutex<Vec<Connection>>,
}

impl Fts5 {
    pub fn build(path: &Path, claims: &[BenchClaim]) -> Result<Fts5> {
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE VIRTUAL TABLE claim USING fts5(body, tokenize = 'unicode61 remove_diacritics 0');",
        )?;
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO claim (rowid, body) VALUES (?1, ?2)")?;
            for (i, claim) in claims.iter().enumerate() {
                let lang = Lang::from_code(&claim.lang);
                let mut body = text::analyze(lang, &claim.text);
                body.extend(text::analyze(lang, &claim.title));
                insert.execute(params![i as i64, body.join(" ")])?;
            }
        }
        tx.commit()?;
        conn.execute_batch("INSERT INTO claim (claim) VALUES ('optimize');")?;
        Ok(Fts5 {
            path: path.to_path_buf(),
            connections: Mutex::new(vec![conn]),
        })
    }

    fn connection(&self) -> Result<Connection> {
        let pooled = self
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        match pooled {
            Some(c) => Ok(c),
            None => Ok(Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?),
        }
    }
}

/// An FTS5 query string that ORs the terms, each quoted (so none is read as
/// an operator), or `None` when there is none.
fn fts5_or(terms: &[String]) -> Option<String> {
    let quoted: Vec<String> = terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join(" OR "))
}

impl Reference for Fts5 {
    fn top(&self, post: &str) -> Result<Vec<usize>> {
        let (_, terms) = distinct_terms(post);
        let Some(query) = fts5_or(&terms) else {
            return Ok(Vec::new());
        };
        let conn = self.connection()?;
        let result = (|| -> Result<Vec<usize>> {
            let mut stmt = conn.prepare_cached(
                "SELECT rowid FROM claim WHERE claim MATCH ?1 ORDER BY bm25(claim) LIMIT 10",
            )?;
            let rows = stmt.query_map([query], |row| row.get::<_, i64>(0))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row? as usize);
            }
            Ok(out)
        })();
        self.connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Vec<BenchClaim> {
        let claim = |id: &str, text: &str, lang: &str| BenchClaim {
            id: id.into(),
            text: text.into(),
            title: String::new(),
            lang: lang.into(),
        };
        vec![
            claim("a", "the vaccine changes your DNA says a viral video", "en"),
            claim("b", "anaconda swimming across a river in Brazil", "en"),
            claim("c", "مصر لم تعلن إغلاق السفارة السورية في القاهرة", "ar"),
        ]
    }

    #[test]
    fn both_references_find_the_claim_a_post_repeats() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let claims = claims();
        let tantivy_dir = dir.path().join("tantivy");
        std::fs::create_dir_all(&tantivy_dir).unwrap_or_else(|e| panic!("{e}"));
        let tantivy = Tantivy::build(&tantivy_dir, &claims).unwrap_or_else(|e| panic!("{e}"));
        let fts5 =
            Fts5::build(&dir.path().join("fts.sqlite"), &claims).unwrap_or_else(|e| panic!("{e}"));
        for engine in [&tantivy as &dyn Reference, &fts5] {
            let top = |post: &str| engine.top(post).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                top("a huge anaconda swims across the river").first(),
                Some(&1)
            );
            assert_eq!(top("السفارة السورية في القاهرة مغلقة").first(), Some(&2));
            assert!(top("the of and").is_empty());
        }
    }

    #[test]
    fn fts5_queries_quote_every_term() {
        assert_eq!(
            fts5_or(&["or".into(), "a\"b".into()]).as_deref(),
            Some("\"or\" OR \"a\"\"b\"")
        );
        assert_eq!(fts5_or(&[]), None);
    }
}
