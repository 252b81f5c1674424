//! Corpus totals (`fazhi stats`, the web UI's `/api/stats`): reports,
//! sections, bureaus and provinces, reports per year and per province, and
//! reports per administrative level and department type, copies, and the
//! index's size — from fast fields only (`index::scan::reports`). Exact
//! copies of a report are counted once (reposts too with `--dedup`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::Engine;
use crate::index::scan;
use crate::query::{AdminLevel, key_department};

/// Corpus totals. Field names are the JSON contract of `stats -f json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CorpusStats {
    pub reports: usize,
    pub sections: u64,
    pub bureaus: usize,
    pub provinces: usize,
    /// Reports per report year ("unknown" for reports without one).
    pub years: BTreeMap<String, usize>,
    /// Reports per province ("unknown" when unresolved).
    pub by_province: BTreeMap<String, usize>,
    /// Reports per administrative level of their bureau (`--level`;
    /// "unknown" when the bureau or its place is).
    pub by_level: BTreeMap<String, usize>,
    /// Reports per department type of their bureau (`--dept`).
    pub by_dept: BTreeMap<String, usize>,
    pub index_bytes: u64,
    pub index_dir: String,
    /// Reports that are exact copies of another (not counted above), and
    /// near-identical reposts (not counted with --dedup); `None` when the
    /// reuse data is missing or older than the index.
    pub copies: Option<CopyCounts>,
}

/// How many reports are copies of another (see `crate::reuse`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CopyCounts {
    pub exact_copies: usize,
    pub reposts: usize,
}

/// Bytes of the files directly in `dir`.
fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

impl Engine {
    /// The corpus totals of the index.
    pub fn stats(&self) -> anyhow::Result<CorpusStats> {
        let searcher = self.searcher();
        let mut reports = scan::reports(&searcher)?;
        let copies = crate::reuse::Copies::load(&self.handle);
        // A report saved twice is one report (README "Text reuse").
        let skipped = copies.skipped(self.dedup);
        reports.retain(|id, _| !skipped.contains(id));
        let mut years = BTreeMap::new();
        let mut by_province = BTreeMap::new();
        let mut bureaus = BTreeSet::new();
        let mut by_level = BTreeMap::new();
        let mut by_dept = BTreeMap::new();
        for r in reports.values() {
            let key = r.bureau_key.as_deref();
            let level = key.and_then(AdminLevel::of_key);
            *by_level
                .entry(level.map_or("unknown", AdminLevel::as_str).to_string())
                .or_insert(0) += 1;
            let dept = key.and_then(key_department).unwrap_or("unknown");
            *by_dept.entry(dept.to_string()).or_insert(0) += 1;
            let y = r
                .report_year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "unknown".into());
            *years.entry(y).or_insert(0) += 1;
            *by_province
                .entry(r.province.clone().unwrap_or_else(|| "unknown".into()))
                .or_insert(0) += 1;
            if let Some(b) = &r.bureau {
                bureaus.insert(b.clone());
            }
        }
        Ok(CorpusStats {
            reports: reports.len(),
            sections: reports.values().map(|r| r.sections as u64).sum(),
            bureaus: bureaus.len(),
            provinces: by_province.keys().filter(|p| *p != "unknown").count(),
            years,
            by_province,
            by_level,
            by_dept,
            index_bytes: dir_size(&self.handle.dir),
            index_dir: self.handle.dir.display().to_string(),
            copies: copies.current.then_some(CopyCounts {
                exact_copies: copies.exact.len(),
                reposts: copies.reposts.len(),
            }),
        })
    }
}
