//! The moderator's pages: the review queue (`/review`) with its decisions
//! (`POST /review/decide`), and the thresholds (`/settings`: editors read
//! them, admins change them, readers get a 403 as over the API).
//!
//! The queue needs a signed-in key: a visitor is sent to sign in, a
//! reader sees the queue without its decision controls, an editor decides.
//! Every decision is a plain form POST that redirects back to the queue
//! (POST-redirect-GET), whose first card is then the next item; the script
//! only adds keys (`c`, `r`, `j`, `k`) and sends a confirm or reject as
//! that same POST in the background, so the next card comes in place. A decision on a
//! link someone decided meanwhile shows the queue again with a conflict
//! notice (409), never a silent overwrite.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::history::{history, HistoryRow};
use super::i18n::Locale;
use super::pages::{claim_href, merged, segments, web_link, Badge, PageQuery, Segment};
use super::{blocking, filled as blank, render, Chrome, PageError, Posted, WebState};
use crate::error::{Error, Result};
use crate::kb::{KnowledgeBase, Settings};
use crate::store::{Decision, LinkStatus, ReviewFilter, ReviewItem};

/// Cards on one queue page.
const QUEUE_SIZE: usize = 50;

/// The queue's filters and what the last decision did, as in its URL.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewQuery {
    pub status: String,
    pub band: String,
    pub lang: String,
    pub platform: String,
    pub since: String,
    pub sort: String,
    /// What the decision that led here did: `confirmed`, `rejected`.
    pub done: String,
    /// How many links it decided.
    pub n: String,
}

impl ReviewQuery {
    fn filter(&self) -> ReviewFilter {
        ReviewFilter {
            status: blank(&self.status),
            band: blank(&self.band),
            lang: blank(&self.lang),
            platform: blank(&self.platform),
            since: blank(&self.since),
            sort: blank(&self.sort),
            limit: Some(QUEUE_SIZE),
        }
    }

    /// The filters as a query string (without what was done).
    fn filters_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("status", self.status.as_str()),
            ("band", &self.band),
            ("lang", &self.lang),
            ("platform", &self.platform),
            ("since", &self.since),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The claim a card suggests.
#[derive(Clone, Debug)]
pub struct CardClaim {
    pub href: String,
    pub text: String,
    pub title: Option<String>,
    pub badge: Badge,
    pub publisher: Option<String>,
    pub review_href: Option<String>,
}

/// One card of the queue: a post, the claim suggested for it, the evidence.
#[derive(Clone, Debug)]
pub struct ReviewCard {
    pub link_id: i64,
    pub version: i64,
    pub post_id: i64,
    pub status: &'static str,
    pub status_label: String,
    pub post_marked: Vec<Segment>,
    pub post_lang: Option<String>,
    pub post_href: Option<String>,
    pub author: Option<String>,
    pub seen: i64,
    pub first_seen: String,
    pub last_seen: String,
    pub platforms: Vec<String>,
    pub claim: Option<CardClaim>,
    pub score: String,
    pub band: String,
    pub band_label: String,
    /// Which parts of the claim matched, in words.
    pub fields: Vec<String>,
    /// The post's own words it shares with the claim.
    pub terms: Vec<String>,
    pub url_hit: Option<String>,
    /// "Same meaning, in French" when meaning carried the match.
    pub semantic: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    pub history: Vec<HistoryRow>,
}

#[derive(Clone, Debug, Default)]
pub struct ReviewView {
    pub q: ReviewQuery,
    pub cards: Vec<ReviewCard>,
    /// The filters, to come back to after a decision.
    pub back: String,
    /// What the last decision did, said in the page's live region.
    pub notice: Option<String>,
    /// A decision that clashed with another (409).
    pub conflict: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    chrome: &'a Chrome,
    v: &'a ReviewView,
}

impl ReviewPage<'_> {
    fn selected(&self, field: &str, value: &str) -> bool {
        let q = &self.v.q;
        let current = match field {
            "status" => q.status.as_str(),
            "band" => &q.band,
            "lang" => &q.lang,
            "sort" => &q.sort,
            _ => "",
        };
        current == value
    }
}

fn render_review(chrome: &Chrome, status: StatusCode, v: &ReviewView) -> Response {
    render(chrome, status, &ReviewPage { chrome, v })
}

pub async fn review(
    State(state): State<WebState>,
    chrome: Chrome,
    PageQuery(q): PageQuery<ReviewQuery>,
) -> Result<Response, PageError> {
    chrome.require_signed_in()?;
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let v = blocking(&chrome, move || review_view(&kb, locale, q)).await?;
    let status = match v.error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    Ok(render_review(&chrome, status, &v))
}

pub fn review_view(kb: &KnowledgeBase, locale: Locale, q: ReviewQuery) -> Result<ReviewView> {
    let cat = locale.catalog();
    let notice = match (q.done.as_str(), q.n.parse::<u64>().unwrap_or(1)) {
        ("confirmed" | "rejected" | "queued", n) => Some(cat.format(
            &format!("review-done-{}", q.done),
            &[("count", &n.to_string())],
        )),
        _ => None,
    };
    let mut v = ReviewView {
        back: q.filters_query(),
        notice,
        ..ReviewView::default()
    };
    match kb.review(&q.filter()) {
        Ok(items) => {
            v.cards = items
                .iter()
                .map(|item| card(kb, locale, item))
                .collect::<Result<_>>()?
        }
        Err(Error::Invalid(why)) => v.error = Some(why),
        Err(e) => return Err(e),
    }
    v.q = q;
    Ok(v)
}

/// The post's words at the explanation's byte spans, each once, in the
/// post's order: what a moderator reads, not the index's stems.
pub fn post_words(text: &str, spans: &[[usize; 2]]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut sorted = spans.to_vec();
    sorted.sort();
    for [s, e] in sorted {
        if let Some(w) = text.get(s..e) {
            // A span may carry the punctuation around an Arabizi word.
            let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
            if !w.is_empty() && !words.iter().any(|x| x.eq_ignore_ascii_case(&w)) {
                words.push(w);
            }
        }
    }
    words
}

/// The matcher's English note on a semantic match, in the interface's words.
fn semantic_note(locale: Locale, note: &str) -> String {
    let cat = locale.catalog();
    let lang = match note.strip_prefix("same meaning, in ") {
        Some("Arabic") => "ar",
        Some("French") => "fr",
        Some("Spanish") => "es",
        Some("English") => "en",
        Some(_) => "other",
        None if note == "same meaning, other words" => {
            return cat.get("evidence-semantic-words").to_string()
        }
        None => return note.to_string(),
    };
    cat.format(
        "evidence-semantic-lang",
        &[("lang", &cat.label("lang-", lang))],
    )
}

fn card(kb: &KnowledgeBase, locale: Locale, item: &ReviewItem) -> Result<ReviewCard> {
    let cat = locale.catalog();
    let (link, post) = (&item.link, &item.post);
    let ex = &link.explanation;
    let spans: Vec<[usize; 2]> = serde_json::from_value(ex["spans"].clone()).unwrap_or_default();
    // Overlapping spans (an Arabizi word and its transliteration's parts)
    // become one mark, as on the match page.
    let ranges = merged(spans.iter().map(|[s, e]| *s..*e).collect());
    let status = link.status.as_str();
    Ok(ReviewCard {
        link_id: link.id,
        version: link.version,
        post_id: post.id,
        status,
        status_label: cat.label("link-status-", status),
        post_marked: segments(&post.text, &ranges),
        post_lang: post.lang.clone(),
        post_href: web_link(post.url.as_deref()),
        author: post.author.clone(),
        seen: post.seen,
        first_seen: minute(&post.first_seen),
        last_seen: minute(&post.last_seen),
        platforms: post.platforms.clone(),
        claim: item.claim.as_ref().map(|c| CardClaim {
            href: claim_href(&c.id),
            text: c.text.clone(),
            title: c.title.clone(),
            badge: Badge::new(locale, c.verdict),
            publisher: c.publisher.clone(),
            review_href: web_link(c.url.as_deref()),
        }),
        score: format!("{:.0}%", link.score * 100.0),
        band: link.band.clone(),
        band_label: cat.label("band-", &link.band),
        fields: link
            .fields
            .iter()
            .map(|f| cat.label("field-matched-", f))
            .collect(),
        terms: post_words(&post.text, &spans),
        url_hit: ex["url"].as_str().map(str::to_string),
        semantic: ex["semantic"].as_str().map(|s| semantic_note(locale, s)),
        decided_by: link.decided_by.clone(),
        decided_at: link.decided_at.as_deref().map(minute),
        note: link.note.clone(),
        history: history(kb, "link", &link.id.to_string())?,
    })
}

/// A stored timestamp to the minute, as people read it.
pub fn minute(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

// ---- decisions ----

/// What a decision form asks for.
#[derive(Debug, PartialEq)]
enum Act {
    /// One link, as seen at `version`.
    One {
        link: i64,
        version: i64,
        status: LinkStatus,
    },
    /// "None of these": every suggestion of the post.
    NoneOf { post: i64 },
    /// The links ticked on the page.
    Many { links: Vec<i64>, status: LinkStatus },
}

/// A decision form's fields: `action` (`confirm`, `reject`, `none`,
/// `confirm-selected`, `reject-selected`), `link`, `version`, `post`,
/// `pick` (repeated), `note`, `back`.
#[derive(Debug, Default)]
struct DecisionForm {
    act: Option<Act>,
    note: Option<String>,
    back: String,
}

fn parse_decision(pairs: &[(String, String)]) -> std::result::Result<DecisionForm, String> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let number = |name: &str| -> std::result::Result<i64, String> {
        get(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("the form has no valid {name}"))
    };
    let picks = || -> std::result::Result<Vec<i64>, String> {
        let ids: Vec<i64> = pairs
            .iter()
            .filter(|(k, _)| k == "pick")
            .map(|(_, v)| v.trim().parse().map_err(|_| format!("{v:?} is not a link")))
            .collect::<std::result::Result<_, _>>()?;
        if ids.is_empty() {
            return Err("no link was selected".into());
        }
        Ok(ids)
    };
    let act = match get("action").unwrap_or("") {
        "confirm" | "reject" => Act::One {
            link: number("link")?,
            version: number("version")?,
            status: status_of(get("action").unwrap_or("")),
        },
        "none" => Act::NoneOf {
            post: number("post")?,
        },
        "confirm-selected" => Act::Many {
            links: picks()?,
            status: LinkStatus::Confirmed,
        },
        "reject-selected" => Act::Many {
            links: picks()?,
            status: LinkStatus::Rejected,
        },
        other => return Err(format!("unknown action {other:?}")),
    };
    Ok(DecisionForm {
        act: Some(act),
        note: get("note").and_then(blank),
        back: get("back").unwrap_or("").to_string(),
    })
}

fn status_of(action: &str) -> LinkStatus {
    match action {
        "confirm" => LinkStatus::Confirmed,
        _ => LinkStatus::Rejected,
    }
}

/// Decides what the form asks; returns the status given and how many links.
fn decide(
    kb: &KnowledgeBase,
    act: Act,
    actor: &str,
    note: Option<String>,
) -> Result<(LinkStatus, usize)> {
    let decision = |status, if_version| Decision {
        status,
        actor: actor.to_string(),
        note: note.clone(),
        if_version,
    };
    match act {
        Act::One {
            link,
            version,
            status,
        } => kb
            .decide_link(link, decision(status, Some(version)))
            .map(|_| (status, 1)),
        Act::NoneOf { post } => kb
            .reject_all(post, actor, note.clone())
            .map(|l| (LinkStatus::Rejected, l.len())),
        Act::Many { links, status } => kb
            .decide_links(&links, decision(status, None))
            .map(|l| (status, l.len())),
    }
}

pub async fn decide_form(
    State(state): State<WebState>,
    Posted(chrome, pairs): Posted<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let form =
        parse_decision(&pairs).map_err(|e| chrome.error(StatusCode::BAD_REQUEST, Some(e)))?;
    let back: ReviewQuery = serde_urlencoded::from_str(&form.back).unwrap_or_default();
    let (kb, actor, act) = (state.kb.clone(), chrome.user_name(), form.act);
    let note = form.note;
    let outcome = blocking(&chrome, move || match act {
        Some(act) => decide(&kb, act, &actor, note),
        None => Err(Error::Invalid("nothing to decide".into())),
    })
    .await;
    match outcome {
        Ok((status, n)) => {
            let mut to = format!("/review?done={}&n={n}", status.as_str());
            if !back.filters_query().is_empty() {
                to = format!("{to}&{}", back.filters_query());
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(PageError::Page {
            status: StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED,
            ..
        }) => {
            let (kb, locale) = (state.kb.clone(), chrome.locale);
            let mut v = blocking(&chrome, move || review_view(&kb, locale, back)).await?;
            v.conflict = Some(chrome.tr("review-conflict").to_string());
            Ok(render_review(&chrome, StatusCode::CONFLICT, &v))
        }
        Err(e) => Err(e),
    }
}

// ---- settings ----

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub suggest_at: String,
    pub confirm_at: String,
    pub saved: String,
}

impl SettingsForm {
    fn from_settings(s: &Settings) -> SettingsForm {
        // The default comes from an f32 bound: 0.30000001192092896 is 0.3
        // to anyone reading the form.
        let shown = |v: f64| format!("{}", (v * 1000.0).round() / 1000.0);
        SettingsForm {
            suggest_at: shown(s.suggest_at),
            confirm_at: s.confirm_at.map(shown).unwrap_or_default(),
            saved: String::new(),
        }
    }

    fn settings(&self) -> Result<Settings> {
        let score = |name: &str, v: &str| {
            v.trim().replace(',', ".").parse::<f64>().map_err(|_| {
                Error::Invalid(format!("{name} is a score between 0 and 1, not {v:?}"))
            })
        };
        Ok(Settings {
            suggest_at: score("suggest_at", &self.suggest_at)?,
            confirm_at: match self.confirm_at.trim() {
                "" => None,
                v => Some(score("confirm_at", v)?),
            },
        })
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    chrome: &'a Chrome,
    form: &'a SettingsForm,
    saved: bool,
    error: Option<String>,
}

fn settings_page(
    chrome: &Chrome,
    status: StatusCode,
    form: &SettingsForm,
    error: Option<String>,
) -> Response {
    let saved = form.saved == "1" && error.is_none();
    render(
        chrome,
        status,
        &SettingsPage {
            chrome,
            form,
            saved,
            error,
        },
    )
}

pub async fn settings(
    State(state): State<WebState>,
    chrome: Chrome,
    PageQuery(q): PageQuery<SettingsForm>,
) -> Result<Response, PageError> {
    // Editors read the thresholds (as over the API), admins change them.
    chrome.require_editor()?;
    let kb = state.kb.clone();
    let stored = blocking(&chrome, move || kb.settings()).await?;
    let form = SettingsForm {
        saved: q.saved,
        ..SettingsForm::from_settings(&stored)
    };
    Ok(settings_page(&chrome, StatusCode::OK, &form, None))
}

pub async fn save_settings(
    State(state): State<WebState>,
    Posted(chrome, form): Posted<SettingsForm>,
) -> Result<Response, PageError> {
    chrome.require_admin()?;
    let (kb, actor, posted) = (state.kb.clone(), chrome.user_name(), form.clone());
    let saved = blocking(&chrome, move || kb.put_settings(posted.settings()?, &actor)).await;
    match saved {
        Ok(_) => Ok(Redirect::to("/settings?saved=1").into_response()),
        Err(e) => {
            let (status, why) = e.fixable(&chrome)?;
            Ok(settings_page(&chrome, status, &form, Some(why)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_decision_form_names_one_link_a_post_or_the_ticked_links() {
        let one = parse_decision(&pairs(&[
            ("action", "confirm"),
            ("link", "7"),
            ("version", "1"),
            ("note", "  "),
        ]))
        .unwrap();
        assert_eq!(
            one.act,
            Some(Act::One {
                link: 7,
                version: 1,
                status: LinkStatus::Confirmed
            })
        );
        assert_eq!(one.note, None);
        let many = parse_decision(&pairs(&[
            ("action", "reject-selected"),
            ("pick", "3"),
            ("pick", "4"),
            ("note", "spam"),
        ]))
        .unwrap();
        assert_eq!(
            many.act,
            Some(Act::Many {
                links: vec![3, 4],
                status: LinkStatus::Rejected
            })
        );
        assert_eq!(many.note.as_deref(), Some("spam"));
        assert!(parse_decision(&pairs(&[("action", "confirm-selected")])).is_err());
        assert!(parse_decision(&pairs(&[("action", "burn"), ("link", "1")])).is_err());
        assert!(parse_decision(&pairs(&[("action", "none"), ("post", "x")])).is_err());
    }

    #[test]
    fn shared_words_are_the_posts_own_words_once_each() {
        let text = "wach s7i7 corona, Corona l9a7?";
        assert_eq!(post_words(text, &[[18, 24], [10, 16]]), ["corona"]);
        assert_eq!(
            post_words(text, &[[10, 16], [0, 4], [100, 200], [1, 2]]),
            ["wach", "a", "corona"]
        );
        assert_eq!(post_words(text, &[[25, 30]]), ["l9a7"]);
    }

    #[test]
    fn settings_read_from_the_form_and_an_empty_confirm_is_off() {
        let form = SettingsForm {
            suggest_at: "0,4".into(),
            confirm_at: " ".into(),
            saved: String::new(),
        };
        assert_eq!(
            form.settings().unwrap(),
            Settings {
                suggest_at: 0.4,
                confirm_at: None
            }
        );
        let bad = SettingsForm {
            suggest_at: "high".into(),
            ..form
        };
        assert!(bad.settings().is_err());
    }
}
