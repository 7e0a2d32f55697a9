//! Semantic matching: claim vectors that follow the store, and (with the
//! real model) posts and queries in one language finding claims in another.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use debunk::embed::{Embedder, HashEmbedder};
use debunk::KnowledgeBase;
use serde_json::json;

use crate::common::import_jsonl;

/// The stand-in embedder, counting the texts it was given.
struct Counting {
    inner: HashEmbedder,
    texts: AtomicUsize,
}

impl Embedder for Counting {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn embed(&self, texts: &[&str]) -> debunk::Result<Vec<Vec<f32>>> {
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        self.inner.embed(texts)
    }
}

fn counting() -> Arc<Counting> {
    Arc::new(Counting {
        inner: HashEmbedder { dim: 32 },
        texts: AtomicUsize::new(0),
    })
}

fn claim(id: &str, text: &str) -> serde_json::Value {
    json!({"id": id, "text": text, "lang": "en"})
}

#[test]
fn claim_vectors_follow_imports_and_deletes_and_are_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        let model = counting();
        kb.attach_embedder(model.clone()).unwrap();
        import_jsonl(
            &kb,
            &[
                claim("a", "vaccines contain microchips"),
                claim("b", "the moon landing was staged"),
                claim("c", "drinking bleach cures covid"),
            ],
        );
        assert!(!kb.vectors_caught_up().unwrap());
        assert_eq!(kb.sync_vectors(|_| {}).unwrap(), 3);
        assert_eq!(kb.stats().unwrap().claims_with_vectors, Some(3));
        kb.delete_claim("b", None).unwrap();
        kb.sync_vectors(|_| {}).unwrap();
        assert_eq!(kb.stats().unwrap().claims_with_vectors, Some(2));
        assert!(kb.vectors_caught_up().unwrap());
        assert_eq!(model.texts.load(Ordering::SeqCst), 3);
    }
    // A new process finds the stored vectors and embeds only what is new.
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let model = counting();
    kb.attach_embedder(model.clone()).unwrap();
    assert_eq!(kb.stats().unwrap().claims_with_vectors, Some(2));
    import_jsonl(&kb, &[claim("d", "5g towers spread the virus")]);
    assert_eq!(kb.sync_vectors(|_| {}).unwrap(), 1);
    assert_eq!(model.texts.load(Ordering::SeqCst), 1);
    assert_eq!(kb.stats().unwrap().claims_with_vectors, Some(3));
}

#[test]
fn a_claim_is_as_close_to_a_post_as_the_closest_of_the_posts_it_appeared_in() {
    let kb = KnowledgeBase::open_in_memory().unwrap();
    let model = counting();
    kb.attach_embedder(model.clone()).unwrap();
    let seen = "they put microchips in the jabs to follow us everywhere";
    import_jsonl(
        &kb,
        &[
            claim("a", "vaccines contain microchips"),
            claim("b", "the moon landing was staged"),
        ],
    );
    kb.sync_vectors(|_| {}).unwrap();
    let vectors = kb.semantic().unwrap();
    let post = &vectors.embed_posts(&[seen]).unwrap()[0];
    let before = vectors.similarity(post, "a").unwrap();
    assert!(before < 0.99, "{before}");
    // The claim again, now with a post it appeared in.
    let mut with_post = claim("a", "vaccines contain microchips");
    with_post["appearances"] = json!([{"text": seen}]);
    import_jsonl(&kb, &[with_post]);
    let texts = model.texts.load(Ordering::SeqCst);
    assert_eq!(kb.sync_vectors(|_| {}).unwrap(), 1);
    // Its own text and the appearance's.
    assert_eq!(model.texts.load(Ordering::SeqCst) - texts, 2);
    let after = vectors.similarity(post, "a").unwrap();
    assert!(after > 0.999, "{after}");
    let hits = vectors.search(post, 5, |_| true);
    assert_eq!(hits.iter().filter(|h| h.claim_id == "a").count(), 1);
    assert_eq!(hits[0].claim_id, "a");
    assert_eq!(kb.stats().unwrap().claims_with_vectors, Some(2));
}

#[test]
fn without_an_embedder_stats_say_nothing_of_vectors_and_nothing_waits_for_them() {
    let kb = KnowledgeBase::open_in_memory().unwrap();
    import_jsonl(&kb, &[claim("a", "vaccines contain microchips")]);
    assert_eq!(kb.stats().unwrap().claims_with_vectors, None);
    assert!(kb.vectors_caught_up().unwrap());
}

#[test]
fn with_the_real_model_a_french_post_finds_the_arabic_claim_it_repeats_among_vectors() {
    let Some(model) = crate::common::real_model() else {
        return;
    };
    let kb = KnowledgeBase::open_in_memory().unwrap();
    kb.attach_embedder(model).unwrap();
    import_jsonl(
        &kb,
        &[
            json!({"id": "fnideq", "lang": "ar",
                   "text": "صورة لترحيل السلطات المغربية جزائريين اعتقلوا في الفنيدق خلال محاولة العبور الجماعي إلى سبتة"}),
            json!({"id": "vaccine", "lang": "ar",
                   "text": "لقاح كورونا يحتوي على شريحة إلكترونية لتتبع البشر"}),
            json!({"id": "quake", "lang": "ar",
                   "text": "فيديو يظهر انهيار مبنى في مراكش خلال زلزال الحوز"}),
        ],
    );
    kb.sync_vectors(|_| {}).unwrap();
    let vectors = kb.semantic().unwrap();
    let post = "Photo : les autorités marocaines expulsent des Algériens arrêtés à Fnideq pendant la tentative de passage massif vers Ceuta";
    let v = &vectors.embed_posts(&[post]).unwrap()[0];
    let hits = vectors.search(v, 3, |_| true);
    assert_eq!(hits[0].claim_id, "fnideq", "{hits:?}");
}

/// The Arabic fact-check records with their vectors, built once for the
/// real-model tests (embedding them is most of their cost).
fn real_kb() -> Option<&'static KnowledgeBase> {
    static KB: std::sync::OnceLock<Option<KnowledgeBase>> = std::sync::OnceLock::new();
    KB.get_or_init(|| {
        let model = crate::common::real_model()?;
        let kb = crate::common::kb_from_file(&crate::common::arabic_claimreview());
        kb.attach_embedder(model).unwrap();
        kb.sync_vectors(|_| {}).unwrap();
        Some(kb)
    })
    .as_ref()
}

/// The best claim for a post, with the explanation of why.
fn best(kb: &KnowledgeBase, post: &str) -> debunk::matcher::Match {
    let req = debunk::matcher::Request {
        text: post,
        top: 5,
        ..Default::default()
    };
    kb.match_post(&req).unwrap().remove(0)
}

/// The post's best claim, with the real model: one of the two Arabic
/// fact-checks of the deportation from Fnideq. None without the model.
fn fnideq_match(post: &str) -> Option<debunk::matcher::Match> {
    let m = best(real_kb()?, post);
    assert!(
        m.claim.text.contains("الفنيدق") && m.claim.lang.as_deref() == Some("ar"),
        "{post}: {:?}",
        m.claim.text
    );
    Some(m)
}

#[test]
fn with_the_real_model_a_french_post_retrieves_the_arabic_claim_it_repeats() {
    let Some(m) = fnideq_match(
        "Les autorités marocaines expulsent des Algériens arrêtés à Fnideq pendant la tentative de migration massive vers Ceuta",
    ) else {
        return;
    };
    // A banded cross-lingual match says what carried it.
    if m.band != debunk::matcher::Band::None {
        assert_eq!(
            m.explanation.semantic.as_deref(),
            Some("same meaning, in Arabic")
        );
    }
}

#[test]
fn with_the_real_model_an_english_post_retrieves_the_arabic_claim_it_repeats() {
    fnideq_match(
        "Moroccan authorities deport Algerians arrested in Fnideq during the mass attempt to cross into Ceuta",
    );
}

#[test]
fn with_the_real_model_an_arabizi_post_retrieves_the_arabic_claim_it_repeats() {
    fnideq_match(
        "sulutat lmaghribiya r7lat dzayriyin li t9bdo f fnideq mli bghaw ydkhlo l sebta b jma3a",
    );
}

#[test]
fn with_the_real_model_a_post_that_repeats_nothing_gets_no_match_band() {
    let Some(kb) = real_kb() else { return };
    for post in [
        "Le Maroc inaugure un nouveau port de pêche à Dakhla",
        "The price of tomatoes in Casablanca markets doubled this week",
    ] {
        let m = best(kb, post);
        assert_ne!(
            m.band,
            debunk::matcher::Band::Match,
            "{post}: {:?}",
            m.claim.text
        );
    }
}

#[test]
fn with_the_real_model_a_french_search_finds_an_arabic_claim_in_other_languages() {
    let Some(kb) = real_kb() else { return };
    let page = kb
        .search(&debunk::index::SearchQuery {
            q: "expulsion des Algériens arrêtés à Fnideq qui voulaient entrer à Ceuta".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    let first = page
        .other_languages
        .first()
        .expect("a claim in another language");
    assert!(
        first.claim.text.contains("الفنيدق"),
        "{:?}",
        first.claim.text
    );
    // The same filters apply: no Arabic claim is left under a French-only filter.
    let french_only = kb
        .search(&debunk::index::SearchQuery {
            q: "expulsion des Algériens arrêtés à Fnideq".into(),
            lang: Some("fr".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(french_only.other_languages.is_empty());
}

#[test]
fn matching_posts_together_gives_what_matching_each_alone_gives() {
    let kb = KnowledgeBase::open_in_memory().unwrap();
    kb.attach_embedder(counting()).unwrap();
    import_jsonl(
        &kb,
        &[
            claim("a", "vaccines contain microchips that track people"),
            claim("b", "the moon landing was staged in a studio"),
            claim("c", "drinking bleach cures covid"),
        ],
    );
    kb.sync_vectors(|_| {}).unwrap();
    let posts = [
        "they put microchips in the vaccines to track us",
        "moon landing staged",
        "nothing to do with any of it",
    ];
    let reqs: Vec<debunk::matcher::Request<'_>> = posts
        .iter()
        .map(|text| debunk::matcher::Request {
            text,
            top: 3,
            ..Default::default()
        })
        .collect();
    let together = kb.match_posts(&reqs);
    for (req, batch) in reqs.iter().zip(together) {
        let alone = kb.match_post(req).unwrap();
        let ids = |ms: &[debunk::matcher::Match]| {
            ms.iter()
                .map(|m| (m.claim_id.clone(), m.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&batch.unwrap()), ids(&alone), "{}", req.text);
    }
}
