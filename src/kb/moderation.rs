//! Moderation through the facade: posts come in and are matched, each
//! match above the *suggest* threshold becomes a link a person confirms or
//! rejects, and a confirmed link makes the post an appearance of its claim,
//! so its wording becomes matching material. Narratives group claims.
//! Every change is audited in the transaction that makes it.

use serde::{Deserialize, Serialize};

use super::{merge_patch, prepare, KnowledgeBase};
use crate::error::{Error, Result};
use crate::matcher::{self, features, Match};
use crate::model::{Appearance, Claim};
use crate::store::{
    new_narrative_id, AuditEntry, Decision, Link, LinkFilter, LinkStatus, Narrative,
    NarrativeStatus, NewLink, NewPost, Post, ReviewClaim, ReviewFilter, ReviewItem, TimelinePoint,
    Writer,
};
use crate::text::{self, Lang};

/// Longest post, in characters (as for matching).
pub const MAX_POST_CHARS: usize = 5_000;

/// Matches considered per post.
const MATCHES_PER_POST: usize = 10;

/// A post with fewer words is never confirmed automatically: a handful of
/// words can't carry a claim's truth conditions.
const MIN_AUTO_CONFIRM_WORDS: usize = 5;

/// Who automatic confirmations are recorded as.
pub const AUTO_ACTOR: &str = "auto";

/// Where the thresholds are stored.
const THRESHOLDS: &str = "thresholds";

/// The per-folder thresholds, on the matcher's calibrated score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// A match scoring at least this becomes a suggested link (default: the
    /// `possible` band's lower bound).
    pub suggest_at: f64,
    /// A match scoring at least this is confirmed without a person;
    /// `null` (the default) turns that off.
    #[serde(default)]
    pub confirm_at: Option<f64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            suggest_at: f64::from(matcher::model::POSSIBLE_AT),
            confirm_at: None,
        }
    }
}

impl Settings {
    fn check(&self) -> Result<()> {
        let unit = |v: f64| (0.0..=1.0).contains(&v);
        if !unit(self.suggest_at) || self.confirm_at.is_some_and(|c| !unit(c)) {
            return Err(Error::Invalid("thresholds are scores in [0, 1]".into()));
        }
        if self.confirm_at.is_some_and(|c| c < self.suggest_at) {
            return Err(Error::Invalid(
                "confirm_at must not be below suggest_at".into(),
            ));
        }
        Ok(())
    }
}

/// A link as the answer to a post shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LinkBrief {
    pub id: i64,
    pub claim_id: String,
    pub score: f64,
    pub band: String,
    pub status: LinkStatus,
}

/// What receiving a post did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PostOutcome {
    pub id: i64,
    /// Times the post was received, this one included.
    pub seen: i64,
    /// Every link the post has, new or not.
    pub links: Vec<LinkBrief>,
}

/// A narrative as a caller writes it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NarrativeInput {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The day the story is about, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub event_date: Option<String>,
    /// Its last day, for a range: `YYYY-MM-DD`, not before `event_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub event_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<NarrativeStatus>,
    /// Ids of the claims that tell this story.
    #[serde(default)]
    pub claims: Vec<String>,
}

/// A narrative with its claims, the posts linked to them and their timeline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NarrativeView {
    #[serde(flatten)]
    pub narrative: Narrative,
    pub claims: Vec<ReviewClaim>,
    pub posts: Vec<Post>,
    /// Linked posts per day and platform, oldest day first.
    pub timeline: Vec<TimelinePoint>,
}

/// What a posts import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PostImport {
    /// Posts read without error.
    pub read: u64,
    /// Of those, posts never seen before.
    pub new: u64,
    /// Links the import made or found, by status.
    pub suggested: u64,
    pub confirmed: u64,
    pub rejected: u64,
    /// Bad lines, skipped.
    pub errors: Vec<super::ImportError>,
}

impl KnowledgeBase {
    /// Receives every post of a JSONL input (one `NewPost` a line), in
    /// order, handing `each` the line number and what receiving it did; a
    /// bad line is an `Err` there and the rest still goes in.
    pub fn receive_posts(
        &self,
        input: impl std::io::BufRead,
        actor: &str,
        mut each: impl FnMut(u64, Result<PostOutcome>) -> Result<()>,
    ) -> Result<()> {
        for (i, line) in input.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let outcome = serde_json::from_str::<NewPost>(&line)
                .map_err(|e| Error::Invalid(e.to_string()))
                .and_then(|post| self.ingest_post(post, actor));
            match outcome {
                Err(e @ (Error::Invalid(_) | Error::NotFound(_))) => each(i as u64 + 1, Err(e))?,
                Err(e) => return Err(e),
                ok => each(i as u64 + 1, ok)?,
            }
        }
        Ok(())
    }

    /// `receive_posts`, summed up.
    pub fn import_posts(&self, input: impl std::io::BufRead, actor: &str) -> Result<PostImport> {
        let mut report = PostImport::default();
        self.receive_posts(input, actor, |line, outcome| {
            let outcome = match outcome {
                Ok(o) => o,
                Err(e) => {
                    report.errors.push(super::ImportError {
                        line,
                        reason: e.to_string(),
                    });
                    return Ok(());
                }
            };
            report.read += 1;
            report.new += u64::from(outcome.seen == 1);
            for link in &outcome.links {
                match link.status {
                    LinkStatus::Suggested => report.suggested += 1,
                    LinkStatus::Confirmed => report.confirmed += 1,
                    LinkStatus::Rejected => report.rejected += 1,
                }
            }
            Ok(())
        })?;
        Ok(report)
    }

    pub fn settings(&self) -> Result<Settings> {
        match self.inner.store.setting(THRESHOLDS)? {
            Some(v) => Ok(serde_json::from_value(v)?),
            None => Ok(Settings::default()),
        }
    }

    pub fn put_settings(&self, settings: Settings, actor: &str) -> Result<Settings> {
        settings.check()?;
        self.inner.store.write(|w| {
            let value = serde_json::to_value(&settings)?;
            let old = w.put_setting(THRESHOLDS, &value)?;
            w.audit(
                "settings",
                THRESHOLDS,
                "update",
                actor,
                old.as_ref(),
                Some(&value),
            )
        })?;
        Ok(settings)
    }

    /// Receives a post: records the sighting, matches it, and makes a
    /// link for each match at or above the *suggest* threshold that the
    /// pair does not have yet (a rejected pair keeps its rejection).
    pub fn ingest_post(&self, post: NewPost, actor: &str) -> Result<PostOutcome> {
        self.check_writable()?;
        let post = canonical_post(post)?;
        let settings = self.settings()?;
        let matches = self.match_post(&matcher::Request {
            text: &post.text,
            url: post.url.as_deref(),
            lang: post.lang.as_deref().map(Lang::from_code),
            top: MATCHES_PER_POST,
            posted_at: post.posted_at.as_deref(),
        })?;
        let auto_ok = auto_confirmable(&post.text);
        let key = text_key(&post.text);
        let mut confirmed = false;
        let outcome = self.inner.store.write(|w| {
            let (stored, _) = w.sight_post(&post, &key)?;
            for m in matches
                .iter()
                .filter(|m| f64::from(m.score) >= settings.suggest_at)
            {
                let auto = auto_ok && settings.confirm_at.is_some_and(|c| f64::from(m.score) >= c);
                let link = new_link(m, auto);
                if let Some(made) =
                    w.add_link(stored.id, &link, if auto { AUTO_ACTOR } else { actor })?
                {
                    if auto {
                        confirmed |= add_post_appearance(w, &stored, &made.claim_id, AUTO_ACTOR)?;
                    }
                }
            }
            let links = w.links(&LinkFilter {
                post: Some(stored.id),
                ..LinkFilter::default()
            })?;
            Ok(PostOutcome {
                id: stored.id,
                seen: stored.seen,
                links: links.into_iter().map(brief).collect(),
            })
        })?;
        if confirmed {
            self.catch_up_after_write(true);
        }
        Ok(outcome)
    }

    pub fn get_post(&self, id: i64) -> Result<Post> {
        self.inner
            .store
            .get_post(id)?
            .ok_or_else(|| Error::NotFound(format!("post {id}")))
    }

    pub fn get_link(&self, id: i64) -> Result<Link> {
        self.inner
            .store
            .get_link(id)?
            .ok_or_else(|| Error::NotFound(format!("link {id}")))
    }

    pub fn list_links(&self, filter: &LinkFilter) -> Result<Vec<Link>> {
        if let Some(s) = filter.status.as_deref() {
            check_status(s)?;
        }
        self.inner.store.list_links(filter)
    }

    /// Confirms or rejects a suggested link. A confirmation makes the post
    /// an appearance of the claim in the same transaction, and the index
    /// takes it before this returns: the next match sees it.
    pub fn decide_link(&self, id: i64, decision: Decision) -> Result<Link> {
        let mut links = self.decide_links(&[id], decision)?;
        links
            .pop()
            .ok_or_else(|| Error::NotFound(format!("link {id}")))
    }

    /// `decide_link` for several links at once, all or nothing: one that
    /// is unknown, decided already or stale leaves every one undecided.
    pub fn decide_links(&self, ids: &[i64], decision: Decision) -> Result<Vec<Link>> {
        if decision.status == LinkStatus::Suggested {
            return Err(Error::Invalid("a decision confirms or rejects".into()));
        }
        self.check_writable()?;
        let links = self.inner.store.write(|w| {
            let mut links = Vec::with_capacity(ids.len());
            for &id in ids {
                let link = w.decide_link(id, &decision)?;
                if link.status == LinkStatus::Confirmed {
                    let post = w
                        .post(link.post_id)?
                        .ok_or_else(|| Error::NotFound(format!("post {}", link.post_id)))?;
                    add_post_appearance(w, &post, &link.claim_id, &decision.actor)?;
                }
                links.push(link);
            }
            Ok(links)
        })?;
        if decision.status == LinkStatus::Confirmed {
            self.catch_up_after_write(true);
        }
        Ok(links)
    }

    /// "None of these": rejects every suggested link of the post at once.
    /// Returns the links it rejected.
    pub fn reject_all(&self, post_id: i64, actor: &str, note: Option<String>) -> Result<Vec<Link>> {
        self.inner.store.write(|w| {
            if w.post(post_id)?.is_none() {
                return Err(Error::NotFound(format!("post {post_id}")));
            }
            let open = w.links(&LinkFilter {
                post: Some(post_id),
                status: Some("suggested".into()),
                ..LinkFilter::default()
            })?;
            let decision = Decision {
                status: LinkStatus::Rejected,
                actor: actor.to_string(),
                note,
                if_version: None,
            };
            open.iter()
                .map(|l| w.decide_link(l.id, &decision))
                .collect()
        })
    }

    pub fn review(&self, filter: &ReviewFilter) -> Result<Vec<ReviewItem>> {
        if let Some(s) = filter.status.as_deref() {
            check_status(s)?;
        }
        match filter.sort.as_deref() {
            None | Some("newest") | Some("most_seen") => {}
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "sort is newest or most_seen, not {other:?}"
                )))
            }
        }
        self.inner.store.review(filter)
    }

    /// Links waiting for a person's decision.
    pub fn review_waiting(&self) -> Result<u64> {
        self.inner.store.count_links(LinkStatus::Suggested)
    }

    pub fn audit_log(&self, entity: Option<&str>, id: Option<&str>) -> Result<Vec<AuditEntry>> {
        self.inner.store.audit_log(entity, id)
    }

    pub fn list_narratives(&self) -> Result<Vec<Narrative>> {
        self.inner.store.list_narratives()
    }

    pub fn create_narrative(&self, input: NarrativeInput, actor: &str) -> Result<NarrativeView> {
        self.check_writable()?;
        let id = new_narrative_id()?;
        self.write_narrative(&id, input, None, actor)?;
        self.narrative(&id)
    }

    /// The narrative with its claims, linked posts and timeline.
    pub fn narrative(&self, id: &str) -> Result<NarrativeView> {
        let store = &self.inner.store;
        let narrative = store
            .get_narrative(id)?
            .ok_or_else(|| Error::NotFound(format!("narrative {id}")))?;
        let ids = store.narrative_claims(id)?;
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        Ok(NarrativeView {
            narrative,
            claims: store.get_claims(&ids)?.iter().map(claim_summary).collect(),
            posts: store.narrative_posts(id)?,
            timeline: store.narrative_timeline(id)?,
        })
    }

    /// Applies a JSON merge patch (RFC 7396) over the narrative's fields
    /// and its `claims` list.
    pub fn patch_narrative(
        &self,
        id: &str,
        patch: &serde_json::Value,
        actor: &str,
    ) -> Result<NarrativeView> {
        if !patch.is_object() {
            return Err(Error::Invalid("a merge patch is a JSON object".into()));
        }
        self.check_writable()?;
        let current = self.narrative(id)?;
        let mut doc = serde_json::to_value(NarrativeInput {
            title: current.narrative.title.clone(),
            description: current.narrative.description.clone(),
            event_date: current.narrative.event_date.clone(),
            event_end: current.narrative.event_end.clone(),
            place: current.narrative.place.clone(),
            status: Some(current.narrative.status),
            claims: current.claims.iter().map(|c| c.id.clone()).collect(),
        })?;
        merge_patch(&mut doc, patch);
        let input: NarrativeInput = serde_json::from_value(doc)
            .map_err(|e| Error::Invalid(format!("the patched narrative is not valid: {e}")))?;
        self.write_narrative(id, input, Some(current.narrative.version), actor)?;
        self.narrative(id)
    }

    /// Deletes the narrative; its claims stay, outside any narrative.
    pub fn delete_narrative(&self, id: &str, actor: &str) -> Result<()> {
        self.check_writable()?;
        self.inner.store.write(|w| {
            let old = w
                .narrative(id)?
                .ok_or_else(|| Error::NotFound(format!("narrative {id}")))?;
            set_members(w, id, &[], actor)?;
            w.delete_narrative(id)?;
            w.audit(
                "narrative",
                id,
                "delete",
                actor,
                Some(&old),
                None::<&Narrative>,
            )
        })?;
        self.catch_up_after_write(true);
        Ok(())
    }

    /// Creates or updates a narrative and sets its claims, in one
    /// transaction. With `version`, the stored one must still be it.
    fn write_narrative(
        &self,
        id: &str,
        input: NarrativeInput,
        version: Option<i64>,
        actor: &str,
    ) -> Result<()> {
        for (name, date) in [
            ("event_date", &input.event_date),
            ("event_end", &input.event_end),
        ] {
            if let Some(d) = date {
                calendar_date(d).map_err(|e| Error::Invalid(format!("{name}: {e}")))?;
            }
        }
        if let (Some(start), Some(end)) = (&input.event_date, &input.event_end) {
            if end < start {
                return Err(Error::Invalid("event_end is before event_date".into()));
            }
        }
        self.inner.store.write(|w| {
            let old = w.narrative(id)?;
            if version.is_some_and(|v| old.as_ref().map(|n| n.version) != Some(v)) {
                return Err(Error::Conflict(format!(
                    "narrative {id} changed while it was being patched"
                )));
            }
            let new = w.put_narrative(&Narrative {
                id: id.to_string(),
                title: input.title.clone(),
                description: input.description.clone(),
                event_date: input.event_date.clone(),
                event_end: input.event_end.clone(),
                place: input.place.clone(),
                status: input.status.unwrap_or_default(),
                version: 0,
                created_at: String::new(),
                updated_at: String::new(),
            })?;
            let action = if old.is_some() { "update" } else { "create" };
            w.audit("narrative", id, action, actor, old.as_ref(), Some(&new))?;
            set_members(w, id, &input.claims, actor)
        })?;
        self.catch_up_after_write(true);
        Ok(())
    }
}

/// Makes `claims` the narrative's claims: each one named joins it (leaving
/// any other), each one not named leaves it. Every claim changed is audited.
fn set_members(w: &mut Writer<'_>, id: &str, claims: &[String], actor: &str) -> Result<()> {
    let current = w.narrative_claims(id)?;
    for gone in current.iter().filter(|c| !claims.contains(c)) {
        update_claim(w, gone, actor, |c| c.narrative = None)?;
    }
    for claim in claims.iter().filter(|c| !current.contains(c)) {
        if w.claim(claim)?.is_none() {
            return Err(Error::Invalid(format!("no claim {claim}")));
        }
        update_claim(w, claim, actor, |c| c.narrative = Some(id.to_string()))?;
    }
    Ok(())
}

/// Changes a stored claim through the usual upsert (so the index follows)
/// and audits it. False if there is no such claim.
fn update_claim(
    w: &mut Writer<'_>,
    id: &str,
    actor: &str,
    change: impl FnOnce(&mut Claim),
) -> Result<bool> {
    let Some(before) = w.claim(id)? else {
        return Ok(false);
    };
    let mut claim = before.clone();
    change(&mut claim);
    w.upsert_claim(&prepare(claim))?;
    let after = w.claim(id)?;
    w.audit("claim", id, "update", actor, Some(&before), after.as_ref())?;
    Ok(true)
}

/// Makes the post an appearance of the claim, unless it is one already.
fn add_post_appearance(
    w: &mut Writer<'_>,
    post: &Post,
    claim_id: &str,
    actor: &str,
) -> Result<bool> {
    let appearance = Appearance {
        url: post.url.clone(),
        platform: post.platform.clone(),
        text: Some(post.text.clone()),
        first_seen: Some(post.first_seen.clone()),
    };
    update_claim(w, claim_id, actor, |c| {
        let known = c
            .appearances
            .iter()
            .any(|a| a.text == appearance.text && a.url == appearance.url);
        if !known {
            c.appearances.push(appearance);
        }
    })
}

fn check_status(status: &str) -> Result<()> {
    match LinkStatus::from_name(status) {
        Some(_) => Ok(()),
        None => Err(Error::Invalid(format!(
            "status is suggested, confirmed or rejected, not {status:?}"
        ))),
    }
}

/// The post with its URL canonical, its platform and language filled in.
fn canonical_post(mut post: NewPost) -> Result<NewPost> {
    if post.text.trim().is_empty() {
        return Err(Error::Invalid("text is empty".into()));
    }
    if post.text.chars().count() > MAX_POST_CHARS {
        return Err(Error::Invalid(format!(
            "text is longer than {MAX_POST_CHARS} characters"
        )));
    }
    let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    post.url = match blank(post.url) {
        None => None,
        Some(url) => Some(
            text::canonical_url(&url)
                .ok_or_else(|| Error::Invalid(format!("url {url:?} is not an http(s) URL")))?,
        ),
    };
    post.platform = blank(post.platform).map(|p| p.to_lowercase()).or_else(|| {
        post.url
            .as_deref()
            .and_then(text::platform_of)
            .map(str::to_string)
    });
    post.author = blank(post.author);
    post.posted_at = blank(post.posted_at);
    if let Some(at) = &post.posted_at {
        // The day weighs in matching and places the post on the timeline.
        crate::formats::date::read_stamp(at)
            .map_err(|e| Error::Invalid(format!("posted_at {e}")))?;
    }
    post.lang = blank(post.lang).or_else(|| {
        let detected = text::detect(&post.text).lang;
        (detected != Lang::Other).then(|| detected.code().to_string())
    });
    Ok(post)
}

/// What makes two posts' texts the same: their normalized words, hashed.
fn text_key(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let normalized = text::normalize(text);
    let words: Vec<&str> = normalized.split_whitespace().collect();
    let digest = Sha256::digest(words.join(" ").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a post says enough to be confirmed without a person: a few
/// words at least, not only a URL.
fn auto_confirmable(text: &str) -> bool {
    text::clean_post(text).text.split_whitespace().count() >= MIN_AUTO_CONFIRM_WORDS
}

fn new_link(m: &Match, confirmed: bool) -> NewLink {
    NewLink {
        claim_id: m.claim_id.clone(),
        score: f64::from(m.score),
        band: serde_json::to_value(m.band)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "possible".into()),
        explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
        fields: matched_fields(m),
        status: if confirmed {
            LinkStatus::Confirmed
        } else {
            LinkStatus::Suggested
        },
    }
}

/// Which parts of the claim the post matched, from the matcher's features.
fn matched_fields(m: &Match) -> Vec<String> {
    let feature = |name: &str| {
        features::NAMES
            .iter()
            .position(|n| *n == name)
            .map_or(0.0, |i| m.features.values[i])
    };
    let mut fields = Vec::new();
    if feature("cov_text") > 0.0 {
        fields.push("text");
    }
    if feature("cov_title") > 0.0 || feature("cov_sub") > 0.0 {
        fields.push("title");
    }
    // Shared words the claim's own text and title don't hold came from
    // the posts it appeared in.
    let own = text::normalize(&format!(
        "{} {}",
        m.claim.text,
        m.claim.title.as_deref().unwrap_or("")
    ));
    let from_appearances = !m.claim.appearance_texts.is_empty()
        && m.explanation
            .terms
            .iter()
            .any(|t| !own.contains(t.as_str()));
    if from_appearances {
        fields.push("appearance");
    }
    if m.explanation.url.is_some() {
        fields.push("url");
    }
    fields.into_iter().map(str::to_string).collect()
}

fn brief(l: Link) -> LinkBrief {
    LinkBrief {
        id: l.id,
        claim_id: l.claim_id,
        score: l.score,
        band: l.band,
        status: l.status,
    }
}

fn claim_summary(c: &Claim) -> ReviewClaim {
    ReviewClaim {
        id: c.id.clone(),
        text: c.text.clone(),
        title: c.title.clone(),
        verdict: c.verdict,
        url: c.url.clone(),
        publisher: c.publisher.clone(),
        narrative: c.narrative.clone(),
    }
}

/// A narrative's event date: a calendar day written `YYYY-MM-DD`, so that
/// timelines place it and ranges compare (`31/31/2020` is refused).
fn calendar_date(s: &str) -> std::result::Result<(), String> {
    crate::formats::date::parse_day(s)
        .map(drop)
        .ok_or_else(|| format!("{s:?} is not a date written YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_must_be_ordered_scores() {
        let ok = Settings {
            suggest_at: 0.3,
            confirm_at: Some(0.95),
        };
        assert!(ok.check().is_ok());
        let inverted = Settings {
            suggest_at: 0.9,
            confirm_at: Some(0.5),
        };
        assert!(inverted.check().is_err());
        let out_of_range = Settings {
            suggest_at: 1.5,
            confirm_at: None,
        };
        assert!(out_of_range.check().is_err());
    }

    #[test]
    fn the_same_words_differently_written_share_a_text_key() {
        assert_eq!(
            text_key("  Le  vaccin   CONTIENT une puce "),
            text_key("le vaccin contient une puce")
        );
        assert_ne!(text_key("le vaccin"), text_key("le vaccin contient"));
    }

    #[test]
    fn short_or_url_only_posts_are_never_auto_confirmable() {
        assert!(!auto_confirmable("https://www.tiktok.com/@a/video/1"));
        assert!(!auto_confirmable("fake news here"));
        assert!(auto_confirmable(
            "the vaccine contains a microchip to track people https://x.com/a/status/1"
        ));
    }
}
