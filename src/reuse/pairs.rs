//! Listing pairs: the candidates of the sidecar, filtered, aligned exactly
//! (both files are read again and checked against the hashes stored at
//! index time) and ordered by shared text.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use super::align::{Passage, align};
use super::fold::{Folded, fold};
use super::store::Derived;
use crate::index::IndexHandle;
use crate::index::scan::{self, ReportFacts};
use crate::ingest::extract::{load_bytes, read_capped};
use crate::query::{Filters, all_matches, filter_query};

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ReuseRequest {
    pub filters: Filters,
    /// Pairs sharing fewer chars (folded) are left out.
    pub min_chars: usize,
    /// Only the pairs of this report (doc id, or its path).
    pub doc: Option<String>,
    /// Rows to return (`None`: all).
    pub limit: Option<usize>,
}

/// One side of a pair.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportRef {
    pub doc_id: String,
    pub path: String,
    pub bureau: Option<String>,
    pub report_year: Option<u64>,
    /// The report this one is an exact copy or a repost of.
    pub duplicate_of: Option<String>,
}

/// A shared passage: where it starts in each file, and its text (as the
/// earlier report writes it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PassageRow {
    pub earlier_line: usize,
    pub later_line: usize,
    /// Folded chars shared in this passage.
    pub chars: usize,
    pub text: String,
}

/// Two reports that share passages.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReusePair {
    pub earlier: ReportRef,
    pub later: ReportRef,
    /// False when the years are equal or unknown: `earlier` is then the
    /// first by path.
    pub ordered: bool,
    /// Folded chars the two share (sum of the passages).
    pub shared_chars: usize,
    /// Share of the later report's text that is shared (0–1).
    pub similarity: f64,
    /// `exact` (same text), `repost` (near-identical, same body and year) or `reuse`.
    pub kind: &'static str,
    pub passages: Vec<PassageRow>,
}

/// The pairs found, and how many there were before the limit.
#[derive(Debug, Default)]
pub struct ReuseListing {
    pub pairs: Vec<ReusePair>,
    pub total: usize,
    /// Reports that changed on disk since indexing (not aligned).
    pub stale_files: Vec<String>,
}

/// A report read again for alignment.
struct Loaded {
    text: String,
    folded: Folded,
    line_starts: Vec<usize>,
}

impl Loaded {
    fn line_of(&self, folded_at: usize) -> usize {
        let byte = self.folded.offsets.get(folded_at).copied().unwrap_or(0) as usize;
        self.line_starts.partition_point(|&s| s <= byte)
    }

    /// The original text from folded char `start` to `end` (exclusive).
    fn slice(&self, start: usize, end: usize) -> String {
        let from = self.folded.offsets[start] as usize;
        let last = self.folded.offsets[end - 1] as usize;
        let to = last + self.text[last..].chars().next().map_or(0, char::len_utf8);
        self.text[from..to].trim().to_string()
    }
}

/// The doc ids of reports passing `filters`; `None` when there are none.
fn filtered_reports(
    handle: &IndexHandle,
    filters: &Filters,
) -> anyhow::Result<Option<HashSet<String>>> {
    if filters.is_empty() {
        return Ok(None);
    }
    let searcher = handle.reader.searcher();
    let q = filter_query(&searcher, &handle.fields, filters)?;
    let mut out = HashSet::new();
    let mut columns = HashMap::new();
    for (_, addr) in all_matches(&searcher, q.as_ref(), false)? {
        let col = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .str("doc_id")?,
            ),
        };
        if let Some(col) = col
            && let Some(ord) = col.ords().first(addr.doc_id)
        {
            let mut id = String::new();
            col.ord_to_str(ord, &mut id)?;
            out.insert(id);
        }
    }
    Ok(Some(out))
}

/// The report a `--doc` names: a doc id, a path relative to the corpus, or
/// a path as indexed or given on the command line.
pub fn resolve_doc(
    derived: &Derived,
    corpus: &Path,
    facts: &BTreeMap<String, ReportFacts>,
    doc: &str,
) -> Option<usize> {
    let doc = doc.trim();
    let given = PathBuf::from(doc);
    derived.reports.iter().position(|id| id == doc).or_else(|| {
        derived.paths.iter().enumerate().position(|(i, rel)| {
            rel == doc
                || corpus.join(rel) == given
                || facts
                    .get(&derived.reports[i])
                    .is_some_and(|f| f.path == doc)
        })
    })
}

/// Read report `i` again (once) into `loaded`; false when it cannot be
/// read or changed since indexing (then it is listed in `stale`).
fn load_report(
    derived: &Derived,
    corpus: &Path,
    i: u32,
    loaded: &mut HashMap<u32, Option<Loaded>>,
    stale: &mut Vec<String>,
) -> bool {
    loaded
        .entry(i)
        .or_insert_with(|| {
            let path = corpus.join(&derived.paths[i as usize]);
            let bytes = read_capped(&path).ok()?;
            if xxh3_64(&bytes) != derived.bytes_hashes[i as usize] {
                stale.push(path.display().to_string());
                return None;
            }
            let text = load_bytes(&path, &bytes).ok()?.text;
            let folded = fold(&text);
            let mut line_starts = vec![0];
            line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|p| p + 1));
            Some(Loaded {
                text,
                folded,
                line_starts,
            })
        })
        .is_some()
}

/// List the pairs of `req` (see the module docs).
pub fn list(
    handle: &IndexHandle,
    corpus: &Path,
    derived: &Derived,
    req: &ReuseRequest,
) -> anyhow::Result<ReuseListing> {
    let facts = scan::reports(&handle.reader.searcher())?;
    let allowed = filtered_reports(handle, &req.filters)?;
    let doc = match &req.doc {
        Some(d) => Some(resolve_doc(derived, corpus, &facts, d).ok_or_else(|| {
            anyhow::anyhow!(
                "{d}: no such report in the index (give a doc id or the path of an indexed file)"
            )
        })?),
        None => None,
    };
    let duplicate_of: HashMap<&str, &str> = derived
        .exact_copies
        .iter()
        .chain(&derived.reposts)
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let exact: HashSet<(&str, &str)> = derived
        .exact_copies
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let reposts: HashSet<(&str, &str)> = derived
        .reposts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let wanted = |i: u32| {
        allowed
            .as_ref()
            .is_none_or(|set| set.contains(&derived.reports[i as usize]))
    };
    let selected: Vec<_> = derived
        .candidates
        .iter()
        .filter(|c| doc.is_none_or(|d| c.a as usize == d || c.b as usize == d))
        .filter(|c| wanted(c.a) || wanted(c.b))
        .filter(|c| c.estimate as usize * 2 >= req.min_chars)
        .collect();

    let mut loaded: HashMap<u32, Option<Loaded>> = HashMap::new();
    let mut stale_files = Vec::new();
    let reference = |i: u32| {
        let id = &derived.reports[i as usize];
        let f = facts.get(id);
        ReportRef {
            doc_id: id.clone(),
            path: f.map_or_else(|| derived.paths[i as usize].clone(), |f| f.path.clone()),
            bureau: f.and_then(|f| f.bureau.clone()),
            report_year: f.and_then(|f| f.report_year),
            duplicate_of: duplicate_of.get(id.as_str()).map(|s| s.to_string()),
        }
    };

    let mut pairs = Vec::new();
    for c in selected {
        let (ra, rb) = (reference(c.a), reference(c.b));
        let (ordered, (earlier, ei), (later, li)) = match (ra.report_year, rb.report_year) {
            (Some(x), Some(y)) if x != y => {
                if x < y {
                    (true, (ra, c.a), (rb, c.b))
                } else {
                    (true, (rb, c.b), (ra, c.a))
                }
            }
            _ if ra.path <= rb.path => (false, (ra, c.a), (rb, c.b)),
            _ => (false, (rb, c.b), (ra, c.a)),
        };
        if !load_report(derived, corpus, ei, &mut loaded, &mut stale_files)
            || !load_report(derived, corpus, li, &mut loaded, &mut stale_files)
        {
            continue;
        }
        let (e, l) = (&loaded[&ei], &loaded[&li]);
        let (Some(e), Some(l)) = (e, l) else { continue };
        let key = (later.doc_id.as_str(), earlier.doc_id.as_str());
        let key_rev = (earlier.doc_id.as_str(), later.doc_id.as_str());
        let kind = if exact.contains(&key) || exact.contains(&key_rev) {
            "exact"
        } else if reposts.contains(&key) || reposts.contains(&key_rev) {
            "repost"
        } else {
            "reuse"
        };
        // Copies of one text are reuse whatever it holds.
        let formulaic: &[u32] = if kind == "exact" {
            &[]
        } else {
            &derived.formulaic
        };
        let passages: Vec<Passage> = align(&e.folded.chars, &l.folded.chars, formulaic);
        let shared_chars: usize = passages.iter().map(|p| p.shared).sum();
        if shared_chars == 0 || shared_chars < req.min_chars {
            continue;
        }
        let similarity = shared_chars as f64 / l.folded.chars.len().max(1) as f64;
        let passages = passages
            .iter()
            .map(|p| PassageRow {
                earlier_line: e.line_of(p.a_start),
                later_line: l.line_of(p.b_start),
                chars: p.shared,
                text: e.slice(p.a_start, p.a_end),
            })
            .collect();
        pairs.push(ReusePair {
            earlier,
            later,
            ordered,
            shared_chars,
            similarity: (similarity.min(1.0) * 1000.0).round() / 1000.0,
            kind,
            passages,
        });
    }
    pairs.sort_by(|x, y| {
        y.shared_chars
            .cmp(&x.shared_chars)
            .then(y.similarity.total_cmp(&x.similarity))
            .then_with(|| x.earlier.path.cmp(&y.earlier.path))
            .then_with(|| x.later.path.cmp(&y.later.path))
    });
    let total = pairs.len();
    if let Some(n) = req.limit {
        pairs.truncate(n);
    }
    stale_files.sort();
    stale_files.dedup();
    Ok(ReuseListing {
        pairs,
        total,
        stale_files,
    })
}
