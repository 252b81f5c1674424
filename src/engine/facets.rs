//! Facet counts of a search (the web UI's "narrow by" lists): how many of
//! the matching sections fall in each province, report year, bureau and
//! topic — exact counts over every match, not estimates from a page.
//!
//! Why here: the counts must be of the very set of sections a search
//! returns (same query, filters, topic restriction and `--within`), so
//! they are computed from the engine's own request. The matches are held
//! as addresses (8 bytes each) and counted from fast-field columns by term
//! ordinal per segment; only `--within` reads stored text (it is decided
//! on the text, as in a search).

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::{DocAddress, Searcher};

use super::{Engine, SearchRequest};
use crate::query::{self, Filters, map_sections, matches_within};
use crate::topics::score_field;

/// One value of a facet and the matching sections carrying it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

/// One facet: its values, most sections first (ties by value; years by
/// year, latest first), and how many values were cut off by the limit.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Facet {
    pub values: Vec<FacetCount>,
    /// Values not listed (beyond the limit).
    pub more: usize,
}

/// Facet counts of a search. Sections without a value (an unknown
/// province or year) are in `total` but in no value's count.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Facets {
    /// Matching sections (the search's hit count).
    pub total: usize,
    pub province: Facet,
    pub year: Facet,
    pub bureau: Facet,
    /// Sections discussing each topic (score ≥ the one topic threshold, `--min-score`).
    pub topic: Facet,
}

impl Engine {
    /// The number of hits `req` has (ignoring its limit): a count of
    /// postings, unless `within` needs the text of every match.
    pub fn count(&self, req: &SearchRequest) -> anyhow::Result<usize> {
        if req.within.is_some() {
            return Ok(self.matching_docs(req)?.len());
        }
        let filters = self.with_topic(&req.filters, req.topic.as_deref())?;
        let searcher = self.searcher();
        let q = query::full_query(&searcher, &self.handle.fields, &req.query, &filters)?;
        Ok(searcher.search(q.as_ref(), &Count)?)
    }

    /// Facet counts over every hit of `req` (its limit is ignored); at
    /// most `limit` values per facet.
    pub fn facets(&self, req: &SearchRequest, limit: usize) -> anyhow::Result<Facets> {
        let docs = self.matching_docs(req)?;
        let searcher = self.searcher();
        let mut counts = RawCounts::default();
        // A taxonomy that does not match the index has no topic facet
        // (the search itself does not need it).
        let taxonomy = self.scored_taxonomy().ok();
        let threshold = self.topic_threshold(&req.filters).ok();
        let slots = taxonomy.map_or(0, |t| t.names.len());
        counts.topic = vec![0; slots];
        let mut start = 0;
        while start < docs.len() {
            let segment = docs[start].segment_ord;
            let end = start + docs[start..].partition_point(|a| a.segment_ord == segment);
            let in_segment: Vec<u32> = docs[start..end].iter().map(|a| a.doc_id).collect();
            let covers = |score: f64| threshold.is_some_and(|t| score > 0.0 && score >= t);
            counts.add_segment(&searcher, segment, &in_segment, covers, slots)?;
            start = end;
        }
        let topic_names = taxonomy.map(|t| t.names.clone()).unwrap_or_default();
        Ok(Facets {
            total: docs.len(),
            province: facet(counts.province, limit, false),
            year: facet(counts.year, limit, true),
            bureau: facet(counts.bureau, limit, false),
            topic: facet(topic_names.into_iter().zip(counts.topic), limit, false),
        })
    }

    /// Every hit of `req`, by address (`within` checked on the text): what
    /// the facets and the totals of a search count.
    pub(super) fn matching_docs(&self, req: &SearchRequest) -> anyhow::Result<Vec<DocAddress>> {
        let filters: Filters = self.with_topic(&req.filters, req.topic.as_deref())?;
        let searcher = self.searcher();
        let f = &self.handle.fields;
        let q = query::full_query(&searcher, f, &req.query, &filters)?;
        let addrs: Vec<DocAddress> = query::all_matches(&searcher, q.as_ref(), false)?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let Some(within) = req.within else {
            return Ok(addrs);
        };
        let keep = map_sections(&searcher, f, &addrs, |_, s| {
            matches_within(&req.query, &s.text(), within)
        })?;
        Ok(addrs
            .into_iter()
            .zip(keep)
            .filter_map(|(a, k)| k.then_some(a))
            .collect())
    }
}

/// Counters by value name, summed over segments.
#[derive(Default)]
struct RawCounts {
    province: BTreeMap<String, usize>,
    year: BTreeMap<String, usize>,
    bureau: BTreeMap<String, usize>,
    topic: Vec<usize>,
}

impl RawCounts {
    /// Count the docs `docs` (ascending) of segment `segment`; `covers`
    /// says whether a topic score counts the section for the topic.
    fn add_segment(
        &mut self,
        searcher: &Searcher,
        segment: u32,
        docs: &[u32],
        covers: impl Fn(f64) -> bool,
        slots: usize,
    ) -> anyhow::Result<()> {
        let reader = searcher.segment_reader(segment);
        let ff = reader.fast_fields();
        for (name, counter) in [
            ("province", &mut self.province),
            ("bureau", &mut self.bureau),
        ] {
            let Some(col) = ff.str(name)? else { continue };
            let mut by_ord = vec![0usize; crate::index::scan::term_count(&col)?];
            for &doc in docs {
                if let Some(ord) = col.ords().first(doc) {
                    by_ord[ord as usize] += 1;
                }
            }
            let mut term = String::new();
            for (ord, &n) in by_ord.iter().enumerate() {
                if n > 0 && col.ord_to_str(ord as u64, &mut term)? && !term.is_empty() {
                    *counter.entry(term.clone()).or_default() += n;
                }
            }
        }
        if let Ok(years) = ff.u64("report_year") {
            let mut by_year: BTreeMap<u64, usize> = BTreeMap::new();
            for &doc in docs {
                if let Some(y) = years.first(doc) {
                    *by_year.entry(y).or_default() += 1;
                }
            }
            for (y, n) in by_year {
                *self.year.entry(y.to_string()).or_default() += n;
            }
        }
        let columns = (0..slots)
            .map(|s| ff.f64(&score_field(s)))
            .collect::<Result<Vec<_>, _>>()?;
        for (n, col) in self.topic.iter_mut().zip(&columns) {
            *n += docs
                .iter()
                .filter(|&&doc| col.first(doc).is_some_and(&covers))
                .count();
        }
        Ok(())
    }
}

/// Values with a count, best first, cut to `limit`.
fn facet(counts: impl IntoIterator<Item = (String, usize)>, limit: usize, by_value: bool) -> Facet {
    let mut values: Vec<FacetCount> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    if by_value {
        values.sort_by(|a, b| b.value.cmp(&a.value));
    } else {
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    }
    let more = values.len().saturating_sub(limit);
    values.truncate(limit);
    Facet { values, more }
}
