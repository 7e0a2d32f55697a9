//! Narratives: the list (`/narratives`), one narrative with its claims,
//! linked posts, timeline and history (`/narratives/{id}`), and editors'
//! forms to create, edit and delete one and to add or remove its claims.
//! Reading is open like the claim pages; every write needs an editor.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::editor::Empty;
use super::history::{history, HistoryRow};
use super::i18n::Locale;
use super::pages::{claim_href, web_link, Badge};
use super::review::minute;
use super::timeline::{chart, Chart};
use super::{blocking, filled as some, render, Chrome, PageError, Posted, WebState};
use crate::error::{Error, Result};
use crate::kb::{KnowledgeBase, NarrativeInput, NarrativeView};
use crate::store::{Narrative, NarrativeStatus};

/// A narrative's URL path: the id is one percent-encoded segment.
pub fn narrative_href(id: &str) -> String {
    format!(
        "/narratives/{}",
        percent_encoding::utf8_percent_encode(id, super::URL_COMPONENT)
    )
}

/// When the story is bound to: a day, a range, or nothing.
fn event(n: &Narrative) -> Option<String> {
    match (&n.event_date, &n.event_end) {
        (Some(a), Some(b)) if a != b => Some(format!("{a} – {b}")),
        (Some(a), _) => Some(a.clone()),
        (None, Some(b)) => Some(b.clone()),
        (None, None) => None,
    }
}

// ---- the list ----

#[derive(Clone, Debug)]
pub struct NarrativeRow {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub event: Option<String>,
    pub place: Option<String>,
    pub claims: usize,
    pub posts: usize,
}

#[derive(Template)]
#[template(path = "narratives.html")]
struct ListPage<'a> {
    chrome: &'a Chrome,
    rows: &'a [NarrativeRow],
}

pub async fn list(State(state): State<WebState>, chrome: Chrome) -> Result<Response, PageError> {
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let rows = blocking(&chrome, move || list_view(&kb, locale)).await?;
    let page = ListPage {
        chrome: &chrome,
        rows: &rows,
    };
    Ok(render(&chrome, StatusCode::OK, &page))
}

fn list_view(kb: &KnowledgeBase, locale: Locale) -> Result<Vec<NarrativeRow>> {
    kb.list_narratives()?
        .iter()
        .map(|n| {
            let full = kb.narrative(&n.id)?;
            Ok(NarrativeRow {
                href: narrative_href(&n.id),
                title: n.title.clone(),
                status: n.status.as_str(),
                status_label: locale
                    .catalog()
                    .label("narrative-status-", n.status.as_str()),
                event: event(n),
                place: n.place.clone(),
                claims: full.claims.len(),
                posts: full.posts.len(),
            })
        })
        .collect()
}

// ---- one narrative ----

#[derive(Clone, Debug)]
pub struct NarrativeClaim {
    pub href: String,
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub badge: Badge,
    pub publisher: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NarrativePost {
    pub text: String,
    pub lang: Option<String>,
    pub href: Option<String>,
    pub platforms: Vec<String>,
    pub seen: i64,
    pub first_seen: String,
}

#[derive(Clone, Debug)]
pub struct NarrativePageView {
    pub n: Narrative,
    pub href: String,
    pub status_label: String,
    pub event: Option<String>,
    pub claims: Vec<NarrativeClaim>,
    pub posts: Vec<NarrativePost>,
    pub chart: Chart,
    pub history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "narrative.html")]
struct NarrativePage<'a> {
    chrome: &'a Chrome,
    v: &'a NarrativePageView,
}

pub async fn show(
    State(state): State<WebState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (kb, locale) = (state.kb.clone(), chrome.locale);
    let v = blocking(&chrome, move || narrative_view(&kb, locale, &id)).await?;
    let page = NarrativePage {
        chrome: &chrome,
        v: &v,
    };
    Ok(render(&chrome, StatusCode::OK, &page))
}

pub fn narrative_view(kb: &KnowledgeBase, locale: Locale, id: &str) -> Result<NarrativePageView> {
    let NarrativeView {
        narrative,
        claims,
        posts,
        timeline,
    } = kb.narrative(id)?;
    Ok(NarrativePageView {
        href: narrative_href(&narrative.id),
        status_label: locale
            .catalog()
            .label("narrative-status-", narrative.status.as_str()),
        event: event(&narrative),
        claims: claims
            .iter()
            .map(|c| NarrativeClaim {
                href: claim_href(&c.id),
                id: c.id.clone(),
                text: c.text.clone(),
                title: c.title.clone(),
                badge: Badge::new(locale, c.verdict),
                publisher: c.publisher.clone(),
            })
            .collect(),
        posts: posts
            .iter()
            .map(|p| NarrativePost {
                text: p.text.clone(),
                lang: p.lang.clone(),
                href: web_link(p.url.as_deref()),
                platforms: p.platforms.clone(),
                seen: p.seen,
                first_seen: minute(&p.first_seen),
            })
            .collect(),
        chart: chart(&timeline, locale.dir() == "rtl"),
        history: history(kb, "narrative", &narrative.id)?,
        n: narrative,
    })
}

// ---- the editors' forms ----

/// The narrative form's fields, as posted and as shown.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NarrativeForm {
    pub title: String,
    pub description: String,
    pub event_date: String,
    pub event_end: String,
    pub place: String,
    pub status: String,
    /// Claim ids, separated by spaces, commas or lines.
    pub claims: String,
}

impl NarrativeForm {
    fn from_view(v: &NarrativeView) -> NarrativeForm {
        let n = &v.narrative;
        let get = |o: &Option<String>| o.clone().unwrap_or_default();
        NarrativeForm {
            title: n.title.clone(),
            description: get(&n.description),
            event_date: get(&n.event_date),
            event_end: get(&n.event_end),
            place: get(&n.place),
            status: n.status.as_str().to_string(),
            claims: v
                .claims
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn claim_ids(&self) -> Vec<String> {
        self.claims
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn input(&self) -> Result<NarrativeInput> {
        if self.title.trim().is_empty() {
            return Err(Error::Invalid("a narrative needs a title".into()));
        }
        let status = match some(&self.status) {
            None => None,
            Some(s) => Some(
                serde_json::from_value::<NarrativeStatus>(Value::String(s.clone()))
                    .map_err(|_| Error::Invalid(format!("unknown status {s:?}")))?,
            ),
        };
        Ok(NarrativeInput {
            title: self.title.trim().to_string(),
            description: some(&self.description),
            event_date: some(&self.event_date),
            event_end: some(&self.event_end),
            place: some(&self.place),
            status,
            claims: self.claim_ids(),
        })
    }
}

#[derive(Template)]
#[template(path = "narrative_form.html")]
struct FormPage<'a> {
    chrome: &'a Chrome,
    form: &'a NarrativeForm,
    /// The narrative's path when editing one.
    editing: Option<&'a str>,
    action: String,
    error: Option<String>,
    statuses: Vec<(&'static str, String)>,
}

fn form_page(
    chrome: &Chrome,
    status: StatusCode,
    form: &NarrativeForm,
    editing: Option<&str>,
    error: Option<String>,
) -> Response {
    let action = match editing {
        Some(href) => format!("{href}/edit"),
        None => "/narratives/new".to_string(),
    };
    let statuses = NarrativeStatus::ALL
        .iter()
        .map(|s| (s.as_str(), chrome.label("narrative-status-", s.as_str())))
        .collect();
    render(
        chrome,
        status,
        &FormPage {
            chrome,
            form,
            editing,
            action,
            error,
            statuses,
        },
    )
}

/// A write the editor can fix shows the form again, as filled, with why.
fn refused(
    chrome: &Chrome,
    form: &NarrativeForm,
    editing: Option<&str>,
    e: PageError,
) -> Result<Response, PageError> {
    let (status, why) = e.fixable(chrome)?;
    Ok(form_page(chrome, status, form, editing, Some(why)))
}

pub async fn new_form(chrome: Chrome) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let form = NarrativeForm::default();
    Ok(form_page(&chrome, StatusCode::OK, &form, None, None))
}

pub async fn create(
    State(state): State<WebState>,
    Posted(chrome, form): Posted<NarrativeForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, actor, posted) = (state.kb.clone(), chrome.user_name(), form.clone());
    let made = blocking(&chrome, move || {
        kb.create_narrative(posted.input()?, &actor)
    })
    .await;
    match made {
        Ok(v) => Ok(Redirect::to(&narrative_href(&v.narrative.id)).into_response()),
        Err(e) => refused(&chrome, &form, None, e),
    }
}

pub async fn edit_form(
    State(state): State<WebState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let kb = state.kb.clone();
    let v = blocking(&chrome, move || kb.narrative(&id)).await?;
    let href = narrative_href(&v.narrative.id);
    let form = NarrativeForm::from_view(&v);
    Ok(form_page(&chrome, StatusCode::OK, &form, Some(&href), None))
}

/// The whole form as a merge patch: every field, empty ones as null.
fn full_patch(input: &NarrativeInput) -> Value {
    json!({
        "title": input.title,
        "description": input.description,
        "event_date": input.event_date,
        "event_end": input.event_end,
        "place": input.place,
        "status": input.status,
        "claims": input.claims,
    })
}

pub async fn save(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted(chrome, form): Posted<NarrativeForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, actor, posted, nid) = (
        state.kb.clone(),
        chrome.user_name(),
        form.clone(),
        id.clone(),
    );
    let saved = blocking(&chrome, move || {
        kb.patch_narrative(&nid, &full_patch(&posted.input()?), &actor)
    })
    .await;
    let href = narrative_href(&id);
    match saved {
        Ok(_) => Ok(Redirect::to(&href).into_response()),
        Err(e) => refused(&chrome, &form, Some(&href), e),
    }
}

/// `add` or `remove` one claim id.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClaimsForm {
    pub add: String,
    pub remove: String,
}

pub async fn change_claims(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted(chrome, form): Posted<ClaimsForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, actor, nid) = (state.kb.clone(), chrome.user_name(), id.clone());
    blocking(&chrome, move || {
        let mut ids: Vec<String> = kb
            .narrative(&nid)?
            .claims
            .into_iter()
            .map(|c| c.id)
            .collect();
        if let Some(add) = some(&form.add) {
            if !ids.contains(&add) {
                ids.push(add);
            }
        }
        if let Some(gone) = some(&form.remove) {
            ids.retain(|c| *c != gone);
        }
        kb.patch_narrative(&nid, &json!({ "claims": ids }), &actor)
    })
    .await?;
    Ok(Redirect::to(&format!("{}#claims", narrative_href(&id))).into_response())
}

#[derive(Template)]
#[template(path = "narrative_delete.html")]
struct DeletePage<'a> {
    chrome: &'a Chrome,
    n: &'a Narrative,
    href: String,
}

pub async fn delete_form(
    State(state): State<WebState>,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let kb = state.kb.clone();
    let v = blocking(&chrome, move || kb.narrative(&id)).await?;
    let page = DeletePage {
        chrome: &chrome,
        href: narrative_href(&v.narrative.id),
        n: &v.narrative,
    };
    Ok(render(&chrome, StatusCode::OK, &page))
}

pub async fn delete(
    State(state): State<WebState>,
    Path(id): Path<String>,
    Posted(chrome, _): Posted<Empty>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, actor) = (state.kb.clone(), chrome.user_name());
    blocking(&chrome, move || kb.delete_narrative(&id, &actor)).await?;
    Ok(Redirect::to("/narratives").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_claim_ids_and_refuses_an_unknown_status() {
        let form = NarrativeForm {
            title: " Ceuta fence ".into(),
            claims: "cr-1, cr-2\ncr-3".into(),
            status: "dormant".into(),
            ..NarrativeForm::default()
        };
        let input = form.input().unwrap();
        assert_eq!(input.title, "Ceuta fence");
        assert_eq!(input.claims, ["cr-1", "cr-2", "cr-3"]);
        assert_eq!(input.status, Some(NarrativeStatus::Dormant));
        assert_eq!(input.event_date, None);
        let bad = NarrativeForm {
            status: "burning".into(),
            ..form.clone()
        };
        assert!(bad.input().is_err());
        let untitled = NarrativeForm {
            title: " ".into(),
            ..form
        };
        assert!(untitled.input().is_err());
    }
}
