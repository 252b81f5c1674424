//! Crawling a corpus folder.

use std::path::{Path, PathBuf};

use super::IngestError;

/// A candidate report file found by the crawler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Path relative to the corpus root, `/`-separated.
    pub rel_path: String,
    /// Stable id: 16 hex digits of xxh3-64 of `rel_path`.
    pub doc_id: String,
}

/// Find report files under `root` in a deterministic order; files that cannot be
/// visited are returned as errors (the caller warns and goes on).
pub fn crawl(root: &Path) -> (Vec<SourceFile>, Vec<IngestError>) {
    let _ = root;
    todo!("helper A")
}
