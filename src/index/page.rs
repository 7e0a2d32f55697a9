//! One page of search results in one pass over the matches: the total, the
//! facet counts and the best hits after a cursor, from fast fields.

use std::cmp::Reverse;
use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::SearchSort;

/// Where a hit sorts: the larger rank comes first. The first part is the
/// sort value (relevance or review day), the second the id hash, smaller
/// first, so that equal values fall the same way in any index layout.
pub(super) type Rank = (u64, Reverse<u64>);

/// The fast fields counted as facets, in the order of [`PageFruit::facets`].
pub(super) const FACET_FIELDS: [&str; 3] = ["lang", "verdict", "publisher"];

/// A hit before its stored document is read.
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidate {
    pub rank: Rank,
    pub score: Score,
    pub addr: DocAddress,
}

pub(super) struct PageCollector {
    pub sort: SearchSort,
    /// Only matches ranked below this one become hits (keyset pagination).
    pub after: Option<Rank>,
    /// How many of the best hits to keep (offset + limit).
    pub keep: usize,
    pub facets: bool,
}

#[derive(Default)]
pub(super) struct PageFruit {
    /// Every match of the query and its filters, the cursor aside.
    pub total: u64,
    /// Matches ranked after the cursor (all of them without one).
    pub remaining: u64,
    /// The best `keep` of those, best first.
    pub top: Vec<Candidate>,
    /// Counts by value for each of [`FACET_FIELDS`] (empty when not asked).
    pub facets: Vec<HashMap<String, u64>>,
}

/// The sort value of a relevance score. Scores are rounded to 15 bits of
/// mantissa (a relative step of 3e-5) before they are compared: tantivy adds
/// a document's term scores in an order that depends on the segment layout,
/// so a merge between two pages can move a score by its last bit, and a
/// cursor compared on raw bits would then repeat or skip that hit.
pub(super) fn relevance(score: Score) -> Score {
    // `max` also turns NaN into 0: the sort value must be a number.
    let bits = score.max(0.0).to_bits();
    f32::from_bits((bits + 0x80) & !0xFF)
}

/// A review day (days since 1970-01-01) as a sort value; no date sorts last.
fn day_rank(day: Option<i64>) -> u64 {
    day.map_or(0, |d| (d as u64) ^ (1 << 63))
}

impl Collector for PageCollector {
    type Fruit = PageFruit;
    type Child = PageSegment;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<PageSegment> {
        let fast = segment.fast_fields();
        let id_hash = fast.u64("id_hash")?.first_or_default_col(0);
        let days = match self.sort {
            SearchSort::Date => Some(fast.date("review_date")?),
            SearchSort::Relevance => None,
        };
        let mut facets = Vec::new();
        if self.facets {
            for name in FACET_FIELDS {
                let column = fast.str(name)?;
                let counts = vec![0; column.as_ref().map_or(0, |c| c.dictionary().num_terms())];
                facets.push((column, counts));
            }
        }
        Ok(PageSegment {
            segment_ord,
            after: self.after,
            keep: self.keep,
            id_hash,
            days,
            facets,
            total: 0,
            remaining: 0,
            top: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        // Hits show their score whatever the order.
        true
    }

    fn merge_fruits(&self, fruits: Vec<PageFruit>) -> tantivy::Result<PageFruit> {
        let mut merged = PageFruit::default();
        for fruit in fruits {
            merged.total += fruit.total;
            merged.remaining += fruit.remaining;
            merged.top.extend(fruit.top);
            if merged.facets.is_empty() {
                merged.facets = fruit.facets;
            } else {
                for (into, from) in merged.facets.iter_mut().zip(fruit.facets) {
                    for (value, n) in from {
                        *into.entry(value).or_default() += n;
                    }
                }
            }
        }
        best_first(&mut merged.top, self.keep);
        Ok(merged)
    }
}

pub(super) struct PageSegment {
    segment_ord: SegmentOrdinal,
    after: Option<Rank>,
    keep: usize,
    id_hash: std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    days: Option<Column<tantivy::DateTime>>,
    /// Each facet's column (absent when no document of the segment has
    /// the field) and its counts by term ordinal.
    facets: Vec<(Option<StrColumn>, Vec<u64>)>,
    total: u64,
    remaining: u64,
    top: Vec<Candidate>,
}

impl PageSegment {
    fn rank(&self, doc: DocId, score: Score) -> Rank {
        let value = match &self.days {
            Some(days) => day_rank(
                days.first(doc)
                    .map(|d| d.into_timestamp_secs().div_euclid(86_400)),
            ),
            None => u64::from(relevance(score).to_bits()),
        };
        (value, Reverse(self.id_hash.get_val(doc)))
    }
}

impl SegmentCollector for PageSegment {
    type Fruit = PageFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        for (column, counts) in &mut self.facets {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(n) = counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
        let rank = self.rank(doc, score);
        if self.after.is_some_and(|after| rank >= after) {
            return;
        }
        self.remaining += 1;
        self.top.push(Candidate {
            rank,
            score,
            addr: DocAddress::new(self.segment_ord, doc),
        });
        // Sorting once the buffer holds twice what is kept costs O(log keep)
        // a match, like a heap, with simpler code.
        if self.top.len() >= 2 * self.keep.max(16) {
            best_first(&mut self.top, self.keep);
        }
    }

    fn harvest(mut self) -> PageFruit {
        best_first(&mut self.top, self.keep);
        let facets = self
            .facets
            .into_iter()
            .map(|(column, counts)| {
                let mut by_value = HashMap::new();
                let Some(column) = column else {
                    return by_value;
                };
                for (ord, n) in counts.into_iter().enumerate() {
                    let mut value = String::new();
                    if n > 0 && matches!(column.ord_to_str(ord as u64, &mut value), Ok(true)) {
                        by_value.insert(value, n);
                    }
                }
                by_value
            })
            .collect();
        PageFruit {
            total: self.total,
            remaining: self.remaining,
            top: self.top,
            facets,
        }
    }
}

fn best_first(top: &mut Vec<Candidate>, keep: usize) {
    top.sort_unstable_by_key(|c| Reverse(c.rank));
    top.truncate(keep);
}
