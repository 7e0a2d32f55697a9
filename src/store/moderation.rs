//! Moderation records in SQLite: posts, their links to claims and the
//! decisions on them, narratives, per-folder settings and the audit trail.
//!
//! Every change here writes its audit row in the same transaction (through
//! [`Writer::audit`]), so the trail can't miss a committed change.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{Store, Writer};
use crate::error::{Error, Result};
use crate::verdict::Verdict;

/// An incoming item as seen in the wild, deduplicated: the same canonical
/// URL or the same normalized text is one post seen `seen` times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Post {
    pub id: i64,
    pub text: String,
    /// Canonical URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The platform of the first sighting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Every platform the post was seen on.
    pub platforms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
    /// How many times the post was received.
    pub seen: i64,
    pub first_seen: String,
    pub last_seen: String,
}

/// A post as a caller sends it (already canonicalized by the facade).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
    /// `tiktok`, `x`, `facebook`, ...; derived from the URL when not given.
    #[serde(default)]
    pub platform: Option<String>,
    /// The author's handle.
    #[serde(default)]
    pub author: Option<String>,
    /// ISO 639-1; detected when not given.
    #[serde(default)]
    pub lang: Option<String>,
    /// When the post was published: `YYYY-MM-DD` or RFC 3339, as given.
    #[serde(default)]
    pub posted_at: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Suggested,
    Confirmed,
    Rejected,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Suggested => "suggested",
            LinkStatus::Confirmed => "confirmed",
            LinkStatus::Rejected => "rejected",
        }
    }

    pub fn from_name(name: &str) -> Option<LinkStatus> {
        match name {
            "suggested" => Some(LinkStatus::Suggested),
            "confirmed" => Some(LinkStatus::Confirmed),
            "rejected" => Some(LinkStatus::Rejected),
            _ => None,
        }
    }
}

/// A post ↔ claim link with the evidence that made it and the decision on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub id: i64,
    pub post_id: i64,
    pub claim_id: String,
    /// The matcher's calibrated score when the link was made.
    pub score: f64,
    /// `match` or `possible`.
    pub band: String,
    pub status: LinkStatus,
    /// The matcher's explanation (terms, spans, url).
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    /// Which parts of the claim matched: `text`, `title`, `appearance`, `url`.
    pub fields: Vec<String>,
    /// Who decided (a key's name, `cli`, or `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Grows with every decision; `If-Match` names it.
    pub version: i64,
    pub created_at: String,
}

/// A link to make for a post.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub claim_id: String,
    pub score: f64,
    pub band: String,
    pub explanation: serde_json::Value,
    pub fields: Vec<String>,
    pub status: LinkStatus,
}

/// A decision on a suggested link.
#[derive(Clone, Debug)]
pub struct Decision {
    pub status: LinkStatus,
    pub actor: String,
    pub note: Option<String>,
    /// The version the decider saw; another one fails the decision as stale.
    pub if_version: Option<i64>,
}

/// Which links to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkFilter {
    /// `suggested`, `confirmed` or `rejected`.
    pub status: Option<String>,
    /// Only links to this claim.
    pub claim: Option<String>,
    /// Only links of this post.
    pub post: Option<i64>,
}

/// Which review items to list, and in which order.
/// The API reads it from the query string, `debunk review` from its options.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams, clap::Args)]
#[into_params(parameter_in = Query)]
pub struct ReviewFilter {
    /// Link status (default `suggested`).
    #[arg(long)]
    pub status: Option<String>,
    /// `match` or `possible`.
    #[arg(long)]
    pub band: Option<String>,
    /// The post's language.
    #[arg(long)]
    pub lang: Option<String>,
    /// A platform the post was seen on.
    #[arg(long)]
    pub platform: Option<String>,
    /// Only posts last seen at or after this time (RFC 3339 or a date).
    #[arg(long)]
    pub since: Option<String>,
    /// `newest` (last seen first, the default) or `most_seen`.
    #[arg(long)]
    pub sort: Option<String>,
    /// Most items (default 50, at most 500).
    #[arg(long)]
    pub limit: Option<usize>,
}

/// The claim of a review item: what a moderator needs to decide.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewClaim {
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
}

/// One card of the review queue.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub link: Link,
    pub post: Post,
    /// `None` when the claim was deleted since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ReviewClaim>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NarrativeStatus {
    #[default]
    Active,
    Dormant,
    Closed,
}

impl NarrativeStatus {
    pub const ALL: [NarrativeStatus; 3] = [
        NarrativeStatus::Active,
        NarrativeStatus::Dormant,
        NarrativeStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NarrativeStatus::Active => "active",
            NarrativeStatus::Dormant => "dormant",
            NarrativeStatus::Closed => "closed",
        }
    }

    fn from_name(name: &str) -> NarrativeStatus {
        match name {
            "dormant" => NarrativeStatus::Dormant,
            "closed" => NarrativeStatus::Closed,
            _ => NarrativeStatus::Active,
        }
    }
}

/// Claims in any language that tell one false story, optionally bound to
/// a time and a place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Narrative {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO date the story is bound to (or the start of its range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default)]
    pub status: NarrativeStatus,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Linked posts of a narrative on one day and platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TimelinePoint {
    /// `YYYY-MM-DD`: when the post was published, or first seen.
    pub day: String,
    /// `unknown` when the platform is not known.
    pub platform: String,
    pub posts: i64,
}

/// One recorded change.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// `claim`, `link`, `narrative` or `settings`.
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// A key's name, `cli`, or `auto` for automatic confirmations.
    pub actor: String,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Most rows a listing returns.
pub const MAX_LIST: usize = 500;

const POST_COLUMNS: &str = "p.pk, p.text, p.url, p.platform, p.platforms, p.author, p.lang,
    p.posted_at, p.seen, p.first_seen, p.last_seen";

const LINK_COLUMNS: &str = "l.pk, l.post_pk, l.claim_id, l.score, l.band, l.status,
    l.explanation, l.fields, l.decided_by, l.decided_at, l.note, l.version, l.created_at";

const NARRATIVE_COLUMNS: &str =
    "id, title, description, event_date, event_end, place, status, version, created_at, updated_at";

fn json_err(i: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn post_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Post> {
    let platforms: String = r.get(at + 4)?;
    Ok(Post {
        id: r.get(at)?,
        text: r.get(at + 1)?,
        url: r.get(at + 2)?,
        platform: r.get(at + 3)?,
        platforms: serde_json::from_str(&platforms).map_err(|e| json_err(at + 4, e))?,
        author: r.get(at + 5)?,
        lang: r.get(at + 6)?,
        posted_at: r.get(at + 7)?,
        seen: r.get(at + 8)?,
        first_seen: r.get(at + 9)?,
        last_seen: r.get(at + 10)?,
    })
}

fn link_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Link> {
    let status: String = r.get(at + 5)?;
    let explanation: String = r.get(at + 6)?;
    let fields: String = r.get(at + 7)?;
    Ok(Link {
        id: r.get(at)?,
        post_id: r.get(at + 1)?,
        claim_id: r.get(at + 2)?,
        score: r.get(at + 3)?,
        band: r.get(at + 4)?,
        // The table's CHECK admits only the three names.
        status: LinkStatus::from_name(&status).unwrap_or(LinkStatus::Suggested),
        explanation: serde_json::from_str(&explanation).map_err(|e| json_err(at + 6, e))?,
        fields: serde_json::from_str(&fields).map_err(|e| json_err(at + 7, e))?,
        decided_by: r.get(at + 8)?,
        decided_at: r.get(at + 9)?,
        note: r.get(at + 10)?,
        version: r.get(at + 11)?,
        created_at: r.get(at + 12)?,
    })
}

fn narrative_from_row(r: &Row<'_>) -> rusqlite::Result<Narrative> {
    let status: String = r.get(6)?;
    Ok(Narrative {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        event_date: r.get(3)?,
        event_end: r.get(4)?,
        place: r.get(5)?,
        status: NarrativeStatus::from_name(&status),
        version: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

fn load_post(conn: &Connection, id: i64) -> Result<Option<Post>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {POST_COLUMNS} FROM post p WHERE p.pk = ?1"
        ))?
        .query_row([id], |r| post_from_row(r, 0))
        .optional()?)
}

fn load_link(conn: &Connection, id: i64) -> Result<Option<Link>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {LINK_COLUMNS} FROM link l WHERE l.pk = ?1"
        ))?
        .query_row([id], |r| link_from_row(r, 0))
        .optional()?)
}

fn load_links(conn: &Connection, filter: &LinkFilter) -> Result<Vec<Link>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LINK_COLUMNS} FROM link l
         WHERE (?1 IS NULL OR l.status = ?1) AND (?2 IS NULL OR l.claim_id = ?2)
           AND (?3 IS NULL OR l.post_pk = ?3)
         ORDER BY l.pk LIMIT ?4"
    ))?;
    let rows = stmt.query_map(
        params![filter.status, filter.claim, filter.post, MAX_LIST as i64],
        |r| link_from_row(r, 0),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn load_narrative(conn: &Connection, id: &str) -> Result<Option<Narrative>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {NARRATIVE_COLUMNS} FROM narrative WHERE id = ?1"
        ))?
        .query_row([id], narrative_from_row)
        .optional()?)
}

impl Store {
    pub fn get_post(&self, id: i64) -> Result<Option<Post>> {
        load_post(&*self.read()?, id)
    }

    pub fn get_link(&self, id: i64) -> Result<Option<Link>> {
        load_link(&*self.read()?, id)
    }

    /// Links matching the filter, oldest first, at most `MAX_LIST`.
    pub fn list_links(&self, filter: &LinkFilter) -> Result<Vec<Link>> {
        load_links(&*self.read()?, filter)
    }

    /// The review queue: links with their post and claim.
    pub fn review(&self, f: &ReviewFilter) -> Result<Vec<ReviewItem>> {
        let conn = self.read()?;
        let order = match f.sort.as_deref() {
            Some("most_seen") => "p.seen DESC, p.last_seen DESC, l.pk",
            _ => "p.last_seen DESC, l.pk DESC",
        };
        let limit = f.limit.unwrap_or(50).clamp(1, MAX_LIST) as i64;
        let mut stmt = conn.prepare(&format!(
            "SELECT {LINK_COLUMNS}, {POST_COLUMNS},
                    c.id, c.text, c.title, c.verdict, c.url, c.publisher, c.narrative
             FROM link l JOIN post p ON p.pk = l.post_pk LEFT JOIN claim c ON c.id = l.claim_id
             WHERE l.status = ?1 AND (?2 IS NULL OR l.band = ?2) AND (?3 IS NULL OR p.lang = ?3)
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(p.platforms) WHERE value = ?4))
               AND (?5 IS NULL OR p.last_seen >= ?5)
             ORDER BY {order} LIMIT ?6"
        ))?;
        let status = f.status.as_deref().unwrap_or("suggested");
        let rows = stmt.query_map(
            params![status, f.band, f.lang, f.platform, f.since, limit],
            |r| {
                let claim_id: Option<String> = r.get(24)?;
                let verdict: Option<String> = r.get(27)?;
                let claim = match claim_id {
                    None => None,
                    Some(id) => Some(ReviewClaim {
                        id,
                        text: r.get(25)?,
                        title: r.get(26)?,
                        verdict: verdict.as_deref().and_then(Verdict::from_name),
                        url: r.get(28)?,
                        publisher: r.get(29)?,
                        narrative: r.get(30)?,
                    }),
                };
                Ok(ReviewItem {
                    link: link_from_row(r, 0)?,
                    post: post_from_row(r, 13)?,
                    claim,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many links have this status (the review queue's length for
    /// `suggested`), for a count shown on every page of a moderator.
    pub fn count_links(&self, status: LinkStatus) -> Result<u64> {
        let conn = self.read()?;
        let n: i64 = conn
            .prepare_cached("SELECT count(*) FROM link WHERE status = ?1")?
            .query_row([status.as_str()], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// A setting's stored JSON value, if it was ever set.
    pub fn setting(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let conn = self.read()?;
        let raw: Option<String> = conn
            .prepare_cached("SELECT value FROM setting WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?;
        Ok(raw.map(|v| serde_json::from_str(&v)).transpose()?)
    }

    pub fn list_narratives(&self) -> Result<Vec<Narrative>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {NARRATIVE_COLUMNS} FROM narrative ORDER BY created_at DESC, pk DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([MAX_LIST as i64], narrative_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn get_narrative(&self, id: &str) -> Result<Option<Narrative>> {
        load_narrative(&*self.read()?, id)
    }

    /// Ids of the claims in a narrative, in id order.
    pub fn narrative_claims(&self, id: &str) -> Result<Vec<String>> {
        let conn = self.read()?;
        let mut stmt =
            conn.prepare_cached("SELECT id FROM claim WHERE narrative = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Posts with a confirmed or suggested link to a claim of the narrative,
    /// most seen first.
    pub fn narrative_posts(&self, id: &str) -> Result<Vec<Post>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {POST_COLUMNS} FROM post p WHERE p.pk IN (
                SELECT l.post_pk FROM link l JOIN claim c ON c.id = l.claim_id
                WHERE c.narrative = ?1 AND l.status != 'rejected')
             ORDER BY p.seen DESC, p.pk LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![id, MAX_LIST as i64], |r| post_from_row(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Linked posts of a narrative per day and platform, oldest day first.
    pub fn narrative_timeline(&self, id: &str) -> Result<Vec<TimelinePoint>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT substr(coalesce(p.posted_at, p.first_seen), 1, 10) AS day,
                    coalesce(p.platform, 'unknown'), count(DISTINCT p.pk)
             FROM post p JOIN link l ON l.post_pk = p.pk JOIN claim c ON c.id = l.claim_id
             WHERE c.narrative = ?1 AND l.status != 'rejected'
             GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(TimelinePoint {
                day: r.get(0)?,
                platform: r.get(1)?,
                posts: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The audit trail, oldest first; `entity` and `id` narrow it.
    pub fn audit_log(&self, entity: Option<&str>, id: Option<&str>) -> Result<Vec<AuditEntry>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT seq, entity, entity_id, action, actor, at, before, after FROM audit
             WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
             ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![entity, id, MAX_LIST as i64], |r| {
            let before: Option<String> = r.get(6)?;
            let after: Option<String> = r.get(7)?;
            let parse = |i, s: Option<String>| {
                s.map(|s| serde_json::from_str(&s))
                    .transpose()
                    .map_err(|e| json_err(i, e))
            };
            Ok(AuditEntry {
                seq: r.get(0)?,
                entity: r.get(1)?,
                entity_id: r.get(2)?,
                action: r.get(3)?,
                actor: r.get(4)?,
                at: r.get(5)?,
                before: parse(6, before)?,
                after: parse(7, after)?,
            })
        })?;
        let mut out: Vec<AuditEntry> = rows.collect::<rusqlite::Result<_>>()?;
        out.reverse();
        Ok(out)
    }
}

impl Writer<'_> {
    /// Records a change of `entity` `id` in this transaction.
    pub fn audit(
        &mut self,
        entity: &str,
        id: &str,
        action: &str,
        actor: &str,
        before: Option<&impl Serialize>,
        after: Option<&impl Serialize>,
    ) -> Result<()> {
        let before = before.map(serde_json::to_string).transpose()?;
        let after = after.map(serde_json::to_string).transpose()?;
        self.exec(
            "INSERT INTO audit (entity, entity_id, action, actor, at, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![entity, id, action, actor, self.now, before, after],
        )?;
        Ok(())
    }

    /// Records a sighting of a post: a post with the same canonical URL, or
    /// else the same `text_key`, counts one more sighting; otherwise a new
    /// post is stored. Returns the post and whether it is new.
    pub fn sight_post(&mut self, post: &NewPost, text_key: &str) -> Result<(Post, bool)> {
        let existing: Option<i64> = self
            .tx
            .prepare_cached(
                "SELECT pk FROM post WHERE url = ?1
                 UNION ALL SELECT pk FROM post WHERE text_key = ?2 LIMIT 1",
            )?
            .query_row(params![post.url, text_key], |r| r.get(0))
            .optional()?;
        let platforms = serde_json::to_string(&post.platform.iter().collect::<Vec<_>>())?;
        let (pk, new) = match existing {
            Some(pk) => {
                self.exec(
                    "UPDATE post SET seen = seen + 1, last_seen = ?2,
                        url = coalesce(url, ?3), author = coalesce(author, ?4),
                        posted_at = coalesce(posted_at, ?5),
                        platforms = CASE WHEN ?6 IS NULL OR EXISTS
                            (SELECT 1 FROM json_each(platforms) WHERE value = ?6)
                            THEN platforms ELSE json_insert(platforms, '$[#]', ?6) END
                     WHERE pk = ?1",
                    params![
                        pk,
                        self.now,
                        post.url,
                        post.author,
                        post.posted_at,
                        post.platform
                    ],
                )?;
                (pk, false)
            }
            None => {
                self.exec(
                    "INSERT INTO post (text, url, platform, platforms, author, lang, posted_at,
                        text_key, first_seen, last_seen)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![
                        post.text,
                        post.url,
                        post.platform,
                        platforms,
                        post.author,
                        post.lang,
                        post.posted_at,
                        text_key,
                        self.now
                    ],
                )?;
                (self.tx.last_insert_rowid(), true)
            }
        };
        let post = load_post(&self.tx, pk)?.ok_or_else(|| Error::NotFound(format!("post {pk}")))?;
        Ok((post, new))
    }

    pub fn post(&self, id: i64) -> Result<Option<Post>> {
        load_post(&self.tx, id)
    }

    pub fn link(&self, id: i64) -> Result<Option<Link>> {
        load_link(&self.tx, id)
    }

    pub fn links(&self, filter: &LinkFilter) -> Result<Vec<Link>> {
        load_links(&self.tx, filter)
    }

    /// Makes the link unless the pair has one already (whatever its status:
    /// a rejected pair stays rejected). Returns the new link, if made.
    pub fn add_link(&mut self, post_id: i64, link: &NewLink, actor: &str) -> Result<Option<Link>> {
        let decided = link.status != LinkStatus::Suggested;
        let n = self.exec(
            "INSERT OR IGNORE INTO link (post_pk, claim_id, score, band, explanation, fields,
                status, decided_by, decided_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                post_id,
                link.claim_id,
                link.score,
                link.band,
                link.explanation.to_string(),
                serde_json::to_string(&link.fields)?,
                link.status.as_str(),
                decided.then_some(actor),
                decided.then_some(&self.now),
                self.now
            ],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let id = self.tx.last_insert_rowid();
        let made = load_link(&self.tx, id)?.ok_or_else(|| Error::NotFound(format!("link {id}")))?;
        self.audit(
            "link",
            &id.to_string(),
            "create",
            actor,
            None::<&Link>,
            Some(&made),
        )?;
        Ok(Some(made))
    }

    /// Decides a suggested link. A link decided already is a conflict, and
    /// one whose version is not `if_version` is stale: a second decision
    /// never overwrites the first.
    pub fn decide_link(&mut self, id: i64, d: &Decision) -> Result<Link> {
        let before =
            load_link(&self.tx, id)?.ok_or_else(|| Error::NotFound(format!("link {id}")))?;
        if d.if_version.is_some_and(|v| v != before.version) {
            return Err(Error::Stale(format!(
                "link {id} is at version {}, not {}",
                before.version,
                d.if_version.unwrap_or_default()
            )));
        }
        if before.status != LinkStatus::Suggested {
            return Err(Error::Conflict(format!(
                "link {id} was {} already by {}",
                before.status.as_str(),
                before.decided_by.as_deref().unwrap_or("someone")
            )));
        }
        self.exec(
            "UPDATE link SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5,
                version = version + 1
             WHERE pk = ?1 AND status = 'suggested'",
            params![id, d.status.as_str(), d.actor, self.now, d.note],
        )?;
        let after =
            load_link(&self.tx, id)?.ok_or_else(|| Error::NotFound(format!("link {id}")))?;
        self.audit(
            "link",
            &id.to_string(),
            d.status.as_str(),
            &d.actor,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    }

    /// Stores a setting's JSON value; returns the value it had.
    pub fn put_setting(
        &mut self,
        name: &str,
        value: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>> {
        let old: Option<String> = self
            .tx
            .prepare_cached("SELECT value FROM setting WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?;
        self.exec(
            "INSERT INTO setting (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value.to_string()],
        )?;
        Ok(old.map(|v| serde_json::from_str(&v)).transpose()?)
    }

    pub fn narrative(&self, id: &str) -> Result<Option<Narrative>> {
        load_narrative(&self.tx, id)
    }

    /// Inserts the narrative, or updates the stored one with its id (the
    /// store sets `version` and the timestamps). Returns it as stored.
    pub fn put_narrative(&mut self, n: &Narrative) -> Result<Narrative> {
        if n.title.trim().is_empty() {
            return Err(Error::Invalid("a narrative needs a title".into()));
        }
        self.exec(
            "INSERT INTO narrative (id, title, description, event_date, event_end, place,
                status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title,
                description = excluded.description, event_date = excluded.event_date,
                event_end = excluded.event_end, place = excluded.place,
                status = excluded.status, version = version + 1,
                updated_at = excluded.updated_at",
            params![
                n.id,
                n.title.trim(),
                n.description,
                n.event_date,
                n.event_end,
                n.place,
                n.status.as_str(),
                self.now
            ],
        )?;
        load_narrative(&self.tx, &n.id)?
            .ok_or_else(|| Error::NotFound(format!("narrative {}", n.id)))
    }

    pub fn delete_narrative(&mut self, id: &str) -> Result<bool> {
        Ok(self.exec("DELETE FROM narrative WHERE id = ?1", [id])? > 0)
    }

    /// Ids of the claims in a narrative, as this transaction sees them.
    pub fn narrative_claims(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM claim WHERE narrative = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A new random narrative id: `n-` and ten hex digits.
pub fn new_narrative_id() -> Result<String> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Invalid(format!("no randomness for a new id: {e}")))?;
    Ok(format!(
        "n-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}
