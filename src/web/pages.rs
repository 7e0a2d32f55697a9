//! The reading pages: search (`/`), one claim (`/claims/{id}`) and match
//! (`/match`). Each page is a view built from the facade in one blocking
//! call (`*_view`), then a typed template: the benchmark renders the same
//! path in process.

use std::collections::HashSet;
use std::ops::Range;

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::i18n::Locale;
use super::{blocking, render, Chrome, PageError, WebState};
use crate::api::search::SearchParams;
use crate::error::Result;
use crate::index::highlight;
use crate::index::{FacetCount, Hit};
use crate::kb::KnowledgeBase;
use crate::matcher::{self, Band};
use crate::model::Claim;
use crate::text::Lang;
use crate::verdict::Verdict;

/// Words above which a search is also matched like a post.
pub const PARAGRAPH_WORDS: usize = 20;
/// Matches shown for a pasted paragraph or a post.
const TOP_MATCHES: usize = 5;
/// Related claims shown on a claim page.
const TOP_RELATED: usize = 5;
/// Hits per search page.
const PAGE_SIZE: usize = 10;

/// Query parameters whose rejection is a 400 page.
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<WebState> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, PageError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(PageQuery)
            .map_err(|e| {
                Chrome::anonymous(&parts.headers)
                    .error(StatusCode::BAD_REQUEST, Some(e.to_string()))
            })
    }
}

/// Path segments whose rejection (bad percent-encoding, a segment that is
/// not UTF-8) is a 400 page, not axum's plain-text answer.
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<WebState> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, PageError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PagePath(value)),
            Err(e) => Err(Chrome::anonymous(&parts.headers)
                .error(StatusCode::BAD_REQUEST, Some(e.body_text()))),
        }
    }
}

/// A verdict badge: a colour class and a word, never the colour alone.
#[derive(Clone, Debug)]
pub struct Badge {
    pub class: &'static str,
    pub label: String,
}

impl Badge {
    pub fn new(locale: Locale, verdict: Option<Verdict>) -> Badge {
        let class = verdict.map_or("none", Verdict::as_str);
        Badge {
            class,
            label: locale.catalog().label("verdict-", class),
        }
    }
}

/// A claim's URL path: the id is one percent-encoded segment.
pub fn claim_href(id: &str) -> String {
    format!(
        "/claims/{}",
        percent_encoding::utf8_percent_encode(id, super::URL_COMPONENT)
    )
}

/// The day of an ISO date or timestamp (`2024-12-26T16:27:53Z` → `2024-12-26`).
pub fn day(date: Option<&str>) -> Option<String> {
    date.map(|d| {
        d.get(..10)
            .filter(|_| d.len() >= 10)
            .unwrap_or(d)
            .to_string()
    })
}

/// Whether the index highlighter's HTML holds nothing but escaped text and
/// `<mark>` tags, so it can be shown as it is.
fn only_marks(html: &str) -> bool {
    let bare = html.replace("<mark>", "").replace("</mark>", "");
    if bare.contains(['<', '>', '"', '\'']) {
        return false;
    }
    let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
    bare.match_indices('&')
        .all(|(i, _)| entities.iter().any(|e| bare[i..].starts_with(e)))
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    highlight::escape_into(text, &mut out);
    out
}

/// The highlighter's HTML when it is safe, else the plain text escaped.
fn safe_marks(html: Option<&str>, plain: &str) -> String {
    match html {
        Some(h) if only_marks(h) => h.to_string(),
        _ => escaped(plain),
    }
}

/// A piece of text, marked or not, for templates to wrap in `<mark>`.
#[derive(Clone, Debug)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// `text` cut at the byte spans (in order, not overlapping); spans off a
/// character boundary are dropped.
pub fn segments(text: &str, spans: &[Range<usize>]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at = 0;
    for span in spans {
        if span.start < at || text.get(span.clone()).is_none() {
            continue;
        }
        if span.start > at {
            out.push(Segment {
                text: text[at..span.start].to_string(),
                marked: false,
            });
        }
        out.push(Segment {
            text: text[span.clone()].to_string(),
            marked: true,
        });
        at = span.end;
    }
    if at < text.len() {
        out.push(Segment {
            text: text[at..].to_string(),
            marked: false,
        });
    }
    out
}

/// Sorted, merged spans.
pub(super) fn merged(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in spans {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

// ---- search ----

#[derive(Clone, Debug)]
pub struct HitView {
    pub href: String,
    /// HTML: escaped text with `<mark>`s (see `safe_marks`).
    pub title_html: Option<String>,
    pub snippet_html: String,
    pub badge: Badge,
    pub verdict_text: Option<String>,
    pub publisher: Option<String>,
    pub review_date: Option<String>,
    pub lang: String,
}

#[derive(Clone, Debug)]
pub struct MatchView {
    pub href: String,
    pub text: String,
    pub title: Option<String>,
    pub badge: Badge,
    pub band: &'static str,
    pub band_label: String,
    /// The score as a percentage.
    pub score: String,
    pub publisher: Option<String>,
    /// The claim's text with the shared terms marked.
    pub claim_marked: Vec<Segment>,
    pub terms: Vec<String>,
    pub url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ClaimCard {
    pub href: String,
    pub text: String,
    pub title: Option<String>,
    pub badge: Badge,
    pub publisher: Option<String>,
    pub review_date: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub enum SearchMode {
    Keywords,
    Paragraph,
    Url,
}

#[derive(Clone, Debug, Default)]
pub struct SearchView {
    pub q: String,
    pub lang: String,
    pub verdict: String,
    pub publisher: String,
    /// A narrative's id: only its claims.
    pub narrative: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub paged: bool,
    pub mode: Option<SearchMode>,
    pub total: u64,
    pub hits: Vec<HitView>,
    pub matches: Vec<MatchView>,
    pub url_hits: Vec<ClaimCard>,
    pub langs: Vec<FacetOption>,
    pub verdicts: Vec<FacetOption>,
    pub publishers: Vec<FacetOption>,
    /// Every narrative, to search within one (label: its title).
    pub narratives: Vec<FacetOption>,
    pub next_url: Option<String>,
    pub first_url: Option<String>,
    pub error: Option<String>,
}

impl SearchView {
    pub fn is_url(&self) -> bool {
        matches!(self.mode, Some(SearchMode::Url))
    }

    /// Whether keyword results are shown (not for a URL or a bad request).
    pub fn is_search(&self) -> bool {
        matches!(
            self.mode,
            Some(SearchMode::Keywords | SearchMode::Paragraph)
        )
    }

    /// The same words without filters.
    pub fn clear_url(&self) -> String {
        let plain = SearchView {
            q: self.q.clone(),
            ..SearchView::default()
        };
        search_url(&plain, None)
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    chrome: &'a Chrome,
    v: &'a SearchView,
}

pub async fn search(
    State(state): State<WebState>,
    chrome: Chrome,
    PageQuery(params): PageQuery<SearchParams>,
) -> Result<Response, PageError> {
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let v = blocking(&chrome, move || search_view(&kb, locale, params)).await?;
    let status = if v.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        &chrome,
        status,
        &SearchPage {
            chrome: &chrome,
            v: &v,
        },
    ))
}

/// The search page as HTML (for the benchmark).
pub fn search_html(kb: &KnowledgeBase, chrome: &Chrome, params: SearchParams) -> Result<String> {
    let v = search_view(kb, chrome.locale, params)?;
    Ok(SearchPage { chrome, v: &v }.render().unwrap_or_default())
}

fn is_url(q: &str) -> bool {
    let lower = q.get(..8).unwrap_or(q).to_ascii_lowercase();
    !q.contains(char::is_whitespace)
        && (lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www."))
}

pub fn search_view(
    kb: &KnowledgeBase,
    locale: Locale,
    mut params: SearchParams,
) -> Result<SearchView> {
    let text = std::mem::take(&mut params.q).trim().to_string();
    let mut v = SearchView {
        q: text.clone(),
        lang: params.lang.clone().unwrap_or_default(),
        verdict: params.verdict.clone().unwrap_or_default(),
        publisher: params.publisher.clone().unwrap_or_default(),
        narrative: params.narrative.clone().unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        sort: params.sort.clone().unwrap_or_default(),
        paged: params.cursor.as_deref().is_some_and(|c| !c.is_empty()),
        ..SearchView::default()
    };
    if text.chars().count() > crate::api::MAX_MATCH_CHARS {
        v.error = Some(format!(
            "the text is longer than {} characters",
            crate::api::MAX_MATCH_CHARS
        ));
        return Ok(v);
    }
    if is_url(&text) {
        v.mode = Some(SearchMode::Url);
        v.url_hits = kb
            .claims_with_url(&text)?
            .iter()
            .map(|c| card(locale, c))
            .collect();
        v.total = v.url_hits.len() as u64;
        return Ok(v);
    }
    let paragraph = text.split_whitespace().count() > PARAGRAPH_WORDS;
    if paragraph && !v.paged {
        let req = matcher::Request {
            text: &text,
            top: TOP_MATCHES,
            ..Default::default()
        };
        v.matches = kb
            .match_post(&req)?
            .iter()
            .filter(|m| m.band != Band::None)
            .map(|m| match_view(locale, m, &text))
            .collect();
    }
    // A paragraph searches by its first words: the match above reads it all.
    params.q = text.chars().take(crate::api::MAX_QUERY_CHARS).collect();
    params.limit = Some(PAGE_SIZE);
    let query = match params.into_query() {
        Ok(q) => q,
        Err(e) => {
            v.error = Some(e.to_string());
            return Ok(v);
        }
    };
    v.mode = Some(if paragraph {
        SearchMode::Paragraph
    } else {
        SearchMode::Keywords
    });
    let page = kb.search(&query)?;
    v.total = page.total;
    v.hits = page.hits.iter().map(|h| hit_view(locale, h)).collect();
    if let Some(facets) = &page.facets {
        let cat = locale.catalog();
        v.langs = options(&facets.lang, &v.lang, |x| cat.label("lang-", x));
        v.verdicts = options(&facets.verdict, &v.verdict, |x| cat.label("verdict-", x));
        v.publishers = options(&facets.publisher, &v.publisher, str::to_string);
    }
    v.narratives = kb
        .list_narratives()?
        .into_iter()
        .map(|n| FacetOption {
            selected: n.id == v.narrative,
            value: n.id,
            label: n.title,
            count: 0,
        })
        .collect();
    v.next_url = page.next_cursor.as_deref().map(|c| search_url(&v, Some(c)));
    v.first_url = v.paged.then(|| search_url(&v, None));
    Ok(v)
}

/// A facet as select options; the selected value stays listed even when
/// no claim has it.
fn options(
    counts: &[FacetCount],
    selected: &str,
    label: impl Fn(&str) -> String,
) -> Vec<FacetOption> {
    let mut out: Vec<FacetOption> = counts
        .iter()
        .map(|c| FacetOption {
            label: label(&c.value),
            selected: c.value == selected,
            value: c.value.clone(),
            count: c.count,
        })
        .collect();
    if !selected.is_empty() && !out.iter().any(|o| o.selected) {
        out.push(FacetOption {
            value: selected.to_string(),
            label: label(selected),
            count: 0,
            selected: true,
        });
    }
    out
}

/// This search's shareable URL, at a page (`cursor`) or at the first.
fn search_url(v: &SearchView, cursor: Option<&str>) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", v.q.as_str()),
        ("lang", &v.lang),
        ("verdict", &v.verdict),
        ("publisher", &v.publisher),
        ("narrative", &v.narrative),
        ("from", &v.from),
        ("to", &v.to),
        ("sort", &v.sort),
        ("cursor", cursor.unwrap_or("")),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect();
    if pairs.is_empty() {
        return "/".to_string();
    }
    format!(
        "/?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

fn hit_view(locale: Locale, hit: &Hit) -> HitView {
    let c = &hit.claim;
    let marks = hit.highlights.as_ref();
    HitView {
        href: claim_href(&c.id),
        title_html: c
            .title
            .as_deref()
            .map(|t| safe_marks(marks.and_then(|m| m.title.as_deref()), t)),
        snippet_html: safe_marks(marks.map(|m| m.text.as_str()), &c.text),
        badge: Badge::new(locale, c.verdict),
        verdict_text: rating_beside_badge(locale, c.verdict, c.verdict_text.as_deref()),
        publisher: c.publisher.clone(),
        review_date: day(c.review_date.as_deref()),
        lang: c.lang.clone().unwrap_or_default(),
    }
}

/// The rating as the fact-checker wrote it, unless the badge beside it
/// says the same ("False" next to a False badge tells a reader nothing).
pub fn rating_beside_badge(
    locale: Locale,
    verdict: Option<Verdict>,
    rating: Option<&str>,
) -> Option<String> {
    let rating = rating?.trim();
    let fold = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    let same = verdict.is_some_and(|v| {
        let label = locale.catalog().label("verdict-", v.as_str());
        fold(rating) == fold(&label) || fold(rating) == fold(v.as_str())
    });
    (!rating.is_empty() && !same).then(|| rating.to_string())
}

fn card(locale: Locale, c: &Claim) -> ClaimCard {
    ClaimCard {
        href: claim_href(&c.id),
        text: c.text.clone(),
        title: c.title.clone(),
        badge: Badge::new(locale, c.verdict),
        publisher: c.publisher.clone(),
        review_date: day(c.review_date.as_deref()),
    }
}

/// A match as a card; `post` is the text that was matched, whose own
/// words at the explanation's spans are the shared terms shown.
fn match_view(locale: Locale, m: &matcher::Match, post: &str) -> MatchView {
    let c = &m.claim;
    let band = match m.band {
        Band::Match => "match",
        Band::Possible => "possible",
        Band::None => "none",
    };
    let lang = Lang::from_code(c.lang.as_deref().unwrap_or(""));
    let terms: HashSet<String> = m.explanation.terms.iter().cloned().collect();
    MatchView {
        href: claim_href(&c.id),
        text: c.text.clone(),
        title: c.title.clone(),
        badge: Badge::new(locale, c.verdict),
        band,
        band_label: locale.catalog().label("band-", band),
        score: format!("{:.0}%", m.score * 100.0),
        publisher: c.publisher.clone(),
        claim_marked: segments(&c.text, &highlight::spans(&c.text, lang, &terms)),
        terms: super::review::post_words(post, &m.explanation.spans),
        url: m.explanation.url.clone(),
    }
}

// ---- claim ----

#[derive(Clone, Debug)]
pub struct AppearanceView {
    pub url: Option<String>,
    /// The URL as a link, only when it is a web address.
    pub href: Option<String>,
    pub platform: Option<String>,
    pub text: Option<String>,
    pub first_seen: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ClaimView {
    pub claim: Claim,
    pub href: String,
    /// The fact-check's URL as a link, only when it is a web address.
    pub review_href: Option<String>,
    pub badge: Badge,
    pub claim_day: Option<String>,
    pub review_day: Option<String>,
    pub appearances: Vec<AppearanceView>,
    pub related: Vec<MatchView>,
    /// The ClaimReview JSON-LD, safe inside a `<script>` element.
    pub json_ld: String,
    /// The rating as written, when it says more than the badge.
    pub rating: Option<String>,
    /// Posts a moderator confirmed as repeating this claim.
    pub confirmed: Vec<ConfirmedPost>,
    /// The narrative the claim belongs to: its page and title.
    pub narrative: Option<(String, String)>,
    pub history: Vec<super::history::HistoryRow>,
}

/// A post confirmed as an appearance of a claim, and who confirmed it.
#[derive(Clone, Debug)]
pub struct ConfirmedPost {
    pub text: String,
    pub lang: Option<String>,
    pub platforms: Vec<String>,
    pub seen: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage<'a> {
    chrome: &'a Chrome,
    v: &'a ClaimView,
}

pub async fn claim(
    State(state): State<WebState>,
    chrome: Chrome,
    PagePath(id): PagePath<String>,
) -> Result<Response, PageError> {
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let v = blocking(&chrome, move || claim_view(&kb, locale, &id)).await?;
    Ok(render(
        &chrome,
        StatusCode::OK,
        &ClaimPage {
            chrome: &chrome,
            v: &v,
        },
    ))
}

/// The claim page as HTML (for the benchmark).
pub fn claim_html(kb: &KnowledgeBase, chrome: &Chrome, id: &str) -> Result<String> {
    let v = claim_view(kb, chrome.locale, id)?;
    Ok(ClaimPage { chrome, v: &v }.render().unwrap_or_default())
}

/// A stored URL fit for `href`: http(s) only, never `javascript:` or `data:`.
pub fn web_link(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

/// JSON for a `<script>` element: `<` never appears raw, so neither
/// `</script>` nor `<!--` can end or bend the element.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The least score a related claim needs to be listed (shown as 5%).
const RELATED_FLOOR: f32 = 0.05;

pub fn claim_view(kb: &KnowledgeBase, locale: Locale, id: &str) -> Result<ClaimView> {
    let claim = kb.get_claim(id)?;
    let req = matcher::Request {
        text: &claim.text,
        lang: claim.lang.as_deref().map(Lang::from_code),
        top: TOP_RELATED + 1,
        ..Default::default()
    };
    let related = kb
        .match_post(&req)?
        .iter()
        // Related is looser than a match: a candidate sharing terms, shown
        // with its band (`none` reads "unlikely" to be the same claim), but
        // not one whose score rounds to nothing: that is noise to a reader.
        .filter(|m| {
            m.claim_id != claim.id && !m.explanation.terms.is_empty() && m.score >= RELATED_FLOOR
        })
        .take(TOP_RELATED)
        .map(|m| match_view(locale, m, &claim.text))
        .collect();
    Ok(ClaimView {
        href: claim_href(&claim.id),
        review_href: web_link(claim.url.as_deref()),
        badge: Badge::new(locale, claim.verdict),
        claim_day: day(claim.claim_date.as_deref()),
        review_day: day(claim.review_date.as_deref()),
        appearances: claim
            .appearances
            .iter()
            .map(|a| AppearanceView {
                url: a.url.clone(),
                href: web_link(a.url.as_deref()),
                platform: a.platform.clone(),
                text: a.text.clone(),
                first_seen: day(a.first_seen.as_deref()),
            })
            .collect(),
        related,
        json_ld: script_json(&crate::formats::claimreview::to_json(&claim)),
        rating: rating_beside_badge(locale, claim.verdict, claim.verdict_text.as_deref()),
        confirmed: confirmed_posts(kb, &claim.id)?,
        narrative: match &claim.narrative {
            None => None,
            Some(n) => kb.narrative(n).ok().map(|v| {
                (
                    super::narratives::narrative_href(n),
                    v.narrative.title.clone(),
                )
            }),
        },
        history: super::history::history(kb, "claim", &claim.id)?,
        claim,
    })
}

/// The posts whose link to the claim a person (or the automatic
/// threshold) confirmed, newest decision first.
fn confirmed_posts(kb: &KnowledgeBase, claim_id: &str) -> Result<Vec<ConfirmedPost>> {
    let links = kb.list_links(&crate::store::LinkFilter {
        status: Some("confirmed".into()),
        claim: Some(claim_id.to_string()),
        post: None,
    })?;
    let mut out = Vec::with_capacity(links.len());
    for link in links.iter().rev() {
        let post = kb.get_post(link.post_id)?;
        out.push(ConfirmedPost {
            text: post.text,
            lang: post.lang,
            platforms: post.platforms,
            seen: post.seen,
            decided_by: link.decided_by.clone(),
            decided_at: link.decided_at.as_deref().map(super::review::minute),
            note: link.note.clone(),
        });
    }
    Ok(out)
}

// ---- match ----

#[derive(Debug, Default, Deserialize)]
pub struct MatchForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Clone, Debug, Default)]
pub struct MatchPageView {
    pub text: String,
    pub url: String,
    pub asked: bool,
    pub post_marked: Vec<Segment>,
    pub matches: Vec<MatchView>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "match.html")]
struct MatchPage<'a> {
    chrome: &'a Chrome,
    v: &'a MatchPageView,
}

pub async fn match_page(
    State(state): State<WebState>,
    chrome: Chrome,
    PageQuery(form): PageQuery<MatchForm>,
) -> Result<Response, PageError> {
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let v = blocking(&chrome, move || match_view_page(&kb, locale, form)).await?;
    let status = if v.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        &chrome,
        status,
        &MatchPage {
            chrome: &chrome,
            v: &v,
        },
    ))
}

pub fn match_view_page(
    kb: &KnowledgeBase,
    locale: Locale,
    form: MatchForm,
) -> Result<MatchPageView> {
    let mut v = MatchPageView {
        asked: !form.text.trim().is_empty() || !form.url.trim().is_empty(),
        text: form.text,
        url: form.url.trim().to_string(),
        ..MatchPageView::default()
    };
    if !v.asked {
        return Ok(v);
    }
    if v.text.chars().count() > crate::api::MAX_MATCH_CHARS {
        v.error = Some(format!(
            "the post is longer than {} characters",
            crate::api::MAX_MATCH_CHARS
        ));
        return Ok(v);
    }
    let req = matcher::Request {
        text: &v.text,
        url: Some(v.url.as_str()).filter(|u| !u.is_empty()),
        top: TOP_MATCHES,
        ..Default::default()
    };
    let found = kb.match_post(&req)?;
    let shown: Vec<&matcher::Match> = found.iter().filter(|m| m.band != Band::None).collect();
    let spans = shown
        .iter()
        .flat_map(|m| m.explanation.spans.iter().map(|[s, e]| *s..*e))
        .collect();
    v.post_marked = segments(&v.text, &merged(spans));
    v.matches = shown
        .iter()
        .map(|m| match_view(locale, m, &v.text))
        .collect();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_escaped_text_and_marks_pass_as_html() {
        assert!(only_marks("a &lt;b&gt; <mark>c</mark> &amp; &#39;d&#39;"));
        assert!(!only_marks("<mark onclick=x>c</mark>"));
        assert!(!only_marks("<script>alert(1)</script>"));
        assert!(!only_marks("a & b"));
        assert!(!only_marks("say \"hi\""));
        assert_eq!(
            safe_marks(Some("<b>x</b>"), "<b>x</b>"),
            "&lt;b&gt;x&lt;/b&gt;"
        );
    }

    #[test]
    fn script_json_never_holds_a_raw_angle_bracket() {
        let v = serde_json::json!({"claimReviewed": "</script><script>alert(1)</script><!--"});
        let out = script_json(&v);
        assert!(!out.contains('<'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn segments_follow_spans_and_skip_broken_ones() {
        let text = "كورونا corona virus";
        let corona = text.find("corona").unwrap();
        let segs = segments(text, &[corona..corona + 6, 1..2, 100..200]);
        let marked: Vec<&str> = segs
            .iter()
            .filter(|s| s.marked)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(marked, ["corona"]);
        assert_eq!(
            segs.iter().map(|s| s.text.as_str()).collect::<String>(),
            text
        );
        assert_eq!(merged(vec![5..8, 0..2, 1..3]), vec![0..3, 5..8]);
    }

    #[test]
    fn urls_and_paragraphs_are_told_from_keywords() {
        assert!(is_url("https://x.com/a/status/1"));
        assert!(is_url("www.example.org/page"));
        assert!(!is_url("corona vaccine"));
        assert!(!is_url("https://x.com and more"));
        assert_eq!(claim_href("a b/c"), "/claims/a%20b%2Fc");
        assert_eq!(
            day(Some("2024-12-26T16:27:53Z")).as_deref(),
            Some("2024-12-26")
        );
        assert_eq!(day(Some("2024")).as_deref(), Some("2024"));
    }
}
