//! The semantic stage: fuses the lexical matcher's verdict on a post with
//! the cosine similarity of the post's and the claims' multilingual
//! embeddings, for posts the lexical stage did not decide. Pure: the facade
//! embeds the post, searches the claim vectors and hands the results here.
//!
//! The lexical models keep their own fit; this stage adds a small logistic
//! model over [`NAMES`] (fitted on the train splits with `debunk train
//! --fusion`, see `scripts/refit`) that both orders the candidates and gives
//! the calibrated probability the bands read.

use std::collections::HashMap;
use std::sync::Arc;

use super::claim_terms::same_words_hash;
use super::{model, Band, Match};
use crate::model::IndexedClaim;
use crate::text::Lang;

/// Fusion feature names, in the order of the weights.
pub const NAMES: [&str; 9] = [
    "lex_logit",
    "rank_gap",
    "lexical",
    "sim",
    "sim_gap",
    "sim_margin",
    "margin_cross",
    "lead",
    "date_near",
];
pub const M: usize = NAMES.len();

/// Lexical candidates kept for fusion (ranked by the lexical stage).
pub const LEXICAL_POOL: usize = 30;
/// Nearest claims by vector added as candidates.
pub const NEIGHBOURS: usize = 20;

/// Fitted by `debunk train --fusion` on the train splits of xling-ar,
/// ar-headlines and clef2022-task2a-en (less the 2020 dev tweets;
/// `scripts/refit`): the candidates of the posts the lexical stage left
/// undecided.
// fitted on 49477 candidates (835 relevant), l2 1
pub const WEIGHTS: [f32; M] = [
    0.2672,   // lex_logit
    0.3523,   // rank_gap
    -1.1496,  // lexical
    16.1002,  // sim
    15.5552,  // sim_gap
    -17.9937, // sim_margin
    111.0507, // margin_cross
    79.3901,  // lead
    3.9130,   // date_near
];
pub const BIAS: f32 = -12.8692;

/// The date feature's scale: exp(−days / 7) halves about every five days.
/// Chosen on 2a train: of 3, 7, 14, 30, 90 and 365 days, 7 ranked it best
/// (the fusion fit replayed offline over `eval --fusion-samples-out` files).
const DATE_SCALE_DAYS: f32 = 7.0;

/// How near the post's day is to the claim's: 1 on the same day, falling
/// off over weeks; 0 when either is unknown. Posts repeating a false claim
/// cluster around the days it was checked: on clef2022-task2a-en train, 81%
/// of the tweets fall within 30 days of their claim's date.
pub fn date_near(post: Option<time::Date>, claim: Option<time::Date>) -> f32 {
    match (post, claim) {
        (Some(p), Some(c)) => {
            let days = (p.to_julian_day() - c.to_julian_day()).unsigned_abs() as f32;
            (-days / DATE_SCALE_DAYS).exp()
        }
        _ => 0.0,
    }
}

/// Whether the lexical stage has decided the post: its best claim is in
/// the `match` band. Such a post never pays for an embedding.
pub fn decided(lexical: &[Match]) -> bool {
    lexical.first().is_some_and(|m| m.score >= model::MATCH_AT)
}

/// A claim found by vector search that the lexical stage did not return.
pub struct Neighbour {
    pub claim: Arc<IndexedClaim>,
    pub similarity: f32,
}

/// Where a post's similarities sit. The model's cosines are compressed
/// into 0.7–1.0 and each post has its own level (a short post sits high
/// with everything, across languages most of all), so how far a claim
/// stands above the crowd and above the runner-up says more than its
/// cosine alone: a post that repeats nothing has no claim that stands out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Level {
    /// The best and second-best similarity among the post's candidates.
    pub best: f32,
    pub second: f32,
    /// The mean similarity of its nearest claims.
    pub reference: f32,
}

impl Level {
    /// From every candidate's similarity and those of the nearest claims
    /// (best first).
    pub fn of(candidates: impl Iterator<Item = f32>, nearest: &[f32]) -> Level {
        let (mut best, mut second) = (0.0f32, 0.0f32);
        for s in candidates {
            if s > best {
                second = best;
                best = s;
            } else if s > second {
                second = s;
            }
        }
        let near = &nearest[..nearest.len().min(NEIGHBOURS)];
        let reference = if near.is_empty() {
            best
        } else {
            near.iter().sum::<f32>() / near.len() as f32
        };
        Level {
            best,
            second,
            reference,
        }
    }
}

/// The fusion features of one candidate.
pub fn features(
    lexical: Option<(&Match, f32)>,
    similarity: Option<f32>,
    level: Level,
    cross: bool,
    date_near: f32,
) -> [f32; M] {
    let (lex_logit, rank_gap, found) = match lexical {
        Some((m, best_rank)) => {
            let p = m.score.clamp(1e-4, 1.0 - 1e-4);
            (
                (p / (1.0 - p)).ln(),
                (m.rank_score - best_rank).clamp(-10.0, 0.0),
                1.0,
            )
        }
        None => ((1e-4f32 / (1.0 - 1e-4)).ln(), -10.0, 0.0),
    };
    // A claim without a vector (not embedded yet) is as far as can be.
    let sim = similarity.unwrap_or(0.0);
    let cross = f32::from(u8::from(cross));
    let (margin, lead) = match similarity {
        // Above the runner-up when best, below the best otherwise.
        Some(s) if s >= level.best => (s - level.reference, s - level.second),
        Some(s) => (s - level.reference, s - level.best),
        None => (0.0, -1.0),
    };
    [
        lex_logit,
        rank_gap,
        found,
        sim,
        (level.best - sim).max(0.0),
        margin,
        margin * cross,
        lead,
        date_near,
    ]
}

pub fn probability(f: &[f32; M]) -> f32 {
    let z = BIAS
        + f.iter()
            .zip(WEIGHTS.iter())
            .map(|(x, w)| x * w)
            .sum::<f32>();
    1.0 / (1.0 + (-z).exp())
}

/// Re-ranks a post's lexical candidates together with its vector
/// neighbours, best first, `top` at most. `similarity` gives the cosine of
/// a lexical candidate's claim, when it has a vector.
pub fn fuse(
    post_lang: Lang,
    post_date: Option<time::Date>,
    lexical: Vec<Match>,
    similarity: impl Fn(&str) -> Option<f32>,
    neighbours: Vec<Neighbour>,
    top: usize,
) -> Vec<Match> {
    let best_rank = lexical.first().map_or(0.0, |m| m.rank_score);
    let mut lex_sims: Vec<Option<f32>> = lexical.iter().map(|m| similarity(&m.claim_id)).collect();
    let mut nearest: Vec<f32> = neighbours.iter().map(|n| n.similarity).collect();
    // Copies of one claim (the same words, perhaps with other quotation
    // marks: `ClaimTerms::same_words`, which the lexical stage already
    // ranks as one) share their best similarity, and the post's level
    // counts them once: the lead over the runner-up, which weighs heavily,
    // is never a lead over the claim's own copy, whose vector may differ
    // by a hair.
    let keys: Vec<u64> = lexical
        .iter()
        .map(|m| m.same_words)
        .chain(neighbours.iter().map(|n| same_words_hash(&n.claim.text)))
        .collect();
    let mut sims: Vec<Option<f32>> = lex_sims
        .iter()
        .copied()
        .chain(nearest.iter().map(|&s| Some(s)))
        .collect();
    let mut best: HashMap<u64, f32> = HashMap::new();
    for (key, s) in keys.iter().zip(&sims) {
        if let Some(s) = *s {
            let e = best.entry(*key).or_insert(s);
            *e = e.max(s);
        }
    }
    for (key, s) in keys.iter().zip(sims.iter_mut()) {
        if s.is_some() {
            *s = Some(best[key]);
        }
    }
    let split = lex_sims.len();
    lex_sims.copy_from_slice(&sims[..split]);
    for (n, s) in nearest.iter_mut().zip(&sims[split..]) {
        *n = s.unwrap_or(*n);
    }
    let level = Level::of(best.values().copied(), &nearest);
    let is_cross = |lang: Option<&str>| Lang::from_code(lang.unwrap_or("")) != post_lang;
    let mut fused: Vec<(Match, f32)> = Vec::with_capacity(lexical.len() + neighbours.len());
    for (m, sim) in lexical.into_iter().zip(lex_sims) {
        // A claim whose vector is not computed yet (just written, or the
        // worker still catching up) keeps what its words gave it: the
        // fusion would read the missing similarity as no likeness at all.
        if sim.is_none() {
            fused.push((m, 0.0));
            continue;
        }
        let cross = is_cross(m.claim.lang.as_deref());
        let near = date_near(post_date, m.claim.day());
        let f = features(Some((&m, best_rank)), sim, level, cross, near);
        fused.push((with_fusion(m, f, sim), sim.unwrap_or(0.0)));
    }
    for (n, &sim) in neighbours.into_iter().zip(&nearest) {
        let cross = is_cross(n.claim.lang.as_deref());
        let near = date_near(post_date, n.claim.day());
        let f = features(None, Some(sim), level, cross, near);
        let m = Match {
            claim_id: n.claim.id.clone(),
            score: 0.0,
            band: Band::None,
            explanation: Default::default(),
            claim: Arc::unwrap_or_clone(n.claim),
            features: Default::default(),
            same_words: 0,
            rank_score: 0.0,
            fusion: None,
        };
        fused.push((with_fusion(m, f, Some(sim)), sim));
    }
    fused.sort_by(|(a, _), (b, _)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.claim.row.cmp(&b.claim.row))
            .then_with(|| a.claim_id.cmp(&b.claim_id))
    });
    fused.truncate(top.max(1));
    fused
        .into_iter()
        .map(|(mut m, sim)| {
            m.band = model::band(m.score);
            m.explanation.semantic = explain(post_lang, &m, sim);
            m
        })
        .collect()
}

fn with_fusion(mut m: Match, f: [f32; M], _sim: Option<f32>) -> Match {
    m.score = probability(&f);
    m.fusion = Some(f);
    m
}

/// "same meaning, in Arabic" when meaning carried a match across
/// languages, "same meaning, other words" when it carried one the shared
/// words alone would not have; nothing for a match the words explain.
fn explain(post_lang: Lang, m: &Match, sim: f32) -> Option<String> {
    if m.band == Band::None || sim <= 0.0 {
        return None;
    }
    let claim_lang = Lang::from_code(m.claim.lang.as_deref().unwrap_or(""));
    if claim_lang != post_lang && claim_lang != Lang::Other {
        return Some(format!("same meaning, in {}", lang_name(claim_lang)));
    }
    let lexical_score = m.fusion.map_or(0.0, |f| 1.0 / (1.0 + (-f[0]).exp()));
    (model::band(lexical_score) != m.band).then(|| "same meaning, other words".to_string())
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => "Arabic",
        Lang::Fr => "French",
        Lang::Es => "Spanish",
        Lang::En => "English",
        Lang::Other => "another language",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, lang: &str) -> Arc<IndexedClaim> {
        Arc::new(IndexedClaim {
            id: id.into(),
            lang: Some(lang.into()),
            ..IndexedClaim::default()
        })
    }

    #[test]
    fn a_close_neighbour_in_another_language_outranks_weak_lexical_candidates_and_says_why() {
        let weak = Match {
            claim_id: "weak".into(),
            score: 0.05,
            band: Band::None,
            explanation: Default::default(),
            claim: IndexedClaim {
                id: "weak".into(),
                lang: Some("fr".into()),
                ..IndexedClaim::default()
            },
            features: Default::default(),
            same_words: 1,
            rank_score: 1.0,
            fusion: None,
        };
        let out = fuse(
            Lang::Fr,
            None,
            vec![weak],
            |_| Some(0.80),
            vec![Neighbour {
                claim: claim("ar-claim", "ar"),
                similarity: 0.92,
            }],
            5,
        );
        assert_eq!(out[0].claim_id, "ar-claim");
        assert!(out[0].score > out[1].score);
        if out[0].band != Band::None {
            assert_eq!(
                out[0].explanation.semantic.as_deref(),
                Some("same meaning, in Arabic")
            );
        }
    }

    #[test]
    fn a_claims_copy_with_other_quotation_marks_is_no_rival_and_the_earlier_comes_first() {
        // Two stored copies of one claim whose vectors differ by a hair,
        // the later copy a hair closer to the post, and an unrelated claim.
        // Apart, the second copy's words differ; as copies, only its quotes.
        let claim = |id: &str, text: &str, row: i64| IndexedClaim {
            id: id.into(),
            text: text.into(),
            lang: Some("en".into()),
            row,
            ..IndexedClaim::default()
        };
        let neighbours = |copies: bool| {
            let second = if copies {
                "Trump 'crashed' a wedding"
            } else {
                "Trump crashed a party"
            };
            let ns = [
                (claim("first", "Trump \"crashed\" a wedding", 0), 0.930),
                (claim("second", second, 1), 0.934),
                (claim("other", "A video shows a crowd in June", 2), 0.84),
            ]
            .into_iter()
            .map(|(c, similarity)| Neighbour {
                claim: Arc::new(c),
                similarity,
            })
            .collect();
            fuse(Lang::En, None, Vec::new(), |_| None, ns, 5)
        };
        let apart = neighbours(false);
        assert_eq!(apart[0].claim_id, "second");
        assert!(
            apart[0].score > 1.3 * apart[1].score,
            "the lead splits them: {} {}",
            apart[0].score,
            apart[1].score
        );
        let twins = neighbours(true);
        assert_eq!(twins[0].claim_id, "first");
        assert_eq!(twins[1].claim_id, "second");
        assert_eq!(twins[0].score, twins[1].score);
        // Standing above the unrelated claim, the copies lead as one.
        assert!(twins[0].score > apart[1].score);
    }

    #[test]
    fn a_claim_that_does_not_stand_out_from_the_posts_nearest_claims_scores_lower() {
        // The same cosine, once level with the crowd, once above it.
        let flat = Level::of([0.85, 0.849, 0.848].into_iter(), &[0.849, 0.848, 0.847]);
        let apart = Level::of([0.85, 0.80, 0.79].into_iter(), &[0.80, 0.79, 0.78]);
        let p_flat = probability(&features(None, Some(0.85), flat, true, 0.0));
        let p_apart = probability(&features(None, Some(0.85), apart, true, 0.0));
        assert!(p_apart > p_flat, "{p_apart} <= {p_flat}");
        assert_ne!(model::band(p_flat), Band::Match);
    }

    #[test]
    fn of_two_claims_alike_in_words_and_meaning_the_one_checked_near_the_posts_day_leads() {
        let day = |y, m, d| time::Date::from_calendar_date(y, m, d).ok();
        let alike = |id: &str, row: i64, date: &str| Match {
            claim_id: id.into(),
            score: 0.08,
            band: Band::None,
            explanation: Default::default(),
            claim: IndexedClaim {
                id: id.into(),
                lang: Some("en".into()),
                claim_date: Some(date.into()),
                row,
                ..IndexedClaim::default()
            },
            features: Default::default(),
            same_words: row as u64,
            rank_score: 1.0,
            fusion: None,
        };
        let ranked = |post_day| {
            let lexical = vec![
                alike("old", 0, "2021-02-26"),
                alike("near", 1, "2015-09-28"),
            ];
            fuse(Lang::En, post_day, lexical, |_| Some(0.86), Vec::new(), 5)
        };
        let dated = ranked(day(2015, time::Month::September, 23));
        assert_eq!(dated[0].claim_id, "near");
        assert!(dated[0].score > dated[1].score);
        // Without the post's day, storage order breaks the tie.
        let undated = ranked(None);
        assert_eq!(undated[0].claim_id, "old");
        assert_eq!(undated[0].score, undated[1].score);
        assert_eq!(date_near(day(2015, time::Month::May, 1), None), 0.0);
        let a_week = date_near(
            day(2015, time::Month::May, 1),
            day(2015, time::Month::May, 8),
        );
        assert!((a_week - (-1.0f32).exp()).abs() < 1e-6, "{a_week}");
    }

    #[test]
    fn a_post_decided_by_its_words_skips_the_embedding() {
        let m = |score| Match {
            claim_id: "c".into(),
            score,
            band: model::band(score),
            explanation: Default::default(),
            claim: IndexedClaim::default(),
            features: Default::default(),
            same_words: 0,
            rank_score: 0.0,
            fusion: None,
        };
        assert!(decided(&[m(0.95)]));
        assert!(!decided(&[m(0.5)]));
        assert!(!decided(&[]));
    }

    #[test]
    fn a_lexical_match_whose_claim_has_no_vector_yet_keeps_its_score() {
        let lexical = Match {
            claim_id: "new".into(),
            score: 0.72,
            band: model::band(0.72),
            explanation: Default::default(),
            claim: IndexedClaim {
                id: "new".into(),
                lang: Some("ar".into()),
                ..IndexedClaim::default()
            },
            features: Default::default(),
            same_words: 4,
            rank_score: 2.0,
            fusion: None,
        };
        let out = fuse(Lang::Ar, None, vec![lexical], |_| None, Vec::new(), 5);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].score, 0.72);
        assert_eq!(out[0].band, Band::Possible);
        assert!(out[0].fusion.is_none());
    }
}
