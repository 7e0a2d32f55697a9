//! The SQLite store: the source of truth, and the only code that writes SQL.
//!
//! Every write runs in one transaction that also appends a row to `change`,
//! so the index (derived) can always catch up from what was committed. WAL
//! mode with `synchronous=FULL`: a commit that returned survives a crash.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{
    params, params_from_iter, Connection, OpenFlags, OptionalExtension, Row, ToSql, Transaction,
};

use crate::error::{Error, Result};
use crate::keys::{self, ApiKey, Role};
use crate::model::{Appearance, Claim};
use crate::verdict::Verdict;

mod moderation;
pub use moderation::{
    new_narrative_id, AuditEntry, Decision, Link, LinkFilter, LinkStatus, Narrative,
    NarrativeStatus, NewLink, NewPost, Post, ReviewClaim, ReviewFilter, ReviewItem, TimelinePoint,
};

/// Migrations, applied in order at open; `PRAGMA user_version` counts them.
const MIGRATIONS: &[&str] = &[
    include_str!("../schema/001_claims.sql"),
    include_str!("../schema/002_api_keys.sql"),
    include_str!("../schema/003_claim_vectors.sql"),
    include_str!("../schema/004_claim_lang_tag.sql"),
    include_str!("../schema/005_moderation.sql"),
];

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    /// The stored record already said the same; nothing was written.
    Unchanged,
}

/// One row of the change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub claim_id: String,
    pub deleted: bool,
}

/// Counts for `stats`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct StoreStats {
    pub claims: u64,
    pub appearances: u64,
    pub by_lang: Vec<(String, u64)>,
    pub by_verdict: Vec<(String, u64)>,
    pub last_seq: i64,
}

/// Claims read per page when walking them all (export, reindex).
pub const CLAIM_PAGE: usize = 500;

/// Idle read connections kept for reuse; more are opened when more readers
/// run at once, and closed when they are done.
const IDLE_READERS: usize = 4;

/// How long a statement waits for a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    // One writer: SQLite serializes writers anyway, and rusqlite calls block
    // (callers reach us from spawn_blocking).
    writer: Mutex<Connection>,
    // Reads run on their own read-only connections: with WAL they see the
    // last commit without waiting on the writer or on each other, so a slow
    // reader (an export to a client that stopped reading) stalls no one.
    readers: Mutex<Vec<Connection>>,
    /// The database file; `None` in memory, where reads share the writer
    /// (a private in-memory database has no second connection).
    path: Option<PathBuf>,
}

/// A connection to read with: a pooled read-only one, or the writer's in memory.
enum ReadConn<'a> {
    Pooled(&'a Store, Option<Connection>),
    Shared(MutexGuard<'a, Connection>),
}

impl Deref for ReadConn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            ReadConn::Shared(guard) => guard,
            // Only `Drop` takes the connection out.
            ReadConn::Pooled(_, conn) => conn.as_ref().expect("a pooled connection until dropped"),
        }
    }
}

impl Drop for ReadConn<'_> {
    fn drop(&mut self) {
        if let ReadConn::Pooled(store, conn) = self {
            if let Some(conn) = conn.take() {
                let mut idle = store.idle_readers();
                if idle.len() < IDLE_READERS {
                    idle.push(conn);
                }
            }
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        Store::init(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database, for tests and `eval`.
    pub fn open_in_memory() -> Result<Store> {
        Store::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if applied > MIGRATIONS.len() {
            return Err(Error::Invalid(format!(
                "the database has schema version {applied}, newer than this debunk ({}) knows",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(Store {
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            path,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the
        // transaction rolls back on drop), so a poisoned lock is still usable.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn idle_readers(&self) -> MutexGuard<'_, Vec<Connection>> {
        // The list only ever holds whole idle connections.
        self.readers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection for reads; never waits on the writer or on other readers.
    fn read(&self) -> Result<ReadConn<'_>> {
        let Some(path) = &self.path else {
            return Ok(ReadConn::Shared(self.conn()));
        };
        let idle = self.idle_readers().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn
            }
        };
        Ok(ReadConn::Pooled(self, Some(conn)))
    }

    /// Runs `f` in one transaction; commits if it returns Ok, rolls back otherwise.
    pub fn write<T>(&self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut writer = Writer {
            tx,
            now: now_rfc3339(),
        };
        let out = f(&mut writer)?;
        writer.tx.commit()?;
        Ok(out)
    }

    pub fn get_claim(&self, id: &str) -> Result<Option<Claim>> {
        let conn = self.read()?;
        load_claim(&conn, id)
    }

    /// Claims for a set of ids, in the order given; missing ids are left out.
    pub fn get_claims(&self, ids: &[&str]) -> Result<Vec<Claim>> {
        let conn = self.read()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = load_claim(&conn, id)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Calls `f` on every claim in id order, without holding them all in
    /// memory. Claims are read a page at a time and `f` runs between reads,
    /// holding no connection: a slow `f` stalls nobody. A write landing
    /// meanwhile shows in the pages not read yet.
    pub fn for_each_claim(&self, mut f: impl FnMut(Claim) -> Result<()>) -> Result<()> {
        let mut after: Option<String> = None;
        loop {
            let page = self.claims_after(after.as_deref(), CLAIM_PAGE)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some(last.id.clone());
            let full = page.len() >= CLAIM_PAGE;
            for claim in page {
                f(claim)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Up to `limit` claims whose id sorts after `after` (from the first
    /// without it), in id order.
    pub fn claims_after(&self, after: Option<&str>, limit: usize) -> Result<Vec<Claim>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} FROM claim WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let mut app_stmt = conn.prepare_cached(APPEARANCES_SQL)?;
        // Every id is non-empty, so all sort after "".
        let mut rows = stmt.query(params![after.unwrap_or(""), limit as i64])?;
        let mut out = Vec::with_capacity(limit.min(CLAIM_PAGE));
        while let Some(row) = rows.next()? {
            let (pk, mut claim) = claim_from_row(row)?;
            claim.appearances = appearances(&mut app_stmt, pk)?;
            out.push(claim);
        }
        Ok(out)
    }

    /// Change rows after `seq`, oldest first, at most `limit`.
    pub fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<Change>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT seq, claim_id, op FROM change WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![seq, limit as i64], |r| {
            Ok(Change {
                seq: r.get(0)?,
                claim_id: r.get(1)?,
                deleted: r.get::<_, String>(2)? == "delete",
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest change sequence number (0 when nothing was ever written).
    pub fn last_seq(&self) -> Result<i64> {
        let conn = self.read()?;
        Ok(conn.query_row("SELECT coalesce(max(seq), 0) FROM change", [], |r| r.get(0))?)
    }

    pub fn count_claims(&self) -> Result<u64> {
        let conn = self.read()?;
        Ok(conn.query_row("SELECT count(*) FROM claim", [], |r| r.get(0))?)
    }

    /// Ids of the claims that list this canonical URL as an appearance or as their review URL.
    pub fn claims_with_url(&self, canonical: &str) -> Result<Vec<String>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT c.id FROM appearance a JOIN claim c ON c.pk = a.claim_pk WHERE a.url = ?1
             UNION SELECT id FROM claim WHERE url = ?1",
        )?;
        let rows = stmt.query_map([canonical], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn stats(&self) -> Result<StoreStats> {
        let conn = self.read()?;
        let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        let group = |sql: &str| -> Result<Vec<(String, u64)>> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok(StoreStats {
            claims: count("SELECT count(*) FROM claim")?,
            appearances: count("SELECT count(*) FROM appearance")?,
            by_lang: group(
                "SELECT coalesce(lang, 'unknown'), count(*) FROM claim GROUP BY 1 ORDER BY 2 DESC, 1",
            )?,
            by_verdict: group(
                "SELECT coalesce(verdict, 'none'), count(*) FROM claim GROUP BY 1 ORDER BY 2 DESC, 1",
            )?,
            last_seq: conn.query_row("SELECT coalesce(max(seq), 0) FROM change", [], |r| {
                r.get(0)
            })?,
        })
    }
}

/// The write half of one transaction (see `Store::write`).
/// API keys.
impl Store {
    /// Stores a new key; returns it and its secret (never stored itself).
    pub fn create_key(&self, name: &str, role: Role) -> Result<(ApiKey, String)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a key needs a name".into()));
        }
        let (id, secret) = keys::new_secret()?;
        let key = ApiKey {
            id,
            name: name.to_string(),
            role,
            created_at: now_rfc3339(),
            revoked_at: None,
        };
        self.conn().execute(
            "INSERT INTO api_key (id, name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                key.id,
                key.name,
                role.as_str(),
                keys::hash_secret(&secret),
                key.created_at
            ],
        )?;
        Ok((key, secret))
    }

    /// Every key, revoked ones included, oldest first.
    pub fn list_keys(&self) -> Result<Vec<ApiKey>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT id, name, role, created_at, revoked_at FROM api_key ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], key_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Revokes the key; false if there is no such key or it was revoked already.
    pub fn revoke_key(&self, id: &str) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE api_key SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_rfc3339()],
        )?;
        Ok(n > 0)
    }

    /// The live key whose secret this is, if any.
    pub fn key_for_secret(&self, secret: &str) -> Result<Option<ApiKey>> {
        Ok(self
            .read()?
            .prepare_cached(
                "SELECT id, name, role, created_at, revoked_at FROM api_key
                 WHERE hash = ?1 AND revoked_at IS NULL",
            )?
            .query_row([keys::hash_secret(secret)], key_from_row)
            .optional()?)
    }
}

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<ApiKey> {
    let role: String = row.get(2)?;
    Ok(ApiKey {
        id: row.get(0)?,
        name: row.get(1)?,
        // The table's CHECK admits only the three names.
        role: Role::from_name(&role).unwrap_or(Role::Reader),
        created_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

pub struct Writer<'a> {
    tx: Transaction<'a>,
    now: String,
}

impl Writer<'_> {
    /// Inserts the claim, or updates the stored claim with the same id. The
    /// store sets `version`, `created_at` and `updated_at` on update; a new
    /// claim keeps the ones it carries (a restored export keeps its history).
    pub fn upsert_claim(&mut self, claim: &Claim) -> Result<Upsert> {
        if claim.id.trim().is_empty() {
            return Err(Error::Invalid("claim id is empty".into()));
        }
        if claim.text.trim().is_empty() {
            return Err(Error::Invalid(format!("claim {}: text is empty", claim.id)));
        }
        let tags = serde_json::to_string(&claim.tags)?;
        let raw = claim.raw.as_ref().map(|v| v.to_string());
        let verdict = claim.verdict.map(Verdict::as_str);
        let existing = load_claim(&self.tx, &claim.id)?;
        // ?1..?19 are the caller's fields, in the same order for both statements.
        let fields: [&dyn ToSql; 19] = [
            &claim.id,
            &claim.text,
            &claim.title,
            &claim.subtitle,
            &claim.lang,
            &verdict,
            &claim.verdict_text,
            &claim.summary,
            &claim.url,
            &claim.publisher,
            &claim.publisher_site,
            &claim.claimant,
            &claim.claim_date,
            &claim.review_date,
            &claim.country,
            &tags,
            &claim.narrative,
            &raw,
            &claim.lang_tag,
        ];
        let outcome = match existing {
            Some(old) if same_content(&old, claim) => return Ok(Upsert::Unchanged),
            Some(_) => {
                let now: &dyn ToSql = &self.now;
                self.exec(
                    "UPDATE claim SET text=?2, title=?3, subtitle=?4, lang=?5, verdict=?6,
                        verdict_text=?7, summary=?8, url=?9, publisher=?10, publisher_site=?11,
                        claimant=?12, claim_date=?13, review_date=?14, country=?15, tags=?16,
                        narrative=?17, raw=coalesce(?18, raw), lang_tag=?19, version=version+1,
                        updated_at=?20
                     WHERE id=?1",
                    params_from_iter(fields.iter().copied().chain([now])),
                )?;
                Upsert::Updated
            }
            None => {
                let version = claim.version.max(1);
                let created = claim.created_at.as_deref().unwrap_or(&self.now);
                let updated = claim.updated_at.as_deref().unwrap_or(&self.now);
                let stamps: [&dyn ToSql; 3] = [&version, &created, &updated];
                self.exec(
                    "INSERT INTO claim (id, text, title, subtitle, lang, verdict, verdict_text,
                        summary, url, publisher, publisher_site, claimant, claim_date,
                        review_date, country, tags, narrative, raw, lang_tag, version, created_at,
                        updated_at)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)",
                    params_from_iter(fields.iter().copied().chain(stamps)),
                )?;
                Upsert::Inserted
            }
        };
        let pk: i64 = self
            .tx
            .prepare_cached("SELECT pk FROM claim WHERE id = ?1")?
            .query_row([&claim.id], |r| r.get(0))?;
        self.exec("DELETE FROM appearance WHERE claim_pk = ?1", [pk])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO appearance (claim_pk, position, url, platform, text, first_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, a) in claim.appearances.iter().enumerate() {
            insert.execute(params![
                pk,
                i as i64,
                a.url,
                a.platform,
                a.text,
                a.first_seen
            ])?;
        }
        drop(insert);
        self.log(&claim.id, "upsert")?;
        Ok(outcome)
    }

    /// The claim as this transaction sees it.
    pub fn claim(&self, id: &str) -> Result<Option<Claim>> {
        load_claim(&self.tx, id)
    }

    /// Deletes a claim and its appearances; false if there was none.
    pub fn delete_claim(&mut self, id: &str) -> Result<bool> {
        let n = self.exec("DELETE FROM claim WHERE id = ?1", [id])?;
        if n > 0 {
            self.log(id, "delete")?;
        }
        Ok(n > 0)
    }

    /// Runs one statement, prepared once per connection: an import runs the
    /// same few statements hundreds of thousands of times.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        Ok(self.tx.prepare_cached(sql)?.execute(params)?)
    }

    fn log(&mut self, claim_id: &str, op: &str) -> Result<()> {
        self.exec(
            "INSERT INTO change (claim_id, op, at) VALUES (?1, ?2, ?3)",
            params![claim_id, op, self.now],
        )?;
        Ok(())
    }
}

/// True when everything a caller controls is equal (store-managed fields aside).
fn same_content(stored: &Claim, incoming: &Claim) -> bool {
    let strip = |c: &Claim| Claim {
        row: None,
        version: 0,
        created_at: None,
        updated_at: None,
        raw: None,
        ..c.clone()
    };
    strip(stored) == strip(incoming) && (incoming.raw.is_none() || incoming.raw == stored.raw)
}

const CLAIM_COLUMNS: &str = "pk, id, text, title, subtitle, lang, verdict, verdict_text, summary,
    url, publisher, publisher_site, claimant, claim_date, review_date, country, tags, narrative,
    raw, version, created_at, updated_at, lang_tag";

const APPEARANCES_SQL: &str =
    "SELECT url, platform, text, first_seen FROM appearance WHERE claim_pk = ?1 ORDER BY position";

fn load_claim(conn: &Connection, id: &str) -> Result<Option<Claim>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CLAIM_COLUMNS} FROM claim WHERE id = ?1"))?;
    let found = stmt.query_row([id], claim_from_row).optional()?;
    let Some((pk, mut claim)) = found else {
        return Ok(None);
    };
    let mut app_stmt = conn.prepare_cached(APPEARANCES_SQL)?;
    claim.appearances = appearances(&mut app_stmt, pk)?;
    Ok(Some(claim))
}

fn appearances(stmt: &mut rusqlite::Statement<'_>, pk: i64) -> Result<Vec<Appearance>> {
    let rows = stmt.query_map([pk], |r| {
        Ok(Appearance {
            url: r.get(0)?,
            platform: r.get(1)?,
            text: r.get(2)?,
            first_seen: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn claim_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Claim)> {
    let text_err = |i: usize, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let verdict: Option<String> = row.get(6)?;
    let tags: String = row.get(16)?;
    let raw: Option<String> = row.get(18)?;
    let claim = Claim {
        id: row.get(1)?,
        text: row.get(2)?,
        title: row.get(3)?,
        subtitle: row.get(4)?,
        lang: row.get(5)?,
        lang_tag: row.get(22)?,
        // The CHECK constraint admits only names `from_name` knows.
        verdict: verdict.as_deref().and_then(Verdict::from_name),
        verdict_text: row.get(7)?,
        summary: row.get(8)?,
        url: row.get(9)?,
        publisher: row.get(10)?,
        publisher_site: row.get(11)?,
        claimant: row.get(12)?,
        claim_date: row.get(13)?,
        review_date: row.get(14)?,
        country: row.get(15)?,
        tags: serde_json::from_str(&tags).map_err(|e| text_err(16, e))?,
        narrative: row.get(17)?,
        appearances: Vec::new(),
        raw: raw
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|e| text_err(18, e))?,
        row: Some(row.get(0)?),
        version: row.get(19)?,
        created_at: row.get(20)?,
        updated_at: row.get(21)?,
    };
    Ok((row.get(0)?, claim))
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Claim vectors (semantic matching): derived data, written without a
/// change row, with each model's position in the change log.
impl Store {
    /// The last change applied to this model's vectors (0: none yet).
    pub fn vector_seq(&self, model: &str) -> Result<i64> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT seq FROM vector_progress WHERE model = ?1",
                [model],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Calls `f` with every stored vector of this model, as bytes.
    pub fn for_each_vector(&self, model: &str, mut f: impl FnMut(&str, &[u8])) -> Result<()> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT claim_id, vector FROM claim_vector WHERE model = ?1")?;
        let mut rows = stmt.query([model])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let bytes = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            f(&id, bytes);
        }
        Ok(())
    }

    /// Writes vectors, removes those of deleted claims and moves the model's
    /// position to `seq`, in one transaction: after a crash the vectors and
    /// the position agree.
    pub fn apply_vectors(
        &self,
        model: &str,
        set: &[(String, Vec<u8>)],
        remove: &[String],
        seq: i64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO claim_vector (model, claim_id, vector) VALUES (?1, ?2, ?3)
                 ON CONFLICT (model, claim_id) DO UPDATE SET vector = excluded.vector",
            )?;
            for (id, bytes) in set {
                put.execute(params![model, id, bytes])?;
            }
            let mut del =
                tx.prepare_cached("DELETE FROM claim_vector WHERE model = ?1 AND claim_id = ?2")?;
            for id in remove {
                del.execute(params![model, id])?;
            }
            tx.execute(
                "INSERT INTO vector_progress (model, seq) VALUES (?1, ?2)
                 ON CONFLICT (model) DO UPDATE SET seq = excluded.seq",
                params![model, seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, text: &str) -> Claim {
        Claim {
            id: id.into(),
            text: text.into(),
            appearances: vec![Appearance {
                url: Some("https://x.com/a/status/1".into()),
                ..Appearance::default()
            }],
            ..Claim::default()
        }
    }

    #[test]
    fn upsert_inserts_then_updates_then_sees_no_change() {
        let store = Store::open_in_memory().unwrap();
        let a = claim("a", "first text");
        assert_eq!(
            store.write(|w| w.upsert_claim(&a)).unwrap(),
            Upsert::Inserted
        );
        assert_eq!(
            store.write(|w| w.upsert_claim(&a)).unwrap(),
            Upsert::Unchanged
        );
        let b = Claim {
            text: "second text".into(),
            ..a.clone()
        };
        assert_eq!(
            store.write(|w| w.upsert_claim(&b)).unwrap(),
            Upsert::Updated
        );
        let got = store.get_claim("a").unwrap().unwrap();
        assert_eq!(got.text, "second text");
        assert_eq!(got.version, 2);
        assert_eq!(got.appearances, a.appearances);
        assert_eq!(store.count_claims().unwrap(), 1);
        // insert + update logged; the no-op was not.
        assert_eq!(store.last_seq().unwrap(), 2);
    }

    #[test]
    fn a_failed_transaction_writes_nothing() {
        let store = Store::open_in_memory().unwrap();
        let result = store.write(|w| {
            w.upsert_claim(&claim("a", "kept?"))?;
            w.upsert_claim(&claim("b", "   "))
        });
        assert!(result.is_err());
        assert_eq!(store.count_claims().unwrap(), 0);
        assert_eq!(store.last_seq().unwrap(), 0);
    }

    #[test]
    fn delete_logs_a_change_and_removes_appearances() {
        let store = Store::open_in_memory().unwrap();
        store
            .write(|w| w.upsert_claim(&claim("a", "text")))
            .unwrap();
        assert!(store.write(|w| w.delete_claim("a")).unwrap());
        assert!(!store.write(|w| w.delete_claim("a")).unwrap());
        let changes = store.changes_since(0, 10).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(changes[1].deleted);
        assert!(store
            .claims_with_url("https://x.com/a/status/1")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn reopening_a_file_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let store = Store::open(&path).unwrap();
            store
                .write(|w| w.upsert_claim(&claim("a", "text")))
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.count_claims().unwrap(), 1);
        assert_eq!(
            store.claims_with_url("https://x.com/a/status/1").unwrap(),
            vec!["a"]
        );
    }

    #[test]
    fn every_claim_is_visited_once_in_id_order_across_pages() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let n = CLAIM_PAGE * 2 + 3;
        store
            .write(|w| {
                for i in 0..n {
                    w.upsert_claim(&claim(&format!("c{i:05}"), "text"))?;
                }
                Ok(())
            })
            .unwrap();
        let mut seen = Vec::new();
        store
            .for_each_claim(|c| {
                // A write between pages does not wait on the walk.
                if seen.len() == CLAIM_PAGE {
                    store.write(|w| w.delete_claim("c00000"))?;
                }
                seen.push(c.id);
                Ok(())
            })
            .unwrap();
        let expected: Vec<String> = (0..n).map(|i| format!("c{i:05}")).collect();
        assert_eq!(seen, expected);
    }
}
