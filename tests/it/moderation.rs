//! Moderation: posts, links and the decisions on them, the review queue,
//! narratives and the audit trail, through the real router and a real
//! server, on a real data folder.

use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use debunk::api::{router, ServeOptions};
use debunk::keys::Role;
use debunk::KnowledgeBase;

/// A seed fact-check (Fatabyyano): a 2019 video passed off as the 2024
/// floods in Tata, Morocco.
const TATA: &str = "cr-75b189a0a5defab5";

/// A Darija post (written for this test) repeating the Tata claim.
const DARIJA_POST: &str = "فيضانات خايبة ضربات إقليم طاطا والناس كيغرقو على المباشر والسلطات ما دارت والو، شوفو الفيديو قبل ما يتحيد";

/// An Arabizi rewording of that post (written for this test): other order,
/// other words for the authorities, no place name; it shares the post's
/// Darija but little of the claim's wording.
const ARABIZI_POST: &str =
    "khayba bzaf, chofo had lfidio 9bel ma y7aydouh: nas kaygher9o 3la lmobachir o l9iyada ma darat walo";

/// A seeded knowledge base on a real data folder, keys, and the router.
struct Desk {
    kb: KnowledgeBase,
    app: axum::Router,
    editor: String,
    admin: String,
    _dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        kb.seed_if_new().unwrap();
        let editor = kb.store().create_key("amina", Role::Editor).unwrap().1;
        let admin = kb.store().create_key("root", Role::Admin).unwrap().1;
        Desk {
            app: router(kb.clone(), ServeOptions::default()),
            kb,
            editor,
            admin,
            _dir: dir,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(key) = key {
            req = req.header("authorization", format!("Bearer {key}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        crate::openapi::check(method.as_str(), path, status, &ctype, &bytes);
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    /// An editor's POST of `body` to `path`, which must answer `expect`.
    async fn editor_post(&self, path: &str, body: Value, expect: u16) -> Value {
        let (status, out) = self
            .call(Method::POST, path, Some(&self.editor), Some(body))
            .await;
        assert_eq!(status, expect, "{out}");
        out
    }

    async fn send(&self, body: Value) -> Value {
        self.editor_post("/api/v1/posts", body, 200).await
    }

    async fn post(&self, text: &str) -> Value {
        self.send(json!({ "text": text })).await
    }

    fn score(&self, text: &str, claim: &str) -> f32 {
        let matches = self
            .kb
            .match_post(&debunk::matcher::Request {
                text,
                url: None,
                lang: None,
                top: 20,
                posted_at: None,
            })
            .unwrap();
        matches
            .iter()
            .find(|m| m.claim_id == claim)
            .map_or(0.0, |m| m.score)
    }

    fn secret(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            _ => &self.editor,
        }
    }

    async fn put_settings(&self, settings: Value) {
        let (status, body) = self
            .call(
                Method::PUT,
                "/api/v1/settings",
                Some(self.secret(Role::Admin)),
                Some(settings),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    async fn decide(&self, link: i64, what: &str) -> (u16, Value) {
        let path = format!("/api/v1/links/{link}/{what}");
        self.call(
            Method::POST,
            &path,
            Some(&self.editor),
            Some(json!({"note": "checked"})),
        )
        .await
    }
}

/// The id of the post's link to `claim`, if it has one.
fn link_to(outcome: &Value, claim: &str) -> Option<(i64, String)> {
    outcome["links"].as_array().unwrap().iter().find_map(|l| {
        (l["claim_id"] == claim).then(|| {
            (
                l["id"].as_i64().unwrap(),
                l["status"].as_str().unwrap().to_string(),
            )
        })
    })
}

#[tokio::test]
async fn a_post_seen_again_is_one_post_with_a_count_and_its_platforms() {
    let desk = Desk::new();
    let first = desk
        .send(
            json!({"text": DARIJA_POST, "url": "https://www.tiktok.com/@x/video/77?utm_source=a"}),
        )
        .await;
    assert_eq!(first["seen"], 1);
    // The same words, spaced and cased differently, from another platform.
    let spaced = format!("  {}  ", DARIJA_POST.replace(' ', "   "));
    let again = desk
        .send(json!({"text": spaced, "platform": "facebook"}))
        .await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["seen"], 2);
    // Other words under the same canonical URL.
    let same_url = desk
        .send(json!({"text": "another caption", "url": "https://tiktok.com/@x/video/77"}))
        .await;
    assert_eq!(same_url["id"], first["id"]);
    assert_eq!(same_url["seen"], 3);
    let id = first["id"].as_i64().unwrap();
    let (status, post) = desk
        .call(Method::GET, &format!("/api/v1/posts/{id}"), None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(post["seen"], 3);
    assert_eq!(post["platforms"], json!(["tiktok", "facebook"]));
    assert_eq!(post["url"], "https://tiktok.com/@x/video/77");
    assert!(post["first_seen"].as_str().unwrap() <= post["last_seen"].as_str().unwrap());
    // A different post is a new one.
    let other = desk
        .send(json!({"text": "a different post about the weather in Rabat"}))
        .await;
    assert_ne!(other["id"], first["id"]);
}

#[tokio::test]
async fn a_post_repeating_a_claim_gets_a_suggested_link_that_keeps_its_evidence() {
    let desk = Desk::new();
    let out = desk.post(DARIJA_POST).await;
    let (link, status) = link_to(&out, TATA).expect("a link to the Tata claim");
    assert_eq!(status, "suggested");
    let (code, got) = desk
        .call(Method::GET, &format!("/api/v1/links/{link}"), None, None)
        .await;
    assert_eq!(code, 200);
    assert_eq!(got["band"], "possible");
    assert!(got["score"].as_f64().unwrap() >= 0.3);
    let terms = got["explanation"]["terms"].as_array().unwrap();
    assert!(terms.iter().any(|t| t == "طاطا"), "{got}");
    assert!(got["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "text"));
    assert!(got.get("decided_by").is_none());
    let (code, listed) = desk
        .call(
            Method::GET,
            &format!("/api/v1/links?status=suggested&claim={TATA}"),
            None,
            None,
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (code, _) = desk
        .call(Method::GET, "/api/v1/links?status=maybe", None, None)
        .await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn a_decision_records_who_and_when_and_a_second_one_is_a_conflict() {
    let desk = Desk::new();
    let (link, _) = link_to(&desk.post(DARIJA_POST).await, TATA).unwrap();
    // Without a key, or with a stale version, nothing is decided.
    let path = format!("/api/v1/links/{link}/confirm");
    assert_eq!(desk.call(Method::POST, &path, None, None).await.0, 401);
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header("authorization", format!("Bearer {}", desk.editor))
        .header("if-match", "\"7\"")
        .body(Body::empty())
        .unwrap();
    let res = desk.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status().as_u16(), 412);
    let (code, confirmed) = desk.decide(link, "confirm").await;
    assert_eq!(code, 200, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["decided_by"], "amina");
    assert_eq!(confirmed["note"], "checked");
    assert!(confirmed["decided_at"].is_string());
    let (code, problem) = desk.decide(link, "reject").await;
    assert_eq!(code, 409, "{problem}");
    let (_, still) = desk
        .call(Method::GET, &format!("/api/v1/links/{link}"), None, None)
        .await;
    assert_eq!(still["status"], "confirmed");
    // The confirmation made the post an appearance of the claim.
    let (_, appearances) = desk
        .call(
            Method::GET,
            &format!("/api/v1/claims/{TATA}/appearances"),
            None,
            None,
        )
        .await;
    assert!(appearances
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["text"] == DARIJA_POST));
}

#[tokio::test]
async fn none_of_these_rejects_every_suggestion_of_a_post() {
    let desk = Desk::new();
    desk.put_settings(json!({"suggest_at": 0.0001})).await;
    let out = desk.post(DARIJA_POST).await;
    let id = out["id"].as_i64().unwrap();
    assert!(out["links"].as_array().unwrap().len() > 1, "{out}");
    let (code, rejected) = desk
        .call(
            Method::POST,
            &format!("/api/v1/posts/{id}/reject-all"),
            Some(&desk.editor),
            None,
        )
        .await;
    assert_eq!(code, 200, "{rejected}");
    assert_eq!(
        rejected.as_array().unwrap().len(),
        out["links"].as_array().unwrap().len()
    );
    let (_, open) = desk
        .call(
            Method::GET,
            &format!("/api/v1/links?post={id}&status=suggested"),
            None,
            None,
        )
        .await;
    assert_eq!(open, json!([]));
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/posts/999/reject-all",
            Some(&desk.editor),
            None,
        )
        .await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn thresholds_are_set_by_an_admin_and_suggest_may_not_exceed_confirm() {
    let desk = Desk::new();
    // The thresholds are the moderators' business: no anonymous reading.
    let (code, _) = desk.call(Method::GET, "/api/v1/settings", None, None).await;
    assert_eq!(code, 401);
    let (code, defaults) = desk
        .call(Method::GET, "/api/v1/settings", Some(&desk.editor), None)
        .await;
    assert_eq!(code, 200);
    assert!(
        defaults["confirm_at"].is_null(),
        "automatic confirmation is off by default"
    );
    let put = |key: &'static str, body: Value| {
        let desk = &desk;
        async move {
            let key = if key == "admin" {
                &desk.admin
            } else {
                &desk.editor
            };
            desk.call(Method::PUT, "/api/v1/settings", Some(key), Some(body))
                .await
                .0
        }
    };
    assert_eq!(put("editor", json!({"suggest_at": 0.5})).await, 403);
    assert_eq!(
        put("admin", json!({"suggest_at": 0.8, "confirm_at": 0.5})).await,
        400
    );
    assert_eq!(
        put("admin", json!({"suggest_at": 0.4, "confirm_at": 0.95})).await,
        200
    );
    let (_, now) = desk
        .call(Method::GET, "/api/v1/settings", Some(&desk.admin), None)
        .await;
    assert_eq!(now, json!({"suggest_at": 0.4, "confirm_at": 0.95}));
}

#[tokio::test]
async fn automatic_confirmation_skips_posts_that_are_only_a_url() {
    let desk = Desk::new();
    desk.put_settings(json!({"suggest_at": 0.3, "confirm_at": 0.3}))
        .await;
    let (_, status) = link_to(&desk.post(DARIJA_POST).await, TATA).unwrap();
    assert_eq!(status, "confirmed");
    // Only the fact-check's own URL: a match, never confirmed without a person.
    let claim = desk.kb.get_claim(TATA).unwrap();
    let url_only = desk.post(claim.url.as_deref().unwrap()).await;
    let (_, status) = link_to(&url_only, TATA).expect("the URL matches the claim");
    assert_eq!(status, "suggested");
    let (_, audit) = desk
        .call(Method::GET, "/api/v1/audit?entity=link", None, None)
        .await;
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["actor"] == "auto"));
}

#[tokio::test]
async fn a_confirmed_post_makes_its_arabizi_paraphrase_match_the_claim() {
    let desk = Desk::new();
    // At the folder's default thresholds.
    let suggest_at = debunk::matcher::model::POSSIBLE_AT;
    let before = desk.score(ARABIZI_POST, TATA);
    assert!(
        before < suggest_at,
        "the paraphrase matched before: {before}"
    );
    let out = desk.post(ARABIZI_POST).await;
    assert!(link_to(&out, TATA).is_none(), "suggested before: {out}");
    let (link, _) = link_to(&desk.post(DARIJA_POST).await, TATA).unwrap();
    assert_eq!(desk.decide(link, "confirm").await.0, 200);
    let after = desk.score(ARABIZI_POST, TATA);
    assert!(
        after >= suggest_at,
        "the paraphrase does not match after: {after}"
    );
    let out = desk.post(ARABIZI_POST).await;
    let (_, status) = link_to(&out, TATA).expect("the paraphrase is suggested");
    assert_eq!(status, "suggested");
}

#[test]
fn a_rejected_pair_is_not_suggested_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let post = debunk::store::NewPost {
        text: DARIJA_POST.into(),
        ..Default::default()
    };
    {
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        kb.seed_if_new().unwrap();
        let out = kb.ingest_post(post.clone(), "cli").unwrap();
        let link = out.links.iter().find(|l| l.claim_id == TATA).unwrap();
        kb.decide_link(
            link.id,
            debunk::store::Decision {
                status: debunk::store::LinkStatus::Rejected,
                actor: "cli".into(),
                note: None,
                if_version: None,
            },
        )
        .unwrap();
    }
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    // A re-sent copy is matched again, and the pair stays rejected.
    let resent = debunk::store::NewPost {
        text: format!("{DARIJA_POST} "),
        ..post
    };
    let out = kb.ingest_post(resent, "cli").unwrap();
    assert_eq!(out.seen, 2);
    let to_tata: Vec<_> = out.links.iter().filter(|l| l.claim_id == TATA).collect();
    assert_eq!(to_tata.len(), 1);
    assert_eq!(to_tata[0].status, debunk::store::LinkStatus::Rejected);
    let queue = kb.review(&debunk::store::ReviewFilter::default()).unwrap();
    assert!(queue.iter().all(|i| i.link.claim_id != TATA));
}

#[test]
fn two_moderators_deciding_one_link_at_once_one_wins_and_the_other_gets_409() {
    let data = tempfile::tempdir().unwrap();
    let keys: Vec<String> = ["amina", "youssef"]
        .iter()
        .map(|name| {
            crate::common::make_key(data.path(), "editor", name)["secret"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let (_server, addr) = crate::serve::start(data.path());
    let auth = format!("Bearer {}", keys[0]);
    let body = json!({"text": DARIJA_POST}).to_string();
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, _, out) = crate::serve::request(&addr, "POST", "/api/v1/posts", &headers, &body);
    assert_eq!(status, 200, "{out}");
    let out: Value = serde_json::from_str(&out).unwrap();
    let (link, _) = link_to(&out, TATA).unwrap();
    let decisions: Vec<_> = keys
        .iter()
        .zip(["confirm", "reject"])
        .map(|(key, what)| {
            let (addr, key) = (addr.clone(), key.clone());
            std::thread::spawn(move || {
                let auth = format!("Bearer {key}");
                let path = format!("/api/v1/links/{link}/{what}");
                crate::serve::request(&addr, "POST", &path, &[("authorization", &auth)], "").0
            })
        })
        .collect();
    let mut codes: Vec<u16> = decisions.into_iter().map(|t| t.join().unwrap()).collect();
    codes.sort_unstable();
    assert_eq!(codes, vec![200, 409]);
    let (_, _, got) = crate::serve::get(&addr, &format!("/api/v1/links/{link}"));
    let got: Value = serde_json::from_str(&got).unwrap();
    let (_, _, audit) = crate::serve::get(&addr, &format!("/api/v1/audit?entity=link&id={link}"));
    let audit: Value = serde_json::from_str(&audit).unwrap();
    // One creation, one decision: the loser wrote nothing.
    assert_eq!(audit.as_array().unwrap().len(), 2, "{audit}");
    assert_eq!(audit[1]["actor"], got["decided_by"]);
}

#[tokio::test]
async fn the_review_queue_shows_the_post_its_spread_and_the_claim_with_its_verdict() {
    let desk = Desk::new();
    let tiktok = "https://www.tiktok.com/@x/video/1";
    let once = desk.send(json!({"text": DARIJA_POST, "url": tiktok})).await;
    desk.send(json!({"text": DARIJA_POST, "platform": "facebook"}))
        .await;
    let claim = desk.kb.get_claim(TATA).unwrap();
    let other = desk
        .send(json!({"text": format!("{} ?", claim.text), "lang": "ar"}))
        .await;
    assert_ne!(once["id"], other["id"]);
    let (code, queue) = desk
        .call(Method::GET, "/api/v1/review?sort=most_seen", None, None)
        .await;
    assert_eq!(code, 200);
    let first = &queue[0];
    assert_eq!(first["post"]["id"], once["id"]);
    assert_eq!(first["post"]["seen"], 2);
    assert_eq!(first["post"]["platforms"], json!(["tiktok", "facebook"]));
    assert_eq!(first["link"]["status"], "suggested");
    assert_eq!(first["claim"]["id"], TATA);
    assert!(first["claim"]["verdict"].is_string(), "{first}");
    assert!(first["link"]["explanation"]["terms"].is_array());
    let (_, on_facebook) = desk
        .call(Method::GET, "/api/v1/review?platform=facebook", None, None)
        .await;
    let posts: Vec<&Value> = on_facebook
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["post"]["id"])
        .collect();
    assert!(posts.iter().all(|p| **p == once["id"]), "{on_facebook}");
    let (_, future) = desk
        .call(Method::GET, "/api/v1/review?since=2999-01-01", None, None)
        .await;
    assert_eq!(future, json!([]));
    let (code, _) = desk
        .call(Method::GET, "/api/v1/review?sort=loudest", None, None)
        .await;
    assert_eq!(code, 400);
}

#[tokio::test]
async fn a_narrative_groups_claims_and_shows_its_posts_on_a_timeline() {
    let desk = Desk::new();
    let body = json!({
        "title": "Tata floods: old videos as new",
        "description": "Videos of past floods passed off as the September 2024 floods",
        "event_date": "2024-09-07",
        "event_end": "2024-09-10",
        "place": "Tata, Morocco",
        "claims": [TATA]
    });
    let (code, made) = desk
        .call(Method::POST, "/api/v1/narratives", None, Some(body.clone()))
        .await;
    assert_eq!(code, 401, "{made}");
    // An event date must be a calendar day, written YYYY-MM-DD.
    for bad in ["31/31/2020", "2024-02-30", "yesterday-ish"] {
        let mut odd = body.clone();
        odd["event_date"] = json!(bad);
        let (code, problem) = desk
            .call(
                Method::POST,
                "/api/v1/narratives",
                Some(&desk.editor),
                Some(odd),
            )
            .await;
        assert_eq!(code, 400, "{bad}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"));
    }
    let (_, none) = desk
        .call(Method::GET, "/api/v1/narratives", None, None)
        .await;
    assert_eq!(none, json!([]));
    let (code, made) = desk
        .call(
            Method::POST,
            "/api/v1/narratives",
            Some(&desk.editor),
            Some(body),
        )
        .await;
    assert_eq!(code, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(made["status"], "active");
    assert_eq!(made["claims"][0]["id"], TATA);
    assert_eq!(
        desk.kb.get_claim(TATA).unwrap().narrative.as_deref(),
        Some(id.as_str())
    );
    desk.send(json!({"text": DARIJA_POST, "url": "https://www.tiktok.com/@x/video/9", "posted_at": "2024-09-08T10:00:00Z"}))
        .await;
    let (code, view) = desk
        .call(Method::GET, &format!("/api/v1/narratives/{id}"), None, None)
        .await;
    assert_eq!(code, 200);
    assert_eq!(view["posts"][0]["text"], DARIJA_POST);
    assert_eq!(
        view["timeline"],
        json!([{"day": "2024-09-08", "platform": "tiktok", "posts": 1}])
    );
    // A patch changes fields; an empty claims list empties the narrative.
    let req = Request::builder()
        .method(Method::PATCH)
        .uri(format!("/api/v1/narratives/{id}"))
        .header("authorization", format!("Bearer {}", desk.editor))
        .header("content-type", "application/merge-patch+json")
        .body(Body::from(
            json!({"status": "dormant", "claims": []}).to_string(),
        ))
        .unwrap();
    let res = desk.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(desk.kb.get_claim(TATA).unwrap().narrative.is_none());
    let (_, list) = desk
        .call(Method::GET, "/api/v1/narratives", None, None)
        .await;
    assert_eq!(list[0]["status"], "dormant");
    // Every change is in the audit trail, the claim's included.
    let (_, trail) = desk
        .call(
            Method::GET,
            &format!("/api/v1/audit?entity=narrative&id={id}"),
            None,
            None,
        )
        .await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(trail[1]["before"]["status"], "active");
    assert_eq!(trail[1]["after"]["status"], "dormant");
    let (_, claim_trail) = desk
        .call(
            Method::GET,
            &format!("/api/v1/audit?entity=claim&id={TATA}"),
            None,
            None,
        )
        .await;
    assert_eq!(claim_trail.as_array().unwrap().len(), 2);
    assert_eq!(claim_trail[0]["after"]["narrative"], id.as_str());
    assert_eq!(claim_trail[0]["actor"], "amina");
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/narratives",
            Some(&desk.editor),
            Some(json!({"title": "x", "claims": ["no-such"]})),
        )
        .await;
    assert_eq!(code, 400);
    let (code, _) = desk
        .call(
            Method::DELETE,
            &format!("/api/v1/narratives/{id}"),
            Some(&desk.editor),
            None,
        )
        .await;
    assert_eq!(code, 204);
    let (code, _) = desk
        .call(Method::GET, &format!("/api/v1/narratives/{id}"), None, None)
        .await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn a_decision_shows_in_the_links_history_with_before_and_after() {
    let desk = Desk::new();
    let (link, _) = link_to(&desk.post(DARIJA_POST).await, TATA).unwrap();
    desk.decide(link, "reject").await;
    let (_, trail) = desk
        .call(
            Method::GET,
            &format!("/api/v1/audit?entity=link&id={link}"),
            None,
            None,
        )
        .await;
    assert_eq!(trail.as_array().unwrap().len(), 2, "{trail}");
    assert_eq!(trail[1]["action"], "rejected");
    assert_eq!(trail[1]["actor"], "amina");
    assert_eq!(trail[1]["before"]["status"], "suggested");
    assert_eq!(trail[1]["after"]["status"], "rejected");
    assert_eq!(trail[1]["after"]["note"], "checked");
}

/// A data folder as the code before moderation left it: the first two
/// migrations, and rows written the way that code wrote them.
fn old_folder(dir: &std::path::Path, secret: &str) {
    let conn = rusqlite::Connection::open(debunk::kb::store_path(dir)).unwrap();
    conn.execute_batch(include_str!("../../schema/001_claims.sql"))
        .unwrap();
    conn.execute_batch(include_str!("../../schema/002_api_keys.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    let at = "2024-09-14T00:00:00Z";
    for (id, text) in [
        ("old-1", "Floods in Tata were filmed in 2019, not this week"),
        ("old-2", "فيديو قديم لفيضانات في المغرب"),
    ] {
        conn.execute(
            "INSERT INTO claim (id, text, lang, verdict, tags, version, created_at, updated_at)
             VALUES (?1, ?2, NULL, 'false', '[\"floods\"]', 1, ?3, ?3)",
            rusqlite::params![id, text, at],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO change (claim_id, op, at) VALUES (?1, 'upsert', ?2)",
            rusqlite::params![id, at],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO appearance (claim_pk, position, url, platform, text, first_seen)
         VALUES (1, 0, 'https://x.com/a/status/1', 'x', 'the flood video', ?1)",
        [at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO api_key (id, name, role, hash, created_at) VALUES ('k1', 'desk', 'editor', ?1, ?2)",
        rusqlite::params![debunk::keys::hash_secret(secret), at],
    )
    .unwrap();
}

#[test]
fn a_data_folder_from_before_moderation_upgrades_with_every_claim_key_and_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "dbk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    old_folder(dir.path(), secret);
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.store().count_claims().unwrap(), 2);
    let old = kb.get_claim("old-1").unwrap();
    assert_eq!(old.tags, ["floods"]);
    assert_eq!(old.appearances.len(), 1);
    assert_eq!(old.appearances[0].text.as_deref(), Some("the flood video"));
    assert_eq!(
        kb.get_claim("old-2").unwrap().text,
        "فيديو قديم لفيضانات في المغرب"
    );
    let key = kb
        .store()
        .key_for_secret(secret)
        .unwrap()
        .expect("the key still opens");
    assert_eq!(key.name, "desk");
    assert_eq!(
        kb.store()
            .claims_with_url("https://x.com/a/status/1")
            .unwrap(),
        ["old-1"]
    );
    assert_eq!(crate::common::top_ids(&kb, "flood Tata", 1), ["old-1"]);
    // And the new tables work on it.
    let out = kb
        .ingest_post(
            debunk::store::NewPost {
                text: "the floods in Tata were filmed in 2019".into(),
                ..Default::default()
            },
            "cli",
        )
        .unwrap();
    assert_eq!(out.seen, 1);
    drop(kb);
    // Opening again applies nothing twice.
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    assert_eq!(kb.store().count_claims().unwrap(), 2);
    assert_eq!(kb.get_post(out.id).unwrap().seen, 1);
}

/// A data folder with the seed data, as the CLI finds it.
fn seeded_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    KnowledgeBase::open(&data).unwrap().seed_if_new().unwrap();
    (dir, data)
}

#[test]
fn the_cli_imports_posts_decides_links_makes_narratives_and_shows_the_audit() {
    use crate::common::{debunk, json, stderr, stdout};
    let (dir, data) = seeded_folder();
    let file = dir.path().join("posts.jsonl");
    let lines = [
        json!({"text": DARIJA_POST, "url": "https://www.tiktok.com/@x/video/5", "platform": "tiktok", "author": "@x", "lang": "ar", "posted_at": "2024-09-08"}).to_string(),
        "{not json".to_string(),
        json!({"text": DARIJA_POST, "platform": "facebook"}).to_string(),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = debunk(&data, &["posts", "import", file.to_str().unwrap()]);
    let report = json(&out);
    assert_eq!(report["read"], 2);
    assert_eq!(report["new"], 1);
    assert_eq!(report["errors"][0]["line"], 2);
    assert!(stderr(&out).contains("posts.jsonl:2:"), "{}", stderr(&out));
    let listed = json(&debunk(
        &data,
        &["links", "list", "--status", "suggested", "--claim", TATA],
    ));
    let link = listed["id"].as_i64().unwrap().to_string();
    let confirmed = json(&debunk(
        &data,
        &["links", "confirm", &link, "--note", "same video"],
    ));
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["decided_by"], "cli");
    let again = debunk(&data, &["links", "reject", &link]);
    assert!(!again.status.success());
    let err = stderr(&again);
    // One line, besides the log's warnings (no embedding model here).
    let said: Vec<&str> = err.lines().filter(|l| !l.contains(" WARN ")).collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(err.contains("confirmed already"), "{err}");
    let made = json(&debunk(
        &data,
        &[
            "narratives",
            "create",
            "--title",
            "Tata floods",
            "--claim",
            TATA,
            "--place",
            "Tata",
        ],
    ));
    assert_eq!(made["claims"][0]["id"], TATA);
    let list = json(&debunk(&data, &["narratives", "list"]));
    assert_eq!(list["id"], made["id"]);
    let audit = stdout(&debunk(
        &data,
        &["audit", "--entity", "link", "--id", &link],
    ));
    let actions: Vec<String> = audit
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(actions, ["create", "confirmed"]);
}

#[tokio::test]
async fn every_claim_write_through_the_api_is_audited_with_the_keys_name() {
    let desk = Desk::new();
    let claim = json!({"id": "t-1", "text": "Test claim: the zorblax fence moved on the 15th", "lang": "en"});
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/claims",
            Some(&desk.editor),
            Some(claim),
        )
        .await;
    assert_eq!(code, 201);
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/claims/t-1/appearances",
            Some(&desk.editor),
            Some(json!({"text": "zorblax fence video"})),
        )
        .await;
    assert_eq!(code, 201);
    let (code, _) = desk
        .call(
            Method::DELETE,
            "/api/v1/claims/t-1",
            Some(&desk.editor),
            None,
        )
        .await;
    assert_eq!(code, 204);
    let (_, trail) = desk
        .call(Method::GET, "/api/v1/audit?entity=claim&id=t-1", None, None)
        .await;
    let trail = trail.as_array().unwrap();
    let actions: Vec<&str> = trail
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert!(trail.iter().all(|a| a["actor"] == "amina"));
    assert!(trail[0].get("before").is_none());
    assert_eq!(
        trail[1]["after"]["appearances"][0]["text"],
        "zorblax fence video"
    );
    assert!(trail[2].get("after").is_none());
    assert_eq!(trail[2]["before"]["id"], "t-1");
}

#[tokio::test]
async fn a_batch_of_posts_answers_one_line_per_line_in_order() {
    let desk = Desk::new();
    let body = [
        json!({"text": DARIJA_POST, "platform": "tiktok"}).to_string(),
        "{broken".to_string(),
        json!({"text": DARIJA_POST, "platform": "x"}).to_string(),
    ]
    .join("\n");
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/posts/batch")
        .header("authorization", format!("Bearer {}", desk.editor))
        .header("content-type", "application/x-ndjson")
        .body(Body::from(body))
        .unwrap();
    let res = desk.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    crate::openapi::check(
        "POST",
        "/api/v1/posts/batch",
        200,
        "application/x-ndjson",
        &bytes,
    );
    let lines: Vec<Value> = String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["seen"], 1);
    assert!(link_to(&lines[0], TATA).is_some());
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["id"], lines[0]["id"]);
    assert_eq!(lines[2]["seen"], 2);
    let (code, _) = desk
        .call(Method::POST, "/api/v1/posts/batch", None, None)
        .await;
    assert_eq!(code, 401);
}

#[tokio::test]
async fn a_bulk_decision_is_all_or_nothing() {
    let desk = Desk::new();
    desk.put_settings(json!({"suggest_at": 0.0001})).await;
    let police = desk.kb.get_claim("cr-1539e91658612e9d").unwrap().text;
    let mut ids: Vec<i64> = Vec::new();
    for text in [DARIJA_POST, police.as_str()] {
        let out = desk.post(text).await;
        ids.extend(
            out["links"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_i64().unwrap()),
        );
    }
    assert!(ids.len() >= 3, "{ids:?}");
    let bulk =
        |ids: &[i64], status: &str| json!({"ids": ids, "status": status, "note": "same story"});
    let (code, done) = desk
        .call(
            Method::POST,
            "/api/v1/links/decide",
            Some(&desk.editor),
            Some(bulk(&ids[..2], "rejected")),
        )
        .await;
    assert_eq!(code, 200, "{done}");
    assert!(done
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["status"] == "rejected"));
    // One decided already: nothing is decided.
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/links/decide",
            Some(&desk.editor),
            Some(bulk(&ids[1..3], "confirmed")),
        )
        .await;
    assert_eq!(code, 409);
    let (_, third) = desk
        .call(
            Method::GET,
            &format!("/api/v1/links/{}", ids[2]),
            None,
            None,
        )
        .await;
    assert_eq!(third["status"], "suggested");
    let (code, _) = desk
        .call(
            Method::POST,
            "/api/v1/links/decide",
            Some(&desk.editor),
            Some(bulk(&ids[2..3], "suggested")),
        )
        .await;
    assert_eq!(code, 400);
}

/// A seed fact-check (Misbar) on another story: Egypt did not close the
/// Syrian embassy in Cairo.
const EMBASSY: &str = "cr-8fd67a1fea560a90";

#[tokio::test]
async fn searching_and_matching_keep_to_one_narrative_when_asked() {
    let desk = Desk::new();
    let narrative = |title: &str, claim: &str| {
        let body = json!({"title": title, "claims": [claim]});
        desk.editor_post("/api/v1/narratives", body, 201)
    };
    let floods = narrative("Tata floods: old videos as new", TATA).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let embassy = narrative("Syrian embassy in Cairo", EMBASSY).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, all) = desk
        .call(Method::GET, "/api/v1/claims?limit=5", None, None)
        .await;
    assert_eq!(code, 200);
    assert!(all["total"].as_u64().unwrap() > 400, "{}", all["total"]);
    let (code, one) = desk
        .call(
            Method::GET,
            &format!("/api/v1/claims?narrative={floods}"),
            None,
            None,
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(one["total"], 1);
    assert_eq!(one["hits"][0]["id"], TATA);
    let matching = |narrative: Option<String>| {
        let mut body = json!({"text": DARIJA_POST, "top": 3});
        if let Some(n) = narrative {
            body["narrative"] = json!(n);
        }
        let desk = &desk;
        async move {
            let (code, out) = desk
                .call(Method::POST, "/api/v1/match", None, Some(body))
                .await;
            assert_eq!(code, 200, "{out}");
            out["matches"].as_array().unwrap().clone()
        }
    };
    // A match says which narrative its claim belongs to.
    let open = matching(None).await;
    assert_eq!(open[0]["claim_id"], TATA);
    assert_eq!(open[0]["claim"]["narrative"], floods.as_str());
    let inside = matching(Some(floods.clone())).await;
    assert_eq!(inside.len(), 1, "{inside:?}");
    assert_eq!(inside[0]["claim_id"], TATA);
    let elsewhere = matching(Some(embassy)).await;
    assert!(
        elsewhere.iter().all(|m| m["claim_id"] == EMBASSY),
        "{elsewhere:?}"
    );
    let (code, problem) = desk
        .call(
            Method::POST,
            "/api/v1/match",
            None,
            Some(json!({"text": DARIJA_POST, "narrative": "no-such"})),
        )
        .await;
    assert_eq!(code, 404, "{problem}");
}

#[test]
fn the_cli_works_the_review_queue_settings_and_a_narratives_whole_life() {
    use crate::common::{debunk, json, stderr, stdout};
    let (dir, data) = seeded_folder();
    let file = dir.path().join("posts.jsonl");
    let post = json!({"text": DARIJA_POST, "platform": "tiktok"}).to_string();
    std::fs::write(&file, format!("{post}\n{post}\n")).unwrap();
    json(&debunk(&data, &["posts", "import", file.to_str().unwrap()]));
    // The queue: the post once, seen twice, with the claim and its verdict.
    let queue = stdout(&debunk(&data, &["review", "--sort", "most_seen"]));
    let first: Value = serde_json::from_str(queue.lines().next().unwrap()).unwrap();
    assert_eq!(first["post"]["seen"], 2, "{first}");
    assert_eq!(first["claim"]["id"], TATA);
    assert_eq!(first["claim"]["verdict"], "misleading");
    let post_id = first["post"]["id"].as_i64().unwrap();
    let shown = json(&debunk(&data, &["posts", "show", &post_id.to_string()]));
    assert_eq!(shown["text"], DARIJA_POST);
    // Bad thresholds are refused in one line, and nothing changes.
    let before = json(&debunk(&data, &["settings"]));
    let bad = debunk(
        &data,
        &["settings", "--suggest-at", "0.8", "--confirm-at", "0.5"],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("confirm_at"), "{}", stderr(&bad));
    assert_eq!(json(&debunk(&data, &["settings"])), before);
    let set = json(&debunk(
        &data,
        &["settings", "--suggest-at", "0.4", "--confirm-at", "0.9"],
    ));
    assert_eq!(set, json!({"suggest_at": 0.4, "confirm_at": 0.9}));
    let off = json(&debunk(&data, &["settings", "--confirm-at", "off"]));
    assert_eq!(off, json!({"suggest_at": 0.4, "confirm_at": null}));
    // "None of these" empties the post's suggestions.
    let rejected = stdout(&debunk(
        &data,
        &["links", "reject-all", "--post", &post_id.to_string()],
    ));
    assert!(rejected.lines().count() >= 1, "{rejected}");
    assert_eq!(stdout(&debunk(&data, &["review"])).trim(), "");
    // A narrative made, shown, changed, emptied and deleted.
    let made = json(&debunk(
        &data,
        &[
            "narratives",
            "create",
            "--title",
            "Tata floods",
            "--claim",
            TATA,
        ],
    ));
    let id = made["id"].as_str().unwrap();
    let changed = json(&debunk(
        &data,
        &[
            "narratives",
            "update",
            id,
            "--status",
            "dormant",
            "--place",
            "Tata",
        ],
    ));
    assert_eq!(changed["status"], "dormant");
    assert_eq!(changed["place"], "Tata");
    assert_eq!(changed["claims"][0]["id"], TATA);
    let emptied = json(&debunk(&data, &["narratives", "update", id, "--no-claims"]));
    assert_eq!(emptied["claims"], json!([]));
    let nothing = debunk(&data, &["narratives", "update", id]);
    assert!(!nothing.status.success());
    assert!(stderr(&nothing).contains("nothing to change"));
    let shown = json(&debunk(&data, &["narratives", "show", id]));
    assert_eq!(shown["title"], "Tata floods");
    assert!(debunk(&data, &["narratives", "delete", id])
        .status
        .success());
    let gone = debunk(&data, &["narratives", "show", id]);
    assert!(!gone.status.success());
    assert!(
        stderr(&gone).contains("no narrative") || stderr(&gone).contains("not found"),
        "{}",
        stderr(&gone)
    );
}
