//! The records debunk stores and exchanges: claims and where they appeared.

use serde::{Deserialize, Serialize};

use crate::verdict::Verdict;

/// A fact-checked claim: what was said, what the fact-checker found, and where
/// the debunk lives. The same struct travels through import, store, index and
/// export; `version`, `created_at` and `updated_at` are set by the store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    /// Public id: the one the source gave, or one derived from review URL + text
    /// (a request creating a claim may leave it out; the server derives it).
    #[serde(default)]
    pub id: String,
    /// The claim as the fact-checker states it.
    pub text: String,
    /// Headline of the fact-check article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// ISO 639-1 code (`ar`, `fr`, `es`, `en`, ...); detected when the source has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The language tag the source gave, when the text is plainly in
    /// another language (French text tagged `ar`): `lang` is then the
    /// text's, and this keeps the tag as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang_tag: Option<String>,
    /// Normalized verdict; `None` when the source gave no rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The rating exactly as the fact-checker wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_text: Option<String>,
    /// Debunk summary: what is actually true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// URL of the fact-check article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The reviewing organization's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The reviewing organization's site (e.g. `misbar.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_site: Option<String>,
    /// Who made the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimant: Option<String>,
    /// When the claim was made: ISO 8601 when the source's date could be read, else as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_date: Option<String>,
    /// When the fact-check was published: ISO 8601 when it could be read, else as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_date: Option<String>,
    /// ISO 3166-1 alpha-2 country the claim concerns, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Id of the narrative this claim belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Where the claim was seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearances: Vec<Appearance>,
    /// The raw JSON-LD (or API record) the claim was imported from, kept verbatim.
    #[serde(default, skip_serializing)]
    pub raw: Option<serde_json::Value>,
    /// Store-managed: incremented on every update, starts at 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schema(read_only)]
    pub version: i64,
    /// Store-managed: the claim's row in the store, i.e. the order claims
    /// became known. Ties in matching go to the claim known first.
    #[serde(skip)]
    pub row: Option<i64>,
    /// Store-managed RFC 3339 timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(read_only)]
    pub updated_at: Option<String>,
}

/// One place a claim was seen: a post, an article, a video.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Appearance {
    /// Canonical URL (see `text::canonical_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `tiktok`, `x`, `facebook`, ... derived from the URL when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Text of the post, when known: it is matching material too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// RFC 3339 or ISO date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
}

/// What the index keeps of a claim to show a hit and to re-rank candidates
/// without a trip to SQLite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexedClaim {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub verdict_text: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub review_date: Option<String>,
    /// When the claim was made, as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_date: Option<String>,
    /// Order in which the store first saw the claim (its row id).
    #[serde(default)]
    pub row: i64,
    /// Texts of the claim's appearances (posts that carried it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearance_texts: Vec<String>,
    /// The narrative the claim belongs to, so a match can say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
}

impl IndexedClaim {
    /// The day the claim was made or, failing that, checked.
    pub fn day(&self) -> Option<time::Date> {
        [&self.claim_date, &self.review_date]
            .into_iter()
            .flatten()
            .find_map(|d| crate::formats::date::day_of_stamp(d))
    }

    pub fn from_claim(c: &Claim) -> IndexedClaim {
        IndexedClaim {
            id: c.id.clone(),
            text: c.text.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            lang: c.lang.clone(),
            verdict: c.verdict,
            verdict_text: c.verdict_text.clone(),
            url: c.url.clone(),
            publisher: c.publisher.clone(),
            review_date: c.review_date.clone(),
            claim_date: c.claim_date.clone(),
            row: c.row.unwrap_or(0),
            appearance_texts: c
                .appearances
                .iter()
                .filter_map(|a| a.text.clone())
                .collect(),
            narrative: c.narrative.clone(),
        }
    }
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}
