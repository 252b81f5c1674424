//! Ranked match lists: the one tie-break order, every match of a query
//! unloaded (12 bytes each), and re-scoring by a topic's score column.

use tantivy::query::Query as TQuery;
use tantivy::{DocAddress, Searcher};

/// A score that ranks: compared totally (NaN has a place), higher first.
pub trait RankScore: Copy {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering;
}

impl RankScore for f32 {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.total_cmp(self)
    }
}

impl RankScore for f64 {
    fn rank_cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.total_cmp(self)
    }
}

/// Sort `(score, address)` pairs best first; equal scores by address, so
/// that a ranking is the same on every run over the same index.
pub fn sort_ranked<S: RankScore, A: Ord>(list: &mut [(S, A)]) {
    list.sort_by(|a, b| a.0.rank_cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// Replace the scores of `matches` by the sections' scores for topic
/// `slot`, and re-sort best first.
pub fn rescore_by_topic(searcher: &Searcher, slot: usize, matches: &mut [(f32, DocAddress)]) {
    let field = crate::topics::score_field(slot);
    let columns: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.fast_fields().f64(&field).ok())
        .collect();
    for (score, addr) in matches.iter_mut() {
        *score = columns[addr.segment_ord as usize]
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0.0) as f32;
    }
    sort_ranked(matches);
}

/// Every match of `q`, best first (ties by address): 12 bytes per match,
/// so a caller can hold millions of them and load documents one at a time
/// (exports stream this way). Without `scoring` all scores are 0 and the
/// order is the index order.
pub fn all_matches(
    searcher: &Searcher,
    q: &dyn TQuery,
    scoring: bool,
) -> anyhow::Result<Vec<(f32, DocAddress)>> {
    let mut all = searcher.search(q, &AllMatches { scoring })?;
    sort_ranked(&mut all);
    Ok(all)
}

/// Collects every matching document with its score.
struct AllMatches {
    scoring: bool,
}

struct SegmentMatches {
    segment: u32,
    docs: Vec<(f32, DocAddress)>,
}

impl tantivy::collector::Collector for AllMatches {
    type Fruit = Vec<(f32, DocAddress)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: u32,
        _reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(f32, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut out = Vec::with_capacity(fruits.iter().map(Vec::len).sum());
        fruits.into_iter().for_each(|f| out.extend(f));
        Ok(out)
    }
}

impl tantivy::collector::SegmentCollector for SegmentMatches {
    type Fruit = Vec<(f32, DocAddress)>;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        self.docs.push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.docs
    }
}
