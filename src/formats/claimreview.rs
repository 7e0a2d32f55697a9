//! schema.org ClaimReview JSON-LD, both ways.
//!
//! Reading accepts a ClaimReview node, a list of them, an `@graph` (other
//! node types in it are skipped), or a Data Commons `DataFeed`
//! (`dataFeedElement[].item[]`). Writing produces one ClaimReview node per
//! claim; the normalized verdict travels as `reviewRating.name` so that a
//! debunk export reads back exactly.

use serde_json::{json, Map, Value};

use super::value::{node, text_of};
use super::{derive_id, normalize_date};
use crate::model::{Appearance, Claim};
use crate::verdict::Verdict;

/// The ClaimReview records inside one JSON-LD node (or list of nodes).
pub fn expand(value: Value) -> Vec<Result<Claim, String>> {
    let mut out = Vec::new();
    expand_into(value, &mut out);
    out
}

fn expand_into(value: Value, out: &mut Vec<Result<Claim, String>>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| expand_into(v, out)),
        Value::Object(mut o) => {
            for key in ["@graph", "dataFeedElement", "item"] {
                if let Some(inner) = o.remove(key) {
                    if !o.contains_key("claimReviewed") {
                        expand_into(inner, out);
                        return;
                    }
                    o.insert(key.to_owned(), inner);
                }
            }
            if o.contains_key("claimReviewed") || has_type(&o, "ClaimReview") {
                out.push(claim_from_review(o));
            } else if !o.contains_key("@type") {
                out.push(Err("not a ClaimReview: no \"claimReviewed\"".to_owned()));
            }
            // Other typed nodes (WebPage, Organization, ...) belong to the
            // graph's context, not to the records.
        }
        _ => out.push(Err("expected a JSON object".to_owned())),
    }
}

fn has_type(o: &Map<String, Value>, name: &str) -> bool {
    let is = |v: &Value| {
        v.as_str().is_some_and(|t| {
            t == name || t.ends_with(&format!("/{name}")) || t.ends_with(&format!(":{name}"))
        })
    };
    match o.get("@type") {
        Some(Value::Array(types)) => types.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

/// One ClaimReview node into a claim; the node is kept as `raw`.
pub fn claim_from_review(o: Map<String, Value>) -> Result<Claim, String> {
    let text = o
        .get("claimReviewed")
        .and_then(text_of)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "claimReviewed is empty".to_owned())?;
    let get = |k: &str| o.get(k).and_then(text_of);
    let url = o.get("url").and_then(Value::as_str).map(str::to_owned);
    let mut claim = Claim {
        id: get("identifier").unwrap_or_else(|| derive_id(url.as_deref(), &text)),
        title: get("headline").or_else(|| get("name")),
        subtitle: get("alternativeHeadline"),
        summary: get("reviewBody").or_else(|| get("description")),
        lang: o
            .get("inLanguage")
            .and_then(|v| {
                node(Some(v))
                    .and_then(|n| n.get("alternateName"))
                    .or(Some(v))
            })
            .and_then(text_of)
            .map(|l| l.to_lowercase()),
        review_date: get("datePublished").map(|d| normalize_date(&d)),
        tags: keywords(o.get("keywords")),
        url,
        text,
        ..Claim::default()
    };
    if let Some(author) = o.get("author") {
        claim.publisher = node(Some(author))
            .and_then(|a| a.get("name"))
            .and_then(text_of)
            .or_else(|| author.as_str().map(str::to_owned));
        claim.publisher_site = node(Some(author))
            .and_then(|a| a.get("url"))
            .and_then(Value::as_str)
            .map(site_from_url);
    }
    if let Some(rating) = node(o.get("reviewRating")) {
        read_rating(rating, &mut claim);
    }
    if let Some(item) = node(o.get("itemReviewed")) {
        claim.claimant = item.get("author").and_then(text_of);
        let first = item.get("firstAppearance");
        claim.claim_date = item
            .get("datePublished")
            .and_then(text_of)
            .or_else(|| {
                node(first)
                    .and_then(|f| f.get("datePublished"))
                    .and_then(text_of)
            })
            .map(|d| normalize_date(&d));
        for v in first.into_iter().chain(list(item.get("appearance"))) {
            if let Some(a) = appearance(v) {
                let seen = a.url.is_some() && claim.appearances.iter().any(|b| b.url == a.url);
                if !seen {
                    claim.appearances.push(a);
                }
            }
        }
    }
    claim.raw = Some(Value::Object(o));
    Ok(claim)
}

/// The verdict, in order of trust: debunk's own normalized name, the rating
/// words, then the rating value on its best/worst scale.
fn read_rating(r: &Map<String, Value>, claim: &mut Claim) {
    let name = r.get("name").and_then(text_of);
    let named = name.as_deref().and_then(Verdict::from_name);
    claim.verdict_text = r
        .get("alternateName")
        .and_then(text_of)
        .or_else(|| name.filter(|_| named.is_none()))
        .or_else(|| r.get("ratingExplanation").and_then(text_of));
    let by_words = claim
        .verdict_text
        .as_deref()
        .map(Verdict::from_rating)
        .filter(|v| *v != Verdict::Other);
    claim.verdict = named
        .or(by_words)
        .or_else(|| by_value(r))
        .or(claim.verdict_text.as_ref().map(|_| Verdict::Other));
}

fn by_value(r: &Map<String, Value>) -> Option<Verdict> {
    let num = |k: &str| match r.get(k)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let value = num("ratingValue")?;
    let best = num("bestRating").unwrap_or(5.0);
    let worst = num("worstRating").unwrap_or(1.0);
    if best <= worst {
        return None;
    }
    let p = ((value - worst) / (best - worst)).clamp(0.0, 1.0);
    Some(match p {
        p if p < 0.125 => Verdict::False,
        p if p < 0.375 => Verdict::MostlyFalse,
        p if p < 0.625 => Verdict::Mixed,
        p if p < 0.875 => Verdict::MostlyTrue,
        _ => Verdict::True,
    })
}

/// The 1 (false) to 5 (true) scale Google's ClaimReview guidance uses, for
/// consumers that only read numbers; verdicts off that scale get none.
fn rating_value(v: Verdict) -> Option<u8> {
    match v {
        Verdict::False => Some(1),
        Verdict::MostlyFalse | Verdict::Misleading => Some(2),
        Verdict::Mixed | Verdict::MissingContext => Some(3),
        Verdict::MostlyTrue => Some(4),
        Verdict::True => Some(5),
        Verdict::Unproven | Verdict::Satire | Verdict::Other => None,
    }
}

fn keywords(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(items)) => items.iter().filter_map(text_of).collect(),
        _ => Vec::new(),
    }
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

fn appearance(v: &Value) -> Option<Appearance> {
    match v {
        Value::String(url) if !url.trim().is_empty() => Some(Appearance {
            url: Some(url.clone()),
            ..Appearance::default()
        }),
        Value::Object(o) => {
            let get = |k: &str| o.get(k).and_then(text_of);
            Some(Appearance {
                url: o
                    .get("url")
                    .or_else(|| o.get("@id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                platform: node(o.get("isPartOf"))
                    .and_then(|p| p.get("name"))
                    .and_then(text_of),
                text: get("text"),
                first_seen: get("datePublished").map(|d| normalize_date(&d)),
            })
        }
        _ => None,
    }
}

/// `https://misbar.com` is stored as the bare site `misbar.com` (the shape
/// the Fact Check Tools API uses); any other URL is kept as given.
fn site_from_url(url: &str) -> String {
    match url.strip_prefix("https://") {
        Some(host) if !host.is_empty() && !host.contains('/') => host.to_owned(),
        _ => url.to_owned(),
    }
}

/// One claim as a schema.org ClaimReview node.
pub fn to_json(c: &Claim) -> Value {
    let mut review = Map::new();
    review.insert("@context".into(), json!("https://schema.org"));
    review.insert("@type".into(), json!("ClaimReview"));
    review.insert("identifier".into(), json!(c.id));
    put(&mut review, "url", &c.url);
    review.insert("claimReviewed".into(), json!(c.text));
    put(&mut review, "headline", &c.title);
    put(&mut review, "alternativeHeadline", &c.subtitle);
    put(&mut review, "reviewBody", &c.summary);
    put(&mut review, "datePublished", &c.review_date);
    // The publisher's tag as given, when the claim is stored under its text's.
    put(
        &mut review,
        "inLanguage",
        &c.lang_tag.clone().or(c.lang.clone()),
    );
    if !c.tags.is_empty() {
        review.insert("keywords".into(), json!(c.tags));
    }
    if c.publisher.is_some() || c.publisher_site.is_some() {
        let mut author = Map::new();
        author.insert("@type".into(), json!("Organization"));
        put(&mut author, "name", &c.publisher);
        let site = c.publisher_site.as_ref().map(|s| {
            if s.contains("://") {
                s.clone()
            } else {
                format!("https://{s}")
            }
        });
        put(&mut author, "url", &site);
        review.insert("author".into(), Value::Object(author));
    }
    if c.verdict.is_some() || c.verdict_text.is_some() {
        let mut rating = Map::new();
        rating.insert("@type".into(), json!("Rating"));
        put(&mut rating, "alternateName", &c.verdict_text);
        if let Some(v) = c.verdict {
            rating.insert("name".into(), json!(v.as_str()));
            if let Some(value) = rating_value(v) {
                rating.insert("ratingValue".into(), json!(value));
                rating.insert("bestRating".into(), json!(5));
                rating.insert("worstRating".into(), json!(1));
            }
        }
        review.insert("reviewRating".into(), Value::Object(rating));
    }
    let mut item = Map::new();
    item.insert("@type".into(), json!("Claim"));
    if let Some(claimant) = &c.claimant {
        item.insert(
            "author".into(),
            json!({"@type": "Person", "name": claimant}),
        );
    }
    put(&mut item, "datePublished", &c.claim_date);
    if !c.appearances.is_empty() {
        let list = c.appearances.iter().map(appearance_json).collect();
        item.insert("appearance".into(), Value::Array(list));
    }
    review.insert("itemReviewed".into(), Value::Object(item));
    Value::Object(review)
}

fn appearance_json(a: &Appearance) -> Value {
    let mut o = Map::new();
    o.insert("@type".into(), json!("CreativeWork"));
    put(&mut o, "url", &a.url);
    put(&mut o, "text", &a.text);
    put(&mut o, "datePublished", &a.first_seen);
    if let Some(platform) = &a.platform {
        o.insert(
            "isPartOf".into(),
            json!({"@type": "WebSite", "name": platform}),
        );
    }
    Value::Object(o)
}

fn put(o: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        o.insert(key.to_owned(), json!(v));
    }
}
