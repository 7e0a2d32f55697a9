//! The web UI: server-rendered pages for journalists, moderators and
//! editors, in English, French and Arabic, that work without JavaScript.
//! Like the API, page handlers only extract, call the
//! [`KnowledgeBase`](crate::KnowledgeBase) facade and render a typed askama
//! template (`web/templates/`, checked at compile time); the stylesheet,
//! script and icon (`web/static/`) and the message catalogs (`web/i18n/`)
//! are embedded in the binary.
//!
//! # Page contract
//!
//! Stable once committed: the browser tests depend on it.
//!
//! | route | method | what |
//! | --- | --- | --- |
//! | `/` | GET | search: `q`, `lang`, `verdict`, `publisher`, `from`, `to` (YYYY-MM-DD), `sort` (`relevance`/`date`), `cursor` |
//! | `/claims/{id}` | GET | one claim (id percent-encoded as one segment) |
//! | `/match` | GET | match a post: `text`, `url` |
//! | `/lang/{code}` | GET | `en`/`fr`/`ar`: remembers the choice in the `lang` cookie, then 303 to `next` (our own paths only) |
//! | `/sign-in` | GET, POST | form fields `key`, `csrf`, `next` |
//! | `/sign-out` | GET, POST | form field `csrf` |
//! | `/claims/new` | GET, POST | editors: fields below |
//! | `/claims/{id}/edit` | GET, POST | editors: fields below plus `etag` (the version edited) |
//! | `/claims/{id}/appearances` | POST | editors: `url`, `platform`, `text`, `first_seen`, `csrf` |
//! | `/import` | GET, POST | editors: multipart `csrf`, `file`, `format` (`auto`/`jsonl`/`claimreview`/`factcheck-api`), `strict` (`on`) |
//! | `/posts` | POST | editors: `csrf`, `text`, `url`, `platform`, `author` (the match page's `form#queue-post-form`): the post is received and matched as `POST /api/v1/posts` does, then 303 to `/review?sort=newest&done=queued&n=<suggested links>` |
//! | `/review` | GET | signed in (visitors go to sign in; readers see no decision controls): `status` (`suggested`/`confirmed`/`rejected`), `band`, `lang`, `platform`, `since`, `sort` (`newest`/`most_seen`); `done`, `n` say what the last decision did |
//! | `/review/decide` | POST | editors: `csrf`, `action` (`confirm`, `reject`, `none`, `confirm-selected`, `reject-selected`), `link` and `version` (one link), `post` (`none`), `pick` (repeated: the ticked links), `note`, `back` (the queue's filters); 303 to `/review?done=..&n=..&<filters>`, or the queue with 409 and `#review-conflict` |
//! | `/settings` | GET, POST | editors read, admins post `csrf`, `suggest_at`, `confirm_at` (empty: off); a refusal is a 400 with the form and `#form-error` |
//! | `/narratives` | GET | the list |
//! | `/narratives/new` | GET, POST | editors: narrative fields below |
//! | `/narratives/{id}` | GET | one narrative |
//! | `/narratives/{id}/edit` | GET, POST | editors: narrative fields below |
//! | `/narratives/{id}/claims` | POST | editors: `csrf`, `add` or `remove` (a claim id) |
//! | `/narratives/{id}/delete` | GET, POST | editors: the question, then `csrf` |
//! | `/static/app.<hash>.css` etc. | GET | embedded assets, `immutable`, `ETag`/304 |
//!
//! Claim form fields: `csrf`, `id` (new only; empty derives one), `text`
//! (required), `title`, `lang`, `verdict` (a verdict name or empty),
//! `verdict_text`, `summary`, `url`, `publisher`, `claimant`, `claim_date`,
//! `review_date`, `country`, `tags` (comma-separated).
//!
//! Narrative form fields: `csrf`, `title` (required), `description`,
//! `event_date`, `event_end` (YYYY-MM-DD), `place`, `status`
//! (`active`/`dormant`/`closed`), `claims` (ids, by line or comma).
//!
//! Element ids and test ids on every page: `#main` (the `<main>`, target of
//! the skip link `a.skip-link`), `nav#lang-switch` with `a[hreflang]` per
//! language, `#sign-in-link` or (signed in) `#signed-in` and
//! `form#sign-out-form`; editor controls carry `data-testid="editor-control"`
//! (`#new-claim-link`, `#import-link`, `#edit-claim-link`,
//! `form#appearance-form`) and only editors ever see them.
//! Search: `form#search-form` with `input#q`, `select#lang`,
//! `select#verdict`, `select#publisher`, `input#from`, `input#to`,
//! `select#sort`; `#total` (the count); `ol#results > li[data-testid=hit]`
//! each with `a.hit-link` (to the claim), `.badge` (verdict, colour and
//! text), `.snippet`, `.publisher`, `.review-date`; `#matches >
//! li[data-testid=match]` (pasted paragraph); `#url-results >
//! li[data-testid=url-hit]` (pasted URL); `a#next-page`, `a#first-page`.
//! Claim: `#claim-text`, `.badge`, `#rating-text`, `a#review-link`,
//! `#claimant`, `#appearances`, `#related > li[data-testid=match]`,
//! `script#claimreview` (JSON-LD). Match: `form#match-form` with
//! `textarea#text`, `input#url`; `#post-marked` (the post with shared terms
//! in `<mark>`), `#match-results > li[data-testid=match]` each with `.band`,
//! `.score`, `.claim-marked`; `#no-match` when none. A bad search or post
//! (too long, a bad date) is a 400 with the form and `#form-error`.
//! Navigation: `#narratives-link`; signed in also `#review-link-nav` with
//! `#review-waiting` (links waiting) and `#settings-link`.
//! Review: `form#review-filters` (`#r-status`, `#r-band`, `#r-lang`,
//! `#r-platform`, `#r-since`, `#r-sort`); `#review-status` (the live
//! region saying what the last decision did); `#review-keys` (the keys,
//! shown by the script); `form#bulk-form` with `#confirm-selected`,
//! `#reject-selected`; `ol#queue > li[data-testid=review-card]#card-{link}`
//! (`data-link`, `data-post`) each with `.post-marked` (shared words in
//! `<mark>`), `.terms .term` (the post's own words), `.review-claim` with
//! `.badge` and `.publisher`, `.seen`, `.platforms`, `.semantic`,
//! `input#pick-{link}`, `form.decide-form` with `.confirm-button`,
//! `.reject-button`, `.none-button`, and `#history-{link}`; `#review-empty`.
//! Settings: `form#settings-form` (`#suggest_at`, `#confirm_at`) or, not
//! for admins, `#settings-values`; `#settings-saved`.
//! Narratives: `table#narratives tr[data-testid=narrative-row]`,
//! `#new-narrative-link`. Narrative: `#narrative-title`, `#narrative-status`,
//! `#narrative-event`, `#narrative-place`, `#narrative-claims >
//! li[data-testid=narrative-claim]` (`data-claim`), `form#add-claim-form`,
//! `form.remove-claim-form`, `svg#timeline-chart` with
//! `g[data-testid=timeline-day]` per day that has posts (`data-day`,
//! `data-posts`), `table#timeline-table`, `#narrative-posts >
//! li[data-testid=narrative-post]`; `form#narrative-form`,
//! `form#delete-narrative-form`. History (claim, narrative, link):
//! `#history li[data-testid=history-row]`. Claim extras: `#claim-narrative`,
//! `#confirmed-posts li[data-testid=confirmed-post]`; `#rating-text` only
//! when the rating says more than the badge.
//! Sign-in: `form#sign-in-form`, `input#key`; failure `#form-error`.
//! Claim form: `form#claim-form`; import: `form#import-form`,
//! `#import-report` with `#imported`, `#updated`, `#skipped`. Error pages:
//! `#error` with `data-status`.
//!
//! # Sign-in and its rules
//!
//! An editor pastes an API key into `/sign-in`; a valid key starts a
//! server-side session (see [`session`]): cookie `dbk_session`, `HttpOnly`,
//! `SameSite=Strict`, `Path=/`, `Secure` when the request came over HTTPS.
//! Revoking the key ends its sessions. Readers (and visitors) never see
//! editor controls; on editor routes a visitor is sent to `/sign-in`, a
//! reader gets a 403 page. Every POST needs a same-origin browser request
//! and the `csrf` field; a failed check is a 403 page and writes nothing.
//!
//! Locale: the `lang` cookie, else `Accept-Language`, else English;
//! `<html lang dir>` follows it (`ar` is right-to-left).

pub mod assets;
pub mod editor;
pub mod history;
pub mod i18n;
pub mod narratives;
pub mod pages;
pub mod review;
pub mod session;
pub mod timeline;

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::Error;
use crate::kb::KnowledgeBase;
use crate::keys::Role;
use i18n::{Catalog, Locale};
use session::Sessions;

/// The largest import upload, in bytes.
pub const MAX_UPLOAD: usize = 64 << 20;
/// The largest form body otherwise (a claim, a post to match).
const MAX_FORM: usize = 256 * 1024;

/// The policy of every page: nothing but our own files, no inline script
/// or style, no framing, forms only to us.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// What a URL component percent-encodes: everything but RFC 3986's
/// unreserved characters, which stay readable (`cr-7a8c`, not `cr%2D7a8c`).
pub const URL_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How the pages run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Believe `X-Forwarded-Proto: https` (set only behind a proxy that
    /// always sets it): session cookies are then marked `Secure`.
    pub trust_forwarded_proto: bool,
    /// The server runs `--private`: every page but signing in (and its
    /// styles and language switch) needs a signed-in key, as the API does.
    pub private: bool,
}

#[derive(Clone)]
pub struct WebState {
    pub kb: KnowledgeBase,
    pub sessions: Arc<Sessions>,
    pub options: Arc<Options>,
}

/// Every page route, with its own state: it mounts into any router.
pub fn router<S: Clone + Send + Sync + 'static>(kb: KnowledgeBase, options: Options) -> Router<S> {
    let state = WebState {
        kb,
        sessions: Arc::new(Sessions::default()),
        options: Arc::new(options),
    };
    let uploads = Router::new()
        .route("/import", get(editor::import_form).post(editor::import))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    Router::new()
        .route("/", get(pages::search))
        .route("/claims/{id}", get(pages::claim))
        .route("/match", get(pages::match_page))
        .route("/lang/{code}", get(switch_language))
        .route("/static/{file}", get(assets::serve))
        .route("/sign-in", get(editor::sign_in_form).post(editor::sign_in))
        .route(
            "/sign-out",
            get(editor::sign_out_form).post(editor::sign_out),
        )
        .route(
            "/claims/new",
            get(editor::new_claim_form).post(editor::create_claim),
        )
        .route(
            "/claims/{id}/edit",
            get(editor::edit_claim_form).post(editor::save_claim),
        )
        .route("/claims/{id}/appearances", post(editor::add_appearance))
        .route("/posts", post(editor::queue_post))
        .route("/review", get(review::review))
        .route("/review/decide", post(review::decide_form))
        .route(
            "/settings",
            get(review::settings).post(review::save_settings),
        )
        .route("/narratives", get(narratives::list))
        .route(
            "/narratives/new",
            get(narratives::new_form).post(narratives::create),
        )
        .route("/narratives/{id}", get(narratives::show))
        .route(
            "/narratives/{id}/edit",
            get(narratives::edit_form).post(narratives::save),
        )
        .route("/narratives/{id}/claims", post(narratives::change_claims))
        .route(
            "/narratives/{id}/delete",
            get(narratives::delete_form).post(narratives::delete),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .merge(uploads)
        .layer(middleware::from_fn(refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), private_gate))
        .with_state(state)
}

/// On a private server, a visitor who is not signed in sees only the
/// sign-in page: every other page sends them there, and back afterwards.
async fn private_gate(
    axum::extract::State(state): axum::extract::State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let open = path == "/sign-in" || path.starts_with("/static/") || path.starts_with("/lang/");
    if !state.options.private || open {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let signed_in = match Chrome::from_request_parts(&mut parts, &state).await {
        Ok(chrome) => chrome.user.is_some(),
        Err(e) => return e.into_response(),
    };
    if !signed_in {
        let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let to = format!(
            "/sign-in?next={}",
            percent_encoding::utf8_percent_encode(here, URL_COMPONENT)
        );
        return axum::response::Redirect::to(&to).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The HTML 404 page for a path no route knows (the server's fallback).
pub fn not_found(headers: &HeaderMap) -> Response {
    Chrome::anonymous(headers)
        .error(StatusCode::NOT_FOUND, None)
        .into_response()
}

/// What every page shows around its content: the interface language, who
/// is signed in, the token for its forms, where it is (for the switcher).
#[derive(Clone, Debug)]
pub struct Chrome {
    pub locale: Locale,
    pub user: Option<session::Session>,
    /// The token this page's forms carry.
    pub csrf: String,
    /// A new visitor's token, to set in the `dbk_csrf` cookie.
    new_csrf: bool,
    /// This page's path and query.
    pub here: String,
    /// Links waiting in the review queue (signed-in keys only).
    pub waiting: Option<u64>,
    secure: bool,
    session_id: Option<String>,
}

impl Chrome {
    /// A visitor known only by the request's headers (no session).
    fn anonymous(headers: &HeaderMap) -> Chrome {
        let locale = session::cookie(headers, session::LANG_COOKIE)
            .and_then(|c| Locale::from_code(&c))
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Locale::negotiate)
            })
            .unwrap_or(Locale::En);
        let cookie_token = session::cookie(headers, session::CSRF_COOKIE)
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
        let new_csrf = cookie_token.is_none();
        Chrome {
            locale,
            user: None,
            csrf: cookie_token.unwrap_or_else(session::random_token),
            new_csrf,
            here: "/".into(),
            waiting: None,
            secure: false,
            session_id: None,
        }
    }

    pub fn t(&self) -> &'static Catalog {
        self.locale.catalog()
    }

    /// A message of the interface language.
    pub fn tr<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.t().get(key)
    }

    /// A message with `{ $name }` placeholders filled.
    pub fn tr_with(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t().format(key, &[(name, &value.to_string())])
    }

    /// The message named `prefix` + `value` (`verdict-false`, `lang-ar`), else the value.
    pub fn label(&self, prefix: &str, value: &str) -> String {
        self.t().label(prefix, value)
    }

    /// A value of a record's history as the reader's language names it: a
    /// verdict, a band, a language, a link's or a narrative's status; any
    /// other value as stored.
    pub fn history_value(&self, entity: &str, field: &str, value: &str) -> String {
        let prefix = match (entity, field) {
            (_, "verdict") => "verdict-",
            (_, "band") => "band-",
            (_, "lang") => "lang-",
            ("link", "status") => "link-status-",
            ("narrative", "status") => "narrative-status-",
            _ => return value.to_string(),
        };
        self.label(prefix, value)
    }

    /// A signed-out visitor of this language (benchmarks, error pages).
    pub fn for_locale(locale: Locale) -> Chrome {
        Chrome {
            locale,
            ..Chrome::anonymous(&HeaderMap::new())
        }
    }

    pub fn is_editor(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role >= Role::Editor)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role >= Role::Admin)
    }

    /// The signed-in key's name: who a decision is recorded as.
    pub fn user_name(&self) -> String {
        self.user
            .as_ref()
            .map_or_else(String::new, |u| u.name.clone())
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The switcher's link to this page in another language.
    pub fn switch_url(&self, locale: &Locale) -> String {
        format!(
            "/lang/{}?next={}",
            locale.code(),
            percent_encoding::utf8_percent_encode(&self.here, URL_COMPONENT)
        )
    }

    /// `next` for the sign-in link: back here.
    pub fn here_encoded(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.here, URL_COMPONENT).to_string()
    }

    pub fn locales(&self) -> [Locale; 3] {
        Locale::ALL
    }

    pub fn is_current(&self, locale: &Locale) -> bool {
        *locale == self.locale
    }

    pub fn role_name(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.role.as_str())
    }

    /// Refuses the page unless an editor is signed in: visitors are sent
    /// to sign in first, readers get a 403.
    pub fn require_editor(&self) -> Result<(), PageError> {
        match &self.user {
            None => Err(PageError::Redirect(format!(
                "/sign-in?next={}",
                self.here_encoded()
            ))),
            Some(u) if u.role < Role::Editor => Err(self.error(StatusCode::FORBIDDEN, None)),
            Some(_) => Ok(()),
        }
    }

    /// Refuses the page to a visitor who is not signed in (sent to sign in).
    pub fn require_signed_in(&self) -> Result<(), PageError> {
        match &self.user {
            None => Err(PageError::Redirect(format!(
                "/sign-in?next={}",
                self.here_encoded()
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Refuses the page unless an admin is signed in.
    pub fn require_admin(&self) -> Result<(), PageError> {
        self.require_signed_in()?;
        if self.is_admin() {
            Ok(())
        } else {
            Err(self.error(StatusCode::FORBIDDEN, None))
        }
    }

    /// Checks a posted form's token against this visitor's.
    pub fn check_token(&self, posted: &str) -> Result<(), PageError> {
        if session::same_token(posted, &self.csrf) && !self.new_csrf {
            Ok(())
        } else {
            Err(self.error(StatusCode::FORBIDDEN, None))
        }
    }

    pub fn error(&self, status: StatusCode, detail: Option<String>) -> PageError {
        PageError::Page {
            chrome: Box::new(self.clone()),
            status,
            detail,
        }
    }

    /// A core error as a page: the status follows the error's kind; a
    /// server fault's detail stays in the log.
    pub fn fail(&self, e: Error) -> PageError {
        let (status, detail) = match &e {
            Error::NotFound(_) => (StatusCode::NOT_FOUND, None),
            Error::Invalid(m) => (StatusCode::BAD_REQUEST, Some(m.clone())),
            Error::BadRecord { .. } => (StatusCode::BAD_REQUEST, Some(e.to_string())),
            Error::Conflict(m) => (StatusCode::CONFLICT, Some(m.clone())),
            Error::Stale(_) => (StatusCode::PRECONDITION_FAILED, None),
            e if e.is_storage_full() => {
                tracing::error!(error = %e, "page failed: no room left");
                (StatusCode::INSUFFICIENT_STORAGE, None)
            }
            _ => {
                tracing::error!(error = %e, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        self.error(status, detail)
    }

    /// The `Set-Cookie` values this response needs besides its own.
    fn cookies(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.new_csrf {
            out.push(session::set_cookie(
                session::CSRF_COOKIE,
                &self.csrf,
                12 * 3600,
                true,
                self.secure,
            ));
        }
        out
    }
}

impl FromRequestParts<WebState> for Chrome {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, PageError> {
        let mut chrome = Chrome::anonymous(&parts.headers);
        chrome.here = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        chrome.secure = parts.uri.scheme_str() == Some("https")
            || (state.options.trust_forwarded_proto
                && parts
                    .headers
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")));
        let Some(id) = session::cookie(&parts.headers, session::SESSION_COOKIE) else {
            return Ok(chrome);
        };
        let Some(found) = state.sessions.get(&id) else {
            return Ok(chrome);
        };
        // The key is checked on every request: revoking it ends the session.
        let kb = state.kb.clone();
        let key_id = found.key_id.clone();
        // The queue's length rides along: every signed-in page shows it.
        let (live, waiting) = blocking(&chrome, move || {
            let live = kb.live_key(&key_id)?;
            let waiting = match live {
                Some(_) => Some(kb.review_waiting()?),
                None => None,
            };
            Ok((live, waiting))
        })
        .await?;
        chrome.waiting = waiting;
        if live.is_none() {
            state.sessions.end_for_key(&found.key_id);
            return Ok(chrome);
        }
        chrome.csrf = found.csrf.clone();
        chrome.new_csrf = false;
        chrome.user = Some(found);
        chrome.session_id = Some(id);
        Ok(chrome)
    }
}

/// A posted form whose token has been checked: the only way a POST
/// handler gets its fields, so no POST skips the check.
pub struct Posted<T>(pub Chrome, pub T);

#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<WebState> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        let chrome = Chrome::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| chrome.error(e.status(), Some(e.body_text())))?;
        let token: TokenField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| chrome.error(StatusCode::BAD_REQUEST, Some(e.to_string())))?;
        chrome.check_token(&token.csrf)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| chrome.error(StatusCode::BAD_REQUEST, Some(e.to_string())))?;
        Ok(Posted(chrome, form))
    }
}

/// A form's text field, trimmed; `None` when left empty.
pub fn filled(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl PageError {
    /// A refused write the person can fix (a bad field, a clash, a stale
    /// version) as the status and reason to show above the form filled
    /// as it was; anything else stays an error page.
    pub fn fixable(self, chrome: &Chrome) -> Result<(StatusCode, String), PageError> {
        match self {
            PageError::Page { status, detail, .. }
                if status.is_client_error() && status != StatusCode::NOT_FOUND =>
            {
                let why = match status {
                    StatusCode::PRECONDITION_FAILED => chrome.tr("error-412-text").to_string(),
                    _ => detail.unwrap_or_default(),
                };
                Ok((status, why))
            }
            other => Err(other),
        }
    }
}

/// A page that failed, or that sends the visitor elsewhere.
#[derive(Debug)]
pub enum PageError {
    Page {
        chrome: Box<Chrome>,
        status: StatusCode,
        detail: Option<String>,
    },
    Redirect(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: &'a Chrome,
    status: u16,
    title_key: &'static str,
    text_key: &'static str,
    detail: Option<&'a str>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (chrome, status, detail) = match self {
            PageError::Redirect(to) => return Redirect::to(&to).into_response(),
            PageError::Page {
                chrome,
                status,
                detail,
            } => (chrome, status, detail),
        };
        let (title_key, text_key) = match status.as_u16() {
            400 | 413 | 415 | 422 => ("error-400-title", "error-400-text"),
            403 => ("error-403-title", "error-403-text"),
            404 => ("error-404-title", "error-404-text"),
            409 => ("error-409-title", "error-409-text"),
            412 => ("error-412-title", "error-412-text"),
            507 => ("error-507-title", "error-507-text"),
            _ => ("error-500-title", "error-500-text"),
        };
        let page = ErrorPage {
            chrome: &chrome,
            status: status.as_u16(),
            title_key,
            text_key,
            detail: detail.as_deref(),
        };
        render(&chrome, status, &page)
    }
}

/// A rendered page with the headers every page carries.
pub fn render(chrome: &Chrome, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => with_page_headers(chrome, (status, html).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn with_page_headers(chrome: &Chrome, mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Pages show who is signed in and in which language: never shared.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    for cookie in chrome.cookies() {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Runs blocking knowledge-base work off the async threads.
pub async fn blocking<T: Send + 'static>(
    chrome: &Chrome,
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, PageError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| chrome.fail(e)),
        Err(e) => {
            tracing::error!(error = %e, "page task failed");
            Err(chrome.error(StatusCode::INTERNAL_SERVER_ERROR, None))
        }
    }
}

/// A POST from another site is refused before any handler reads it.
async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !session::same_origin(request.headers()) {
        return Chrome::anonymous(request.headers())
            .error(StatusCode::FORBIDDEN, None)
            .into_response();
    }
    next.run(request).await
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// `GET /lang/{code}`: remembers the interface language, goes back.
async fn switch_language(
    chrome: Chrome,
    pages::PagePath(code): pages::PagePath<String>,
    Query(q): Query<NextParam>,
) -> Result<Response, PageError> {
    let locale =
        Locale::from_code(&code).ok_or_else(|| chrome.error(StatusCode::NOT_FOUND, None))?;
    // Lax, not Strict: the choice should hold when a link from elsewhere opens a page.
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        session::LANG_COOKIE,
        locale.code()
    );
    let mut response = Redirect::to(session::local_path(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
