//! The Google Fact Check Tools API response shape:
//! `{"claims": [{text, claimant, claimDate, claimReview: [{publisher:
//! {name, site}, url, title, reviewDate, textualRating, languageCode}]}]}`.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::value::opt_string;
use super::{derive_id, normalize_date};
use crate::model::Claim;
use crate::verdict::Verdict;

/// One API claim into debunk claims: one per review (a claim checked by two
/// organizations is two fact-checks with two verdicts), or one without a
/// review when the record has none. Each keeps, as `raw`, the record with
/// only its own review.
pub fn claims_from_record(value: Value) -> Vec<Result<Claim, String>> {
    let Value::Object(mut record) = value else {
        return vec![Err("expected a JSON object".to_owned())];
    };
    let reviews = match record.remove("claimReview") {
        None | Some(Value::Null) => vec![Value::Object(Map::new())],
        Some(Value::Array(list)) if list.is_empty() => vec![Value::Object(Map::new())],
        Some(Value::Array(list)) => list,
        Some(_) => return vec![Err("expected a list for \"claimReview\"".to_owned())],
    };
    let base = match base_claim(&record) {
        Ok(c) => c,
        Err(e) => return vec![Err(e)],
    };
    let mut ids = HashSet::new();
    reviews
        .into_iter()
        .enumerate()
        .map(|(i, review)| {
            let Value::Object(review) = review else {
                return Err("expected an object in \"claimReview\"".to_owned());
            };
            let mut claim = with_review(base.clone(), &review)?;
            if !ids.insert(claim.id.clone()) {
                // Two reviews at the same URL: keep both, apart.
                claim.id = format!("{}-{}", claim.id, i + 1);
                ids.insert(claim.id.clone());
            }
            let mut raw = record.clone();
            if !review.is_empty() {
                raw.insert(
                    "claimReview".into(),
                    Value::Array(vec![Value::Object(review)]),
                );
            }
            claim.raw = Some(Value::Object(raw));
            Ok(claim)
        })
        .collect()
}

fn base_claim(record: &Map<String, Value>) -> Result<Claim, String> {
    let text = opt_string(record, "text")?
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| "text is empty".to_owned())?;
    Ok(Claim {
        text,
        claimant: opt_string(record, "claimant")?,
        claim_date: opt_string(record, "claimDate")?.map(|d| normalize_date(&d)),
        ..Claim::default()
    })
}

fn with_review(mut claim: Claim, review: &Map<String, Value>) -> Result<Claim, String> {
    if let Some(publisher) = review.get("publisher") {
        let Value::Object(p) = publisher else {
            return Err("expected an object for \"publisher\"".to_owned());
        };
        claim.publisher = opt_string(p, "name")?;
        claim.publisher_site = opt_string(p, "site")?;
    }
    claim.url = opt_string(review, "url")?;
    claim.title = opt_string(review, "title")?;
    claim.review_date = opt_string(review, "reviewDate")?.map(|d| normalize_date(&d));
    claim.verdict_text = opt_string(review, "textualRating")?;
    claim.verdict = claim.verdict_text.as_deref().map(Verdict::from_rating);
    claim.lang = opt_string(review, "languageCode")?.map(|l| l.to_lowercase());
    claim.id = derive_id(claim.url.as_deref(), &claim.text);
    Ok(claim)
}
