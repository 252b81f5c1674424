//! Corpus totals (`fazhi stats`, the web UI's `/api/stats`): reports,
//! sections, bureaus and provinces, reports per year and per province, and
//! the index's size — from fast fields only (`index::scan::reports`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::Engine;
use crate::index::scan;

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
    pub index_bytes: u64,
    pub index_dir: String,
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
        let reports = scan::reports(&searcher)?;
        let mut years = BTreeMap::new();
        let mut by_province = BTreeMap::new();
        let mut bureaus = BTreeSet::new();
        for r in reports.values() {
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
            sections: searcher.num_docs(),
            bureaus: bureaus.len(),
            provinces: by_province.keys().filter(|p| *p != "unknown").count(),
            years,
            by_province,
            index_bytes: dir_size(&self.handle.dir),
            index_dir: self.handle.dir.display().to_string(),
        })
    }
}
