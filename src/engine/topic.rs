//! Topic ranking: sections ranked by their stored score for one topic.
//!
//! Ranking reads only the topic's score column (scores were computed at
//! index time); the term breakdown of each hit is recomputed from its stored
//! text with the same taxonomy, which [`super::Engine::scored_taxonomy`]
//! guarantees by the index's fingerprint.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Order, Searcher};

use crate::analysis::normalize;
use crate::index::IndexHandle;
use crate::query::{
    Filters, Hit, INDEX_ORDER_MIN, SNIPPET_WIDTH, StoredSection, TopicFilter, filter_query,
    load_section, map_ranked_parts, snippet, sort_ranked,
};
use crate::topics::{Explanation, Taxonomy, score_field};

/// One term's part in a hit's score (the JSON `terms` entries).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TermCount {
    pub term: String,
    /// Occurrences in heading and body.
    pub count: u32,
    pub weight: f64,
}

/// A ranked section for a topic: the search hit shape plus topic fields.
#[derive(Debug, Clone, Serialize)]
pub struct TopicHit {
    #[serde(flatten)]
    pub hit: Hit,
    pub topic: String,
    pub topic_score: f64,
    pub terms: Vec<TermCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

/// The sections of topic `slot` (score at least `filters.min_score`, else
/// the taxonomy's `main_min`), best first.
pub fn rank_topic(
    handle: &IndexHandle,
    taxonomy: &Taxonomy,
    slot: usize,
    filters: &Filters,
    limit: Option<usize>,
    explain: bool,
) -> anyhow::Result<Vec<TopicHit>> {
    let mut hits = Vec::new();
    let ranking = TopicRanking {
        handle,
        taxonomy,
        topic: TopicFilter {
            slot,
            min_score: filters.min_score.unwrap_or(taxonomy.scoring().main_min),
        },
        explain,
    };
    ranking.run(filters, limit, usize::MAX, &mut |chunk| {
        hits.extend(chunk);
        Ok(())
    })?;
    Ok(hits)
}

/// One topic's ranking, for [`TopicRanking::run`].
pub struct TopicRanking<'a> {
    pub handle: &'a IndexHandle,
    pub taxonomy: &'a Taxonomy,
    /// The topic and the score from which a section is one of its sections.
    pub topic: TopicFilter,
    pub explain: bool,
}

impl TopicRanking<'_> {
    /// [`rank_topic`], handing the hits to `sink` in rank order, at most
    /// `chunk` at a time (see [`crate::query::search_chunked`]); returns how
    /// many there were.
    pub fn run(
        &self,
        filters: &Filters,
        limit: Option<usize>,
        chunk: usize,
        sink: &mut dyn FnMut(Vec<TopicHit>) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let (handle, taxonomy, topic, explain) =
            (self.handle, self.taxonomy, self.topic, self.explain);
        let slot = topic.slot;
        let searcher = handle.reader.searcher();
        let all = (searcher.num_docs() as usize).max(1);
        let fetch = limit.filter(|&n| n > 0).map_or(all, |n| n.min(all));
        let name = score_field(slot);
        let mut top: Vec<(f64, DocAddress)> = if filters.is_empty() {
            top_of_column(&searcher, &name, fetch, topic)?
        } else {
            let q = filter_query(&searcher, &handle.fields, filters)?;
            let collector =
                TopDocs::with_limit(fetch).order_by_fast_field::<f64>(name, Order::Desc);
            searcher
                .search(&q, &collector)?
                .into_iter()
                .filter_map(|(score, addr)| score.filter(|&s| topic.admits(s)).map(|s| (s, addr)))
                .collect()
        };
        sort_ranked(&mut top);
        if limit.is_none() || top.len() >= INDEX_ORDER_MIN {
            let addrs: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
            let map = |i: usize, s| Some(topic_hit(i + 1, top[i].0, s, taxonomy, slot, explain));
            return map_ranked_parts(&searcher, &handle.fields, &addrs, chunk, map, sink);
        }
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let s = load_section(&searcher, &handle.fields, addr)?;
            hits.push(topic_hit(hits.len() + 1, score, s, taxonomy, slot, explain));
        }
        let n = hits.len();
        sink(hits)?;
        Ok(n)
    }
}

/// The `k` largest values of the f64 fast field `name` that `topic` admits
/// among live sections, by a scan of the column's stored values only: the score
/// columns are sparse (a section has a value only for the topics it
/// touches), so this reads a fraction of the sections and never visits a
/// posting list — 20× faster than a collector over all documents. Ties keep
/// the lower address.
///
/// A short list (up to [`SMALL_K`]) is kept sorted while scanning; a list
/// that may hold every value (`--limit 0`) is collected and sorted once.
fn top_of_column(
    searcher: &Searcher,
    name: &str,
    k: usize,
    topic: TopicFilter,
) -> anyhow::Result<Vec<(f64, DocAddress)>> {
    let mut top: Vec<(f64, DocAddress)> = Vec::new();
    let mut chunk = vec![0f64; 4096];
    let mut candidates: Vec<(f64, u32)> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let column = reader.fast_fields().f64(name)?;
        let alive = reader.alive_bitset();
        let num_vals = column.values.num_vals() as u64;
        // Keep everything and sort once when the list may hold all values.
        let collect = k > SMALL_K || k as u64 >= num_vals;
        // (value, doc) of this segment's best, best first.
        let mut best: Vec<(f64, u32)> = Vec::new();
        let mut start = 0u64;
        while start < num_vals {
            let len = (num_vals - start).min(chunk.len() as u64) as usize;
            column.values.get_range(start, &mut chunk[..len]);
            // Values that would enter the list, with their value ranks…
            candidates.clear();
            for (i, &v) in chunk[..len].iter().enumerate() {
                if topic.admits(v) && (collect || best.len() < k || v > best[k - 1].0) {
                    candidates.push((v, (start as usize + i) as u32));
                }
            }
            // …turned into doc ids (ascending ranks give ascending docs).
            rows.clear();
            rows.extend(candidates.iter().map(|c| c.1));
            column.index.select_batch_in_place(0, &mut rows);
            for (&(v, _), &doc) in candidates.iter().zip(&rows) {
                let live = alive.is_none_or(|a| a.is_alive(doc));
                if !live {
                    continue;
                }
                if collect {
                    best.push((v, doc));
                } else if best.len() < k || v > best[k - 1].0 {
                    let at = best.partition_point(|b| b.0 >= v);
                    best.insert(at, (v, doc));
                    best.truncate(k);
                }
            }
            start += len as u64;
        }
        if collect {
            sort_ranked(&mut best);
            best.truncate(k);
        }
        top.extend(
            best.iter()
                .map(|&(v, doc)| (v, DocAddress::new(ord as u32, doc))),
        );
    }
    sort_ranked(&mut top);
    top.truncate(k);
    Ok(top)
}

/// The longest top list [`top_of_column`] keeps sorted by insertion.
const SMALL_K: usize = 1024;

fn topic_hit(
    rank: usize,
    score: f64,
    s: StoredSection,
    taxonomy: &Taxonomy,
    slot: usize,
    explain: bool,
) -> TopicHit {
    let text = s.text();
    let ex = taxonomy.explain(slot, &s.heading, &s.body);
    let terms: Vec<TermCount> = ex
        .terms
        .iter()
        .map(|t| TermCount {
            term: t.term.clone(),
            count: t.body + t.heading,
            weight: t.weight,
        })
        .collect();
    let norms: Vec<String> = ex.terms.iter().map(|t| normalize(&t.term)).collect();
    let needles: Vec<&str> = norms.iter().map(String::as_str).collect();
    let snip = snippet(&text, &needles, SNIPPET_WIDTH);
    let matched = terms.iter().map(|t| t.term.clone()).collect();
    let hit = Hit::new(rank, score as f32, s, snip, matched);
    TopicHit {
        hit,
        topic: taxonomy.names[slot].clone(),
        topic_score: score,
        terms,
        explain: explain.then_some(ex),
    }
}
