//! Editors' pages: sign-in and sign-out, the claim form (new and edit),
//! adding an appearance, importing a file. Every POST comes through
//! [`Posted`] (or, for the upload, [`Uploaded`]) and every
//! page but sign-in asks for an editor first.

use askama::Template;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{claim_href, PagePath, PageQuery};
use super::session::{self, local_path};
use super::{blocking, filled as some, render, Chrome, PageError, Posted, WebState};
use crate::error::Error;
use crate::formats::{self, Format};
use crate::kb::{ImportOptions, ImportReport};
use crate::model::{Appearance, Claim};
use crate::verdict::Verdict;

/// Seconds a session cookie lives (the server ends the session then too).
const SESSION_SECS: u64 = 12 * 3600;

// ---- sign-in, sign-out ----

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub key: String,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    chrome: &'a Chrome,
    next: &'a str,
    failed: bool,
}

pub async fn sign_in_form(chrome: Chrome, PageQuery(q): PageQuery<SignInForm>) -> Response {
    let next = local_path(q.next.as_deref());
    render(
        &chrome,
        StatusCode::OK,
        &SignInPage {
            chrome: &chrome,
            next,
            failed: false,
        },
    )
}

pub async fn sign_in(
    State(state): State<WebState>,
    Posted(chrome, form): Posted<SignInForm>,
) -> Result<Response, PageError> {
    let (kb, secret) = (state.kb.clone(), form.key.trim().to_string());
    let key = blocking(&chrome, move || kb.store().key_for_secret(&secret)).await?;
    let next = local_path(form.next.as_deref());
    let Some(key) = key else {
        let page = SignInPage {
            chrome: &chrome,
            next,
            failed: true,
        };
        return Ok(render(&chrome, StatusCode::FORBIDDEN, &page));
    };
    // A new id on every sign-in: an id planted before it is worth nothing.
    if let Some(old) = &chrome.session_id {
        state.sessions.end(old);
    }
    let id = state.sessions.start(&key.id, &key.name, key.role);
    let cookie = session::set_cookie(
        session::SESSION_COOKIE,
        &id,
        SESSION_SECS,
        true,
        chrome.secure,
    );
    Ok(with_cookie(Redirect::to(next).into_response(), &cookie))
}

#[derive(Template)]
#[template(path = "sign_out.html")]
struct SignOutPage<'a> {
    chrome: &'a Chrome,
}

pub async fn sign_out_form(chrome: Chrome) -> Response {
    if chrome.user.is_none() {
        return Redirect::to("/").into_response();
    }
    render(&chrome, StatusCode::OK, &SignOutPage { chrome: &chrome })
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(State(state): State<WebState>, Posted(chrome, _): Posted<Empty>) -> Response {
    if let Some(id) = &chrome.session_id {
        state.sessions.end(id);
    }
    let cookie = session::set_cookie(session::SESSION_COOKIE, "", 0, true, chrome.secure);
    with_cookie(Redirect::to("/").into_response(), &cookie)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

// ---- the claim form ----

/// The claim form's fields, as posted and as shown.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClaimForm {
    pub id: String,
    pub text: String,
    pub title: String,
    pub lang: String,
    pub verdict: String,
    pub verdict_text: String,
    pub summary: String,
    pub url: String,
    pub publisher: String,
    pub claimant: String,
    pub claim_date: String,
    pub review_date: String,
    pub country: String,
    pub tags: String,
    /// The version the form was filled from (edit only).
    pub etag: String,
}

impl ClaimForm {
    fn from_claim(c: &Claim) -> ClaimForm {
        let get = |o: &Option<String>| o.clone().unwrap_or_default();
        ClaimForm {
            id: c.id.clone(),
            text: c.text.clone(),
            title: get(&c.title),
            lang: get(&c.lang),
            verdict: c
                .verdict
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            verdict_text: get(&c.verdict_text),
            summary: get(&c.summary),
            url: get(&c.url),
            publisher: get(&c.publisher),
            claimant: get(&c.claimant),
            claim_date: get(&c.claim_date),
            review_date: get(&c.review_date),
            country: get(&c.country),
            tags: c.tags.join(", "),
            etag: crate::kb::etag(c),
        }
    }

    /// The form's fields over `base` (which keeps what the form does not
    /// show: appearances, narrative, the imported record). Public for the
    /// fuzz target of the web layer's parsing.
    pub fn apply(&self, base: Claim) -> Result<Claim, Error> {
        let verdict = match self.verdict.trim() {
            "" => None,
            name => Some(
                Verdict::from_name(name)
                    .ok_or_else(|| Error::Invalid(format!("unknown verdict {name:?}")))?,
            ),
        };
        Ok(Claim {
            text: self.text.trim().to_string(),
            title: some(&self.title),
            lang: some(&self.lang),
            verdict,
            verdict_text: some(&self.verdict_text),
            summary: some(&self.summary),
            url: some(&self.url),
            publisher: some(&self.publisher),
            claimant: some(&self.claimant),
            claim_date: some(&self.claim_date),
            review_date: some(&self.review_date),
            country: some(&self.country),
            tags: self.tags.split(',').filter_map(some).collect(),
            ..base
        })
    }
}

#[derive(Template)]
#[template(path = "claim_form.html")]
struct ClaimFormPage<'a> {
    chrome: &'a Chrome,
    form: &'a ClaimForm,
    /// `None` for a new claim.
    editing: Option<&'a str>,
    action: String,
    error: Option<String>,
    verdicts: Vec<(&'static str, String)>,
}

fn form_page(
    chrome: &Chrome,
    status: StatusCode,
    form: &ClaimForm,
    editing: Option<&str>,
    error: Option<String>,
) -> Response {
    let action = match editing {
        Some(id) => format!("{}/edit", claim_href(id)),
        None => "/claims/new".to_string(),
    };
    let verdicts = Verdict::ALL
        .iter()
        .map(|v| (v.as_str(), chrome.label("verdict-", v.as_str())))
        .collect();
    render(
        chrome,
        status,
        &ClaimFormPage {
            chrome,
            form,
            editing,
            action,
            error,
            verdicts,
        },
    )
}

/// A write the editor can fix shows the form again, as filled, with why.
fn refused(
    chrome: &Chrome,
    form: &ClaimForm,
    editing: Option<&str>,
    e: PageError,
) -> Result<Response, PageError> {
    let (status, why) = e.fixable(chrome)?;
    Ok(form_page(chrome, status, form, editing, Some(why)))
}

pub async fn new_claim_form(chrome: Chrome) -> Result<Response, PageError> {
    chrome.require_editor()?;
    Ok(form_page(
        &chrome,
        StatusCode::OK,
        &ClaimForm::default(),
        None,
        None,
    ))
}

pub async fn create_claim(
    State(state): State<WebState>,
    Posted(chrome, form): Posted<ClaimForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, posted) = (state.kb.clone(), form.clone());
    let created = blocking(&chrome, move || {
        let mut claim = posted.apply(Claim::default())?;
        claim.id = some(&posted.id)
            .unwrap_or_else(|| formats::derive_id(claim.url.as_deref(), &claim.text));
        kb.create_claim(claim)
    })
    .await;
    match created {
        Ok(claim) => Ok(Redirect::to(&claim_href(&claim.id)).into_response()),
        Err(e) => refused(&chrome, &form, None, e),
    }
}

pub async fn edit_claim_form(
    State(state): State<WebState>,
    chrome: Chrome,
    PagePath(id): PagePath<String>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let kb = state.kb.clone();
    let claim = blocking(&chrome, move || kb.get_claim(&id)).await?;
    Ok(form_page(
        &chrome,
        StatusCode::OK,
        &ClaimForm::from_claim(&claim),
        Some(&claim.id),
        None,
    ))
}

pub async fn save_claim(
    State(state): State<WebState>,
    PagePath(id): PagePath<String>,
    Posted(chrome, form): Posted<ClaimForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let (kb, posted, claim_id) = (state.kb.clone(), form.clone(), id.clone());
    // The edit applies only to the version the form was filled from.
    let saved = blocking(&chrome, move || {
        let claim = posted.apply(kb.get_claim(&claim_id)?)?;
        kb.replace_claim(&claim_id, claim, Some(&posted.etag))
    })
    .await;
    match saved {
        Ok((claim, _)) => Ok(Redirect::to(&claim_href(&claim.id)).into_response()),
        Err(e) => refused(&chrome, &form, Some(&id), e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppearanceForm {
    pub url: String,
    pub platform: String,
    pub text: String,
    pub first_seen: String,
}

/// A post pasted on the match page, sent to the review queue.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueForm {
    pub text: String,
    pub url: String,
    pub platform: String,
    pub author: String,
}

/// Receives the post as `POST /api/v1/posts` does (matched, its matches
/// suggested), then shows the queue newest first, the post on top.
pub async fn queue_post(
    State(state): State<WebState>,
    Posted(chrome, form): Posted<QueueForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let post = crate::store::NewPost {
        text: form.text,
        url: some(&form.url),
        platform: some(&form.platform),
        author: some(&form.author),
        lang: None,
        posted_at: None,
    };
    let (kb, actor) = (state.kb.clone(), chrome.user_name());
    let outcome = blocking(&chrome, move || kb.ingest_post(post, &actor)).await?;
    let waiting = outcome
        .links
        .iter()
        .filter(|l| l.status == crate::store::LinkStatus::Suggested);
    let to = format!("/review?sort=newest&done=queued&n={}", waiting.count());
    Ok(Redirect::to(&to).into_response())
}

pub async fn add_appearance(
    State(state): State<WebState>,
    PagePath(id): PagePath<String>,
    Posted(chrome, form): Posted<AppearanceForm>,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let appearance = Appearance {
        url: some(&form.url),
        platform: some(&form.platform),
        text: some(&form.text),
        first_seen: some(&form.first_seen),
    };
    let kb = state.kb.clone();
    let claim = blocking(&chrome, move || kb.add_appearance(&id, appearance, None)).await?;
    Ok(Redirect::to(&format!("{}#appearances", claim_href(&claim.id))).into_response())
}

// ---- import ----

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    chrome: &'a Chrome,
    report: Option<&'a ImportReport>,
    /// A file refused whole (strict mode, unreadable input).
    failure: Option<String>,
}

pub async fn import_form(chrome: Chrome) -> Result<Response, PageError> {
    chrome.require_editor()?;
    Ok(render(
        &chrome,
        StatusCode::OK,
        &ImportPage {
            chrome: &chrome,
            report: None,
            failure: None,
        },
    ))
}

/// An import upload whose token has been checked, like [`Posted`] for
/// multipart forms: the whole body is read (under `MAX_UPLOAD`) before
/// anything is written.
pub struct Uploaded(pub Chrome, pub Upload);

#[derive(Default)]
pub struct Upload {
    csrf: String,
    file: Vec<u8>,
    file_name: String,
    format: String,
    strict: bool,
}

impl Upload {
    /// The import's options; a form without a file, or naming a format it
    /// does not offer, is refused (an empty format means "detect it").
    fn options(&self) -> Result<ImportOptions, String> {
        if self.file_name.is_empty() {
            return Err("no file was sent: choose one to import".into());
        }
        let format = match self.format.trim() {
            "" => Format::Auto,
            name => <Format as clap::ValueEnum>::from_str(name, true)
                .map_err(|_| format!("unknown format {name:?}"))?,
        };
        Ok(ImportOptions {
            format,
            strict: self.strict,
            source: self.file_name.clone().into(),
            ..ImportOptions::default()
        })
    }
}

impl FromRequest<WebState> for Uploaded {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let chrome = Chrome::from_request_parts(&mut parts, state).await?;
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| chrome.error(StatusCode::BAD_REQUEST, Some(e.body_text())))?;
        let bad = |e: MultipartError| chrome.error(e.status(), Some(e.body_text()));
        let mut upload = Upload::default();
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            match field.name().unwrap_or("") {
                "csrf" => upload.csrf = field.text().await.map_err(bad)?,
                "format" => upload.format = field.text().await.map_err(bad)?,
                "strict" => upload.strict = !field.text().await.map_err(bad)?.is_empty(),
                "file" => {
                    upload.file_name = field.file_name().unwrap_or("upload").to_string();
                    upload.file = field.bytes().await.map_err(bad)?.to_vec();
                }
                _ => {}
            }
        }
        chrome.check_token(&upload.csrf)?;
        Ok(Uploaded(chrome, upload))
    }
}

pub async fn import(
    State(state): State<WebState>,
    Uploaded(chrome, upload): Uploaded,
) -> Result<Response, PageError> {
    chrome.require_editor()?;
    let outcome = match upload.options() {
        Ok(options) => {
            let kb = state.kb.clone();
            blocking(&chrome, move || {
                kb.import(upload.file.as_slice(), &options, |_| {})
            })
            .await
        }
        Err(detail) => Err(chrome.error(StatusCode::BAD_REQUEST, Some(detail))),
    };
    // A file refused whole (strict mode, unreadable) is reported on the page.
    let (report, failure, status) = match outcome {
        Ok(report) => (Some(report), None, StatusCode::OK),
        Err(PageError::Page { status, detail, .. }) if status.is_client_error() => {
            (None, detail, status)
        }
        Err(e) => return Err(e),
    };
    let page = ImportPage {
        chrome: &chrome,
        report: report.as_ref(),
        failure,
    };
    Ok(render(&chrome, status, &page))
}
