//! What a claim brings to matching, computed once when it is indexed and
//! stored beside it: its distinct terms with their counts, which field each
//! comes from, its numbers, word pairs and character n-grams, and a hash of
//! its words. Per snapshot, the idf-weighted half of the features
//! ([`ClaimWeights`]) is computed on first use and kept with it.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::{Stats, TermField};
use crate::model::IndexedClaim;
use crate::text::{self, Lang};

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FxHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// 32 bits of a hash: collisions among one post's few hundred n-grams are
/// negligible, and the stored analysis stays small.
pub(super) fn hash32<T: Hash + ?Sized>(value: &T) -> u32 {
    (hash_of(value) >> 32) as u32
}

pub(super) fn bigram_hashes(terms: &[String]) -> Vec<u32> {
    let mut out: Vec<u32> = terms
        .windows(2)
        .map(|w| hash32(&(w[0].as_str(), w[1].as_str())))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn distinct(terms: &[String]) -> Vec<&str> {
    let mut seen = FxHashSet::default();
    terms
        .iter()
        .map(String::as_str)
        .filter(|t| seen.insert(*t))
        .collect()
}

pub(super) fn is_number(term: &str) -> bool {
    !term.is_empty() && term.bytes().all(|b| b.is_ascii_digit())
}

/// A claim as the analyzers see it: computed when the claim is indexed and
/// stored beside it, since every post that retrieves it needs it.
///
/// In memory every distinct term is kept once, in one buffer, and the field
/// lists refer to it by index: decoding a candidate costs a few allocations,
/// not one per term, and a term's idf is looked up once per claim.
#[derive(Clone, Debug, Default)]
pub struct ClaimTerms {
    pub lang: Lang,
    /// Every distinct term of every field, sorted, back to back.
    chars: String,
    /// Where each term ends in `chars` (it starts where the previous ends).
    ends: Vec<u32>,
    /// Each term's dampened count over every field (1 + ln n).
    pub(super) tf: Vec<f32>,
    /// Distinct terms of the claim text, the title, and subtitle +
    /// appearances, as term indices in first-seen order.
    pub(super) text: Vec<u32>,
    pub(super) title: Vec<u32>,
    pub(super) sub: Vec<u32>,
    /// Numbers the claim text states, as term indices, sorted.
    pub(super) numbers: Vec<u32>,
    /// Hashes of adjacent term pairs of the claim text, sorted.
    pub bigrams: Vec<u32>,
    /// Hashes of the character n-grams of the claim text, sorted.
    pub grams: Vec<u32>,
    /// Terms in the claim text (with repeats).
    pub text_len: usize,
    /// Hash of the claim text's letters and digits, lowercased: equal for
    /// claims that say the same words with other punctuation.
    pub same_words: u64,
    /// What the claim weighs in one snapshot (see [`ClaimWeights`]).
    weights: OnceLock<Arc<ClaimWeights>>,
}

/// The post-independent half of the features for one snapshot: each term's
/// idf and the sums over them, added in the order the features add them so
/// the results are the same to the bit.
#[derive(Debug)]
pub(super) struct ClaimWeights {
    /// The snapshot these weights hold for (`Corpus::generation`).
    generation: u64,
    /// Each term's weight in the claim's tf-idf vector, in term order.
    pub(super) tfidf: Vec<f32>,
    pub(super) text_all: f32,
    pub(super) title_all: f32,
    pub(super) sub_all: f32,
    /// Squared norm of the claim's tf-idf vector.
    pub(super) norm2: f32,
    /// Squared norms of the text's and the title's distinct-term idf vectors.
    pub(super) text_norm2: f32,
    pub(super) title_norm2: f32,
}

impl ClaimTerms {
    pub fn analyze(claim: &IndexedClaim) -> ClaimTerms {
        let lang = Lang::from_code(claim.lang.as_deref().unwrap_or(""));
        let text_terms = text::analyze(lang, &claim.text);
        let title_terms = claim
            .title
            .as_deref()
            .map(|t| text::analyze(lang, t))
            .unwrap_or_default();
        let mut sub_terms = Vec::new();
        for extra in claim.subtitle.iter().chain(claim.appearance_texts.iter()) {
            sub_terms.extend(text::analyze(lang, extra));
        }
        let mut bag: FxHashMap<&str, f32> = FxHashMap::default();
        for t in text_terms.iter().chain(&title_terms).chain(&sub_terms) {
            *bag.entry(t.as_str()).or_default() += 1.0;
        }
        let mut bag: Vec<(&str, f32)> = bag.into_iter().map(|(t, n)| (t, 1.0 + n.ln())).collect();
        bag.sort_by(|a, b| a.0.cmp(b.0));
        let mut grams = Vec::new();
        text::for_each_ngram(&claim.text, |g| grams.push(hash32(g)));
        grams.sort_unstable();
        grams.dedup();
        let mut numbers: Vec<&str> = text_terms
            .iter()
            .map(String::as_str)
            .filter(|t| is_number(t))
            .collect();
        numbers.sort();
        numbers.dedup();
        let mut chars = String::new();
        let mut ends = Vec::with_capacity(bag.len());
        let mut tf = Vec::with_capacity(bag.len());
        for (t, w) in &bag {
            chars.push_str(t);
            ends.push(chars.len() as u32);
            tf.push(*w);
        }
        let mut out = ClaimTerms {
            lang,
            chars,
            ends,
            tf,
            bigrams: bigram_hashes(&text_terms),
            grams,
            text_len: text_terms.len(),
            same_words: same_words_hash(&claim.text),
            ..ClaimTerms::default()
        };
        let index_of = |out: &ClaimTerms, list: &[&str]| -> Vec<u32> {
            list.iter()
                .filter_map(|t| out.position(t.as_bytes()))
                .collect()
        };
        out.text = index_of(&out, &distinct(&text_terms));
        out.title = index_of(&out, &distinct(&title_terms));
        out.sub = index_of(&out, &distinct(&sub_terms));
        out.numbers = index_of(&out, &numbers);
        out
    }

    /// Distinct terms over every field.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`th distinct term (in sorted order).
    pub fn term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // Boundaries are checked when the terms are built or decoded.
        self.chars
            .get(start..self.ends[i] as usize)
            .unwrap_or_default()
    }

    /// Index of a term, by binary search over the sorted terms.
    fn position(&self, term: &[u8]) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.ends.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.term(mid).as_bytes().cmp(term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    fn terms_of<'a>(&'a self, list: &'a [u32]) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        list.iter().map(|&i| self.term(i as usize))
    }

    /// Distinct terms of the claim text, in first-seen order.
    pub fn text_terms(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.terms_of(&self.text)
    }

    /// Distinct terms of the title, in first-seen order.
    pub fn title_terms(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.terms_of(&self.title)
    }

    /// Distinct terms of the subtitle and appearances, in first-seen order.
    pub fn sub_terms(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.terms_of(&self.sub)
    }

    /// Numbers the claim text states, sorted.
    pub fn numbers(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.terms_of(&self.numbers)
    }

    /// Every field as one bag: term and dampened count (1 + ln n), sorted by term.
    pub fn bag(&self) -> impl ExactSizeIterator<Item = (&str, f32)> + '_ {
        (0..self.len()).map(|i| (self.term(i), self.tf[i]))
    }

    /// A compact binary form, stored in the index beside the claim.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.push(1u8);
        let slot = Lang::ALL.iter().position(|l| *l == self.lang).unwrap_or(4);
        out.push(slot as u8);
        out.extend_from_slice(&(self.text_len as u32).to_le_bytes());
        out.extend_from_slice(&self.same_words.to_le_bytes());
        for list in [&self.text, &self.title, &self.sub, &self.numbers] {
            put_strings(&mut out, self.terms_of(list));
        }
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for (t, w) in self.bag() {
            put_str(&mut out, t);
            out.extend_from_slice(&w.to_le_bytes());
        }
        for list in [&self.bigrams, &self.grams] {
            out.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for h in list {
                out.extend_from_slice(&h.to_le_bytes());
            }
        }
        out
    }

    /// Reads `encode`'s output; `None` if it is not that.
    pub fn decode(bytes: &[u8]) -> Option<ClaimTerms> {
        let mut r = Reader { bytes, at: 0 };
        if r.u8()? != 1 {
            return None;
        }
        let lang = *Lang::ALL.get(usize::from(r.u8()?))?;
        let text_len = r.u32()? as usize;
        let same_words = u64::from(r.u32()?) | (u64::from(r.u32()?) << 32);
        // The field lists come first but name terms of the bag after them:
        // skip them, read the bag, then come back for them.
        let lists_at = r.at;
        for _ in 0..4 {
            r.skip_strings()?;
        }
        let n = r.u32()? as usize;
        let mut chars = Vec::with_capacity(n.min(4096) * 8);
        let mut ends = Vec::with_capacity(n.min(4096));
        let mut tf = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            chars.extend_from_slice(r.str_bytes()?);
            ends.push(u32::try_from(chars.len()).ok()?);
            tf.push(f32::from_bits(r.u32()?));
        }
        let chars = String::from_utf8(chars).ok()?;
        if !ends.iter().all(|&e| chars.is_char_boundary(e as usize)) {
            return None;
        }
        let bigrams = r.u32s()?;
        let grams = r.u32s()?;
        let mut out = ClaimTerms {
            lang,
            chars,
            ends,
            tf,
            bigrams,
            grams,
            text_len,
            same_words,
            ..ClaimTerms::default()
        };
        let mut r = Reader {
            bytes,
            at: lists_at,
        };
        let mut lists = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for list in &mut lists {
            let n = r.u32()? as usize;
            list.reserve(n.min(4096));
            for _ in 0..n {
                list.push(out.position(r.str_bytes()?)?);
            }
        }
        let [text, title, sub, numbers] = lists;
        out.text = text;
        out.title = title;
        out.sub = sub;
        out.numbers = numbers;
        Some(out)
    }

    /// The claim's weights in the corpus `stats` reads, computed once per
    /// snapshot generation.
    pub(super) fn weights(&self, stats: &mut Stats<'_>) -> Arc<ClaimWeights> {
        let generation = stats.generation();
        if let Some(w) = self.weights.get() {
            if w.generation == generation {
                return Arc::clone(w);
            }
        }
        let field = TermField::Words(self.lang);
        let idf: Vec<f32> = (0..self.len())
            .map(|i| stats.claim_idf(field, self.term(i)))
            .collect();
        let all = |list: &[u32]| -> f32 {
            let mut all = 0.0f32;
            for &i in list {
                all += idf[i as usize];
            }
            all
        };
        let mut norm2 = 0.0f32;
        for (w, cw_tf) in idf.iter().zip(&self.tf) {
            norm2 += (cw_tf * w) * (cw_tf * w);
        }
        let squares = |list: &[u32]| -> f32 {
            let mut sum = 0.0f32;
            for &i in list {
                sum += idf[i as usize] * idf[i as usize];
            }
            sum
        };
        let weights = Arc::new(ClaimWeights {
            generation,
            tfidf: idf.iter().zip(&self.tf).map(|(w, tf)| tf * w).collect(),
            text_all: all(&self.text),
            title_all: all(&self.title),
            sub_all: all(&self.sub),
            norm2,
            text_norm2: squares(&self.text),
            title_norm2: squares(&self.title),
        });
        // A claim analysis shared across snapshots keeps the first one's.
        let _ = self.weights.set(Arc::clone(&weights));
        weights
    }
}

/// The key of a text's words: its letters and digits, lowercased, so
/// copies differing in punctuation, quotation marks or case share it.
pub(crate) fn same_words_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        for l in c.to_lowercase() {
            h.write_u32(u32::from(l));
        }
    }
    h.finish()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Terms are words: far below 64 KiB; a longer one is cut at a char boundary.
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_le_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

fn put_strings<'a>(out: &mut Vec<u8>, list: impl ExactSizeIterator<Item = &'a str>) {
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    for s in list {
        put_str(out, s);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn str_bytes(&mut self) -> Option<&[u8]> {
        let len = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        self.take(usize::from(len))
    }
    fn skip_strings(&mut self) -> Option<()> {
        for _ in 0..self.u32()? {
            self.str_bytes()?;
        }
        Some(())
    }
    fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(65536));
        for _ in 0..n {
            out.push(self.u32()?);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> IndexedClaim {
        IndexedClaim {
            id: "c1".into(),
            text: "The vaccine changes your DNA, says a 2021 study of 5G vaccine towers".into(),
            title: Some("Vaccines do not change DNA".into()),
            subtitle: Some("No study found 5G effects".into()),
            lang: Some("en".into()),
            appearance_texts: vec!["vaccine DNA 2021 claim".into()],
            ..IndexedClaim::default()
        }
    }

    #[test]
    fn claim_terms_survive_encoding_term_for_term() {
        let terms = ClaimTerms::analyze(&claim());
        let back = ClaimTerms::decode(&terms.encode()).expect("decodes");
        assert_eq!(back.encode(), terms.encode());
        assert_eq!(
            back.text_terms().collect::<Vec<_>>(),
            terms.text_terms().collect::<Vec<_>>()
        );
        assert_eq!(back.numbers().collect::<Vec<_>>(), ["2021"]);
        assert_eq!(back.bag().count(), back.len());
        assert!(back.bag().all(|(t, w)| !t.is_empty() && w >= 1.0));
    }

    #[test]
    fn truncated_or_foreign_bytes_do_not_decode() {
        let bytes = ClaimTerms::analyze(&claim()).encode();
        for cut in [0, 1, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(ClaimTerms::decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut other = bytes.clone();
        other[0] = 2;
        assert!(ClaimTerms::decode(&other).is_none());
    }

    #[test]
    fn field_lists_keep_first_seen_order_and_point_into_the_bag() {
        let terms = ClaimTerms::analyze(&claim());
        let text: Vec<&str> = terms.text_terms().collect();
        let mut expected = Vec::new();
        for t in text::analyze(Lang::En, &claim().text) {
            if !expected.contains(&t) {
                expected.push(t);
            }
        }
        assert_eq!(text, expected);
        let bag: Vec<&str> = terms.bag().map(|(t, _)| t).collect();
        assert!(bag.windows(2).all(|w| w[0] < w[1]), "{bag:?}");
        for t in terms.title_terms().chain(terms.sub_terms()) {
            assert!(bag.contains(&t), "{t}");
        }
    }
}
