//! How many sections, reports and bureaus a result holds — the numbers
//! behind `search`'s and `topic`'s closing line (`10 of 382 sections in 41
//! reports; -n 0 for all`) and their `--count`.
//!
//! Why apart from the listing: a page loads ten sections, but the totals
//! are over every match, so they are counted from fast fields (each match's
//! `doc_id` and `bureau` term ordinals), never from stored text — except
//! under `--within`, whose matches can only be told by reading them.

use serde::Serialize;
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, Searcher};

/// The size of a result. Field names are the JSON contract of `--count`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Matching sections.
    pub sections: usize,
    /// Distinct reports they belong to.
    pub reports: usize,
    /// Distinct bureaus of those reports (reports without one not counted).
    pub bureaus: usize,
}

/// The totals of the sections at `addrs` (each once).
pub fn totals_of(searcher: &Searcher, addrs: &[DocAddress]) -> anyhow::Result<Totals> {
    let segments = searcher.segment_readers();
    // One segment: its ordinals are the values, no term is read. Several:
    // a report's sections may lie in two of them, so the terms count,
    // read in one pass over each dictionary (a lookup per ordinal
    // decompresses a dictionary block each time: 3 s for 法治 at 100k).
    let by_term = segments.len() > 1;
    let mut by_segment: Vec<Vec<u32>> = vec![Vec::new(); segments.len()];
    for a in addrs {
        by_segment[a.segment_ord as usize].push(a.doc_id);
    }
    let count = |field: &str| -> anyhow::Result<usize> {
        let mut distinct = Distinct::new(by_term);
        for (segment, docs) in segments.iter().zip(&by_segment) {
            if !docs.is_empty() {
                distinct.add(segment.fast_fields().str(field)?.as_ref(), docs)?;
            }
        }
        Ok(distinct.len())
    };
    // Each column is a pass over every match (1.25 M sections for 法治 at
    // 100k): the two run on two threads.
    let (reports, bureaus) = std::thread::scope(|scope| {
        let bureaus = scope.spawn(|| count("bureau"));
        (count("doc_id"), bureaus.join())
    });
    let bureaus = bureaus.map_err(|_| anyhow::anyhow!("counting bureaus failed"))??;
    Ok(Totals {
        sections: addrs.len(),
        reports: reports?,
        bureaus,
    })
}

/// Distinct non-empty values of one string column across segments.
struct Distinct {
    by_term: bool,
    /// Per segment added: its values, sorted (as the dictionary holds them).
    segments: Vec<SortedTerms>,
    /// Values counted by ordinal (one segment).
    ordinals: usize,
}

/// Sorted byte strings in one buffer (no allocation per value).
#[derive(Default)]
struct SortedTerms {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl SortedTerms {
    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.bytes[start..end])
    }
}

impl Distinct {
    fn new(by_term: bool) -> Distinct {
        Distinct {
            by_term,
            segments: Vec::new(),
            ordinals: 0,
        }
    }

    /// The number of distinct values: the segments' sorted lists merged.
    fn len(&self) -> usize {
        let mut next = vec![0usize; self.segments.len()];
        let mut count = 0;
        loop {
            let smallest = self
                .segments
                .iter()
                .zip(&next)
                .filter_map(|(terms, &i)| terms.get(i))
                .min();
            let Some(smallest) = smallest else {
                return self.ordinals + count;
            };
            count += 1;
            for (terms, i) in self.segments.iter().zip(next.iter_mut()) {
                if terms.get(*i) == Some(smallest) {
                    *i += 1;
                }
            }
        }
    }

    /// Add the values of `docs` (one segment's) in `column`.
    fn add(&mut self, column: Option<&StrColumn>, docs: &[u32]) -> anyhow::Result<()> {
        let Some(column) = column else {
            return Ok(());
        };
        // Seen ordinals as a bitmap: sorted and distinct without a sort.
        let mut seen = vec![false; crate::index::scan::term_count(column)?];
        for &doc in docs {
            if let Some(ord) = column.ords().first(doc)
                && let Some(slot) = seen.get_mut(ord as usize)
            {
                *slot = true;
            }
        }
        let ords: Vec<u64> = (0..seen.len() as u64)
            .filter(|&o| seen[o as usize])
            .collect();
        if !self.by_term {
            // The empty value, if indexed, is the dictionary's first term.
            let mut first = Vec::new();
            let empty =
                ords.first() == Some(&0) && column.ord_to_bytes(0, &mut first)? && first.is_empty();
            self.ordinals += ords.len() - usize::from(empty);
            return Ok(());
        }
        let mut terms = SortedTerms::default();
        column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if !bytes.is_empty() {
                terms.bytes.extend_from_slice(bytes);
                terms.ends.push(terms.bytes.len());
            }
        })?;
        self.segments.push(terms);
        Ok(())
    }
}
