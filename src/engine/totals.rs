//! How many sections, reports and bureaus a result holds — the numbers
//! behind `search`'s and `topic`'s closing line (`10 of 382 sections in 41
//! reports; -n 0 for all`) and their `--count`.
//!
//! Why apart from the listing: a page loads ten sections, but the totals
//! are over every match, so they are counted from fast fields (each match's
//! `doc_id` and `bureau` term ordinals), never from stored text — except
//! under `--within`, whose matches can only be told by reading them.

use std::collections::HashSet;

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
    let mut reports = Distinct::default();
    let mut bureaus = Distinct::default();
    let mut by_segment: Vec<Vec<u32>> = vec![Vec::new(); segments.len()];
    for a in addrs {
        by_segment[a.segment_ord as usize].push(a.doc_id);
    }
    for (segment, docs) in segments.iter().zip(&by_segment) {
        if docs.is_empty() {
            continue;
        }
        let ff = segment.fast_fields();
        reports.add(ff.str("doc_id")?.as_ref(), docs)?;
        bureaus.add(ff.str("bureau")?.as_ref(), docs)?;
    }
    Ok(Totals {
        sections: addrs.len(),
        reports: reports.values.len(),
        bureaus: bureaus.values.len(),
    })
}

/// Distinct non-empty values of one string column across segments.
#[derive(Default)]
struct Distinct {
    values: HashSet<Vec<u8>>,
}

impl Distinct {
    /// Add the values of `docs` (one segment's) in `column`.
    fn add(&mut self, column: Option<&StrColumn>, docs: &[u32]) -> anyhow::Result<()> {
        let Some(column) = column else {
            return Ok(());
        };
        let mut ords: Vec<u64> = docs
            .iter()
            .filter_map(|&d| column.ords().first(d))
            .collect();
        ords.sort_unstable();
        ords.dedup();
        let mut bytes = Vec::new();
        for ord in ords {
            bytes.clear();
            column.ord_to_bytes(ord, &mut bytes)?;
            if !bytes.is_empty() {
                self.values.insert(bytes.clone());
            }
        }
        Ok(())
    }
}
