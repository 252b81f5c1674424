//! Per-segment report tables for grouping by bureau: each section's report,
//! each report's bureau (a slot over the segment's distinct bureaus) and
//! year, read from fast fields once per segment and kept
//! by the engine ([`BureauTables`]) for the requests that follow.
//!
//! Grouping reads a matching section's report ordinal and, at each new
//! report, its bureau, region and year from five columns, then finds the
//! bureau's slot. For a common phrase (655,000 sections of 100,000 reports)
//! that was half the time of a `bureaus` request; with the table it is two
//! array reads per section. Segments never change (deletions aside, which
//! grouping checks itself), so a table stays valid for its segment's life.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader};

/// A segment's sections grouped by report and bureau (see the module docs).
#[derive(Debug)]
pub(super) struct SegmentTable {
    /// Report number of each section: reports are numbered in document
    /// order (not by `doc_id` ordinal, which is random in document order),
    /// so that a grouping reads the report arrays front to back.
    pub(super) doc_report: Vec<u32>,
    /// Slot of each report's bureau, and the report's year.
    pub(super) reports: Vec<(u32, Option<u64>)>,
    /// Column ordinals (bureau, province, city, county) of each slot.
    pub(super) keys: Vec<[Option<u64>; 4]>,
}

impl SegmentTable {
    /// Read the table of a segment; `None` when a section has no report
    /// (not an index fazhi wrote: grouping then reads the columns itself).
    fn build(reader: &SegmentReader) -> anyhow::Result<Option<SegmentTable>> {
        const LEN: usize = 1024;
        let ff = reader.fast_fields();
        let Some(report) = ff.str("doc_id")? else {
            return Ok(None);
        };
        let columns = [
            ff.str("bureau")?,
            ff.str("province")?,
            ff.str("city")?,
            ff.str("county")?,
        ];
        let year = ff.u64("report_year").ok();
        let max = reader.max_doc();
        let mut doc_report = Vec::with_capacity(max as usize);
        // Report number of each `doc_id` ordinal (`u32::MAX`: not seen yet).
        let mut number = vec![u32::MAX; crate::index::scan::term_count(&report)?];
        let mut report_key: Vec<[Option<u64>; 4]> = Vec::new();
        let mut report_year: Vec<Option<u64>> = Vec::new();
        let mut docs = [0 as DocId; LEN];
        let mut ords = [None; LEN];
        let mut starts = [0 as DocId; LEN];
        let mut first = [0u32; LEN];
        let mut values = [None; LEN];
        for start in (0..max).step_by(LEN) {
            let end = (start + LEN as u32).min(max);
            let n = (end - start) as usize;
            for (i, d) in docs[..n].iter_mut().enumerate() {
                *d = start + i as DocId;
            }
            ords[..n].fill(None);
            report.ords().first_vals(&docs[..n], &mut ords[..n]);
            // The first section of each report not seen yet.
            let mut m = 0;
            for (i, ord) in ords[..n].iter().enumerate() {
                let Some(ord) = *ord else {
                    return Ok(None);
                };
                if number[ord as usize] == u32::MAX {
                    // Numbered now, its columns read below.
                    number[ord as usize] = report_key.len() as u32;
                    report_key.push([None; 4]);
                    report_year.push(None);
                    starts[m] = docs[i];
                    first[m] = number[ord as usize];
                    m += 1;
                }
                doc_report.push(number[ord as usize]);
            }
            for (c, column) in columns.iter().enumerate() {
                let Some(column) = column else {
                    continue;
                };
                values[..m].fill(None);
                column.ords().first_vals(&starts[..m], &mut values[..m]);
                for k in 0..m {
                    report_key[first[k] as usize][c] = values[k];
                }
            }
            if let Some(year) = &year {
                values[..m].fill(None);
                year.first_vals(&starts[..m], &mut values[..m]);
                for k in 0..m {
                    report_year[first[k] as usize] = values[k];
                }
            }
        }
        // Distinct bureaus in key order (ordinals order like names).
        // Bureaus numbered as they first appear, as grouping without the
        // table numbers them: a bureau's reports are mostly neighbours, so
        // the per-bureau counters are then read front to back too (in name
        // order, a cache miss at every report). The first slot of a bureau
        // name is found by its ordinal, another region's in a map.
        let names = match &columns[0] {
            Some(c) => crate::index::scan::term_count(c)?,
            None => 0,
        };
        let mut by_bureau = vec![u32::MAX; names];
        let mut others: HashMap<[Option<u64>; 4], u32> = HashMap::new();
        let mut keys: Vec<[Option<u64>; 4]> = Vec::new();
        let mut reports = Vec::with_capacity(report_key.len());
        for (key, year) in report_key.iter().zip(report_year) {
            let first = key[0].map_or(u32::MAX, |b| by_bureau[b as usize]);
            let next = keys.len() as u32;
            let slot = match key[0] {
                Some(b) if first == u32::MAX => {
                    by_bureau[b as usize] = next;
                    next
                }
                _ if first != u32::MAX && keys[first as usize] == *key => first,
                _ => *others.entry(*key).or_insert(next),
            };
            if slot == next {
                keys.push(*key);
            }
            reports.push((slot, year));
        }
        Ok(Some(SegmentTable {
            doc_report,
            reports,
            keys,
        }))
    }
}

/// The report tables of the segments grouped so far, by segment (owned by
/// the engine: one per opened index).
#[derive(Debug, Default)]
pub struct BureauTables {
    tables: Mutex<HashMap<SegmentId, Option<Arc<SegmentTable>>>>,
}

impl BureauTables {
    /// The table of a segment: kept, or built now if `build` (a grouping
    /// large enough to pay for reading the whole segment once).
    pub(super) fn get(
        &self,
        reader: &SegmentReader,
        build: bool,
    ) -> anyhow::Result<Option<Arc<SegmentTable>>> {
        let id = reader.segment_id();
        if let Some(kept) = self.lock().get(&id) {
            return Ok(kept.clone());
        }
        if !build {
            return Ok(None);
        }
        let table = SegmentTable::build(reader)?.map(Arc::new);
        self.lock().insert(id, table.clone());
        Ok(table)
    }

    /// Forget the tables of segments not in `live` (merged away).
    pub(super) fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Option<Arc<SegmentTable>>>> {
        // A panic while holding the lock leaves only whole entries behind.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }
}
