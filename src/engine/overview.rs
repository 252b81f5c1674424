//! Corpus overviews (`topics`, `matrix`, later the web UI's facets) from
//! fast fields alone: every section passing the filters, with its report,
//! its bureau and its topic scores, handed to a visitor one at a time.
//!
//! Why this shape: at 100,000 reports there are 1.75 M sections. Building
//! a record with two strings and a score vector for each (what the
//! overviews did) costs an allocation per field per section and holds them
//! all; here a section is two numbers and a borrowed score slice, the
//! caller keeps only its counters, and the columns are read in blocks
//! (`first_vals`) rather than a lookup per section and column. Reports
//! and bureaus are numbered by name across segments (a report's sections
//! may lie in two segments of an incrementally updated index), so the
//! numbers can be counted distinctly: the segments' term dictionaries are
//! sorted, so they are merged rather than hashed, and a single segment's
//! term ordinals are the numbers themselves.

use tantivy::DocAddress;
use tantivy::columnar::{Column, ColumnIndex, StrColumn};

use crate::index::IndexHandle;
use crate::query::{Filters, all_matches, filter_query};
use crate::topics::{MAX_TOPICS, score_field};

/// One section as the overviews see it.
#[derive(Debug, Clone, Copy)]
pub struct SectionRow<'a> {
    /// The section's report: equal numbers, same report.
    pub report: u32,
    /// The report's bureau, an index into [`SectionScan::bureaus`].
    pub bureau: Option<u32>,
    /// Scores for topic slots `0..slots` (0 where the section has none).
    pub scores: &'a [f64],
}

/// What a scan leaves besides the rows: the names behind the numbers.
#[derive(Debug, Default)]
pub struct SectionScan {
    /// Bureau names by number: distinct, in byte order.
    pub bureaus: Vec<String>,
    /// Report numbers are below this.
    pub reports: usize,
}

/// Numbers for the terms of one string column across segments: equal
/// terms share a number, and numbers follow the terms' byte order (each
/// segment's dictionary is sorted, so they are merged, not hashed).
#[derive(Debug, Default)]
struct TermNumbers {
    /// Per segment, the number of each term ordinal.
    by_segment: Vec<Vec<u32>>,
    /// How many numbers there are.
    count: u32,
    /// The number of the empty term, if any segment has one.
    empty: Option<u32>,
    /// The terms by number (when asked for).
    names: Vec<String>,
}

impl TermNumbers {
    fn new(cols: &[Option<StrColumn>], with_names: bool) -> anyhow::Result<TermNumbers> {
        let mut out = TermNumbers::default();
        let present: Vec<&StrColumn> = cols.iter().flatten().collect();
        if present.len() <= 1 {
            // One dictionary: the ordinals are the numbers.
            for col in cols {
                let n = match col {
                    Some(c) => crate::index::scan::term_count(c)? as u32,
                    None => 0,
                };
                out.by_segment.push((0..n).collect());
                out.count = out.count.max(n);
            }
            if let Some(col) = present.first() {
                let mut terms = col.dictionary().stream()?;
                let mut ord = 0u32;
                while terms.advance() {
                    if terms.key().is_empty() {
                        out.empty = Some(ord);
                    }
                    if with_names {
                        out.names
                            .push(String::from_utf8_lossy(terms.key()).into_owned());
                    }
                    ord += 1;
                }
            }
            return Ok(out);
        }
        // Each segment's terms, in one buffer with their ends.
        let mut lists: Vec<(Vec<u8>, Vec<usize>)> = Vec::with_capacity(cols.len());
        for col in cols {
            let (mut bytes, mut ends) = (Vec::new(), Vec::new());
            if let Some(col) = col {
                let mut terms = col.dictionary().stream()?;
                while terms.advance() {
                    bytes.extend_from_slice(terms.key());
                    ends.push(bytes.len());
                }
            }
            out.by_segment.push(vec![0; ends.len()]);
            lists.push((bytes, ends));
        }
        fn term(list: &(Vec<u8>, Vec<usize>), i: usize) -> &[u8] {
            let start = if i == 0 { 0 } else { list.1[i - 1] };
            &list.0[start..list.1[i]]
        }
        let mut next = vec![0usize; lists.len()];
        loop {
            let mut least: Option<&[u8]> = None;
            for (list, &i) in lists.iter().zip(&next) {
                if i < list.1.len() {
                    let t = term(list, i);
                    if least.is_none_or(|l| t < l) {
                        least = Some(t);
                    }
                }
            }
            let Some(least) = least else { break };
            let number = out.count;
            out.count += 1;
            if least.is_empty() {
                out.empty = Some(number);
            }
            if with_names {
                out.names.push(String::from_utf8_lossy(least).into_owned());
            }
            for (seg, (list, i)) in lists.iter().zip(next.iter_mut()).enumerate() {
                if *i < list.1.len() && term(list, *i) == least {
                    out.by_segment[seg][*i] = number;
                    *i += 1;
                }
            }
        }
        Ok(out)
    }
}

/// Sections per block read from the columns at once.
const BLOCK: usize = 1024;

/// Hand every section passing `filters` to `visit`, in index order, with
/// its scores for topic slots `0..slots`.
pub fn scan_sections(
    handle: &IndexHandle,
    filters: &Filters,
    slots: usize,
    mut visit: impl FnMut(SectionRow<'_>),
) -> anyhow::Result<SectionScan> {
    let searcher = handle.reader.searcher();
    let slots = slots.min(MAX_TOPICS);
    let selected = selected_docs(handle, filters)?;
    let segments = searcher.segment_readers();
    let mut doc_ids = Vec::with_capacity(segments.len());
    let mut bureau_cols = Vec::with_capacity(segments.len());
    for segment in segments {
        let ff = segment.fast_fields();
        doc_ids.push(ff.str("doc_id")?);
        bureau_cols.push(ff.str("bureau")?);
    }
    let reports = TermNumbers::new(&doc_ids, false)?;
    let bureaus = TermNumbers::new(&bureau_cols, true)?;
    // Sections without a report id count as one report, with the empty id.
    let no_report = reports.empty.unwrap_or(reports.count);
    let mut report_ords = vec![None; BLOCK];
    let mut bureau_ords = vec![None; BLOCK];
    let mut dense: Vec<f64> = Vec::new();
    let mut scratch = Scratch::default();
    for (ord, segment) in segments.iter().enumerate() {
        let docs: Vec<u32> = match &selected {
            None => segment.doc_ids_alive().collect(),
            Some(addrs) => addrs
                .iter()
                .filter(|a| a.segment_ord as usize == ord)
                .map(|a| a.doc_id)
                .collect(),
        };
        let ff = segment.fast_fields();
        let (doc_id, bureau) = (&doc_ids[ord], &bureau_cols[ord]);
        let report_ids = &reports.by_segment[ord];
        let bureau_ids = &bureaus.by_segment[ord];
        let columns = (0..slots)
            .map(|s| ff.f64(&score_field(s)))
            .collect::<Result<Vec<_>, _>>()?;
        for block in docs.chunks(BLOCK) {
            let n = block.len();
            read_ords(doc_id, block, &mut report_ords[..n]);
            read_ords(bureau, block, &mut bureau_ords[..n]);
            read_scores(&columns, block, &mut dense, &mut scratch);
            for i in 0..n {
                let report = match report_ords[i] {
                    Some(o) => report_ids[o as usize],
                    None => no_report,
                };
                visit(SectionRow {
                    report,
                    bureau: bureau_ords[i].map(|o| bureau_ids[o as usize]),
                    scores: &dense[i * slots..(i + 1) * slots],
                });
            }
        }
    }
    Ok(SectionScan {
        bureaus: bureaus.names,
        reports: reports.count as usize + 1,
    })
}

/// Buffers of [`read_scores`], reused from block to block.
#[derive(Default)]
struct Scratch {
    values: Vec<f64>,
    docs: Vec<u32>,
    firsts: Vec<Option<f64>>,
}

/// The scores of the docs of `block` (ascending) for each column into
/// `dense`, one row of `columns.len()` per doc (0 where a doc has none).
///
/// The score columns are sparse (a section has values only for the topics
/// it touches): when the block's docs are dense enough, each column's
/// values for the block's doc range are read in one run and placed by
/// their doc ids (work in proportion to the values); otherwise each doc is
/// looked up (`first_vals`).
fn read_scores(
    columns: &[Column<f64>],
    block: &[u32],
    dense: &mut Vec<f64>,
    scratch: &mut Scratch,
) {
    let (n, slots) = (block.len(), columns.len());
    dense.clear();
    dense.resize(n * slots, 0.0);
    let (Some(&first), Some(&last)) = (block.first(), block.last()) else {
        return;
    };
    let dense_enough = ((last - first) as usize) < 2 * n;
    for (slot, column) in columns.iter().enumerate() {
        let by_range = dense_enough
            && matches!(
                column.index,
                ColumnIndex::Full | ColumnIndex::Optional(_) | ColumnIndex::Empty { .. }
            );
        if !by_range {
            scratch.firsts.resize(n, None);
            column.first_vals(block, &mut scratch.firsts[..n]);
            for (i, v) in scratch.firsts[..n].iter().enumerate() {
                dense[i * slots + slot] = v.unwrap_or(0.0);
            }
            continue;
        }
        let rows = column.index.docid_range_to_rowids(first..last + 1);
        scratch.values.resize(rows.len(), 0.0);
        column
            .values
            .get_range(u64::from(rows.start), &mut scratch.values[..rows.len()]);
        scratch.docs.clear();
        scratch.docs.extend(rows);
        column.index.select_batch_in_place(first, &mut scratch.docs);
        if (last - first) as usize + 1 == n {
            // Every doc of the range (no filter, no deletion): placed by offset.
            for (&doc, &v) in scratch.docs.iter().zip(&scratch.values) {
                dense[(doc - first) as usize * slots + slot] = v;
            }
            continue;
        }
        // Both ascend: walk them together.
        let mut i = 0;
        for (&doc, &v) in scratch.docs.iter().zip(&scratch.values) {
            while i < n && block[i] < doc {
                i += 1;
            }
            if i < n && block[i] == doc {
                dense[i * slots + slot] = v;
            }
        }
    }
}

/// The first term ordinal of each doc of `block` in a string column.
fn read_ords(col: &Option<StrColumn>, block: &[u32], out: &mut [Option<u64>]) {
    match col {
        Some(col) => col.ords().first_vals(block, out),
        None => out.fill(None),
    }
}

/// The sections passing `filters`, sorted by address; `None` when there
/// are no filters (every live section).
fn selected_docs(
    handle: &IndexHandle,
    filters: &Filters,
) -> anyhow::Result<Option<Vec<DocAddress>>> {
    if filters.is_empty() {
        return Ok(None);
    }
    let searcher = handle.reader.searcher();
    let q = filter_query(&searcher, &handle.fields, filters)?;
    // Unscored, all scores are 0: sorted by address.
    let matches = all_matches(&searcher, q.as_ref(), false)?;
    Ok(Some(matches.into_iter().map(|(_, addr)| addr).collect()))
}
