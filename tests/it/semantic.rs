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
