//! Crawling a corpus folder.
//!
//! The crawler decides which files are candidate reports and gives each a
//! stable identity. Identity is the path relative to the corpus root (with
//! `/` separators on every platform), hashed into a `doc_id`, so re-indexing
//! the same folder — even after moving it — yields the same ids.
//!
//! Policy:
//! - extensions `.txt`, `.md`, `.html`, `.htm`, `.docx`, case-insensitive;
//! - hidden files and folders (name starting with `.`) are skipped, as are
//!   Word owner files (`~$name.docx`), which are lock stubs, not documents;
//! - symbolic links **are followed** (corpora are often assembled from links);
//!   walkdir detects a link that points back to an ancestor and reports it as
//!   an error instead of looping, and a broken link is reported too;
//! - the order is deterministic: entries are sorted by file name per folder;
//! - nothing aborts the walk: every unreadable entry becomes an
//!   [`IngestError`] and the crawl goes on.

use std::io;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;
use xxhash_rust::xxh3::xxh3_64;

use super::IngestError;

/// File extensions (lower case, without dot) the crawler accepts.
pub const EXTENSIONS: &[&str] = &["txt", "md", "html", "htm", "docx"];

/// A candidate report file found by the crawler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Path relative to the corpus root, `/`-separated.
    pub rel_path: String,
    /// Stable id: 16 hex digits of xxh3-64 of `rel_path`.
    pub doc_id: String,
}

impl SourceFile {
    /// A source file with `doc_id` derived from `rel_path`.
    pub fn new(path: PathBuf, rel_path: String) -> Self {
        let doc_id = doc_id(&rel_path);
        SourceFile {
            path,
            rel_path,
            doc_id,
        }
    }
}

/// The stable document id of a relative path: xxh3-64 as 16 hex digits.
pub fn doc_id(rel_path: &str) -> String {
    format!("{:016x}", xxh3_64(rel_path.as_bytes()))
}

/// True if the file name has an accepted extension and is not a Word owner file.
pub fn is_supported(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    if name.to_string_lossy().starts_with("~$") {
        return false;
    }
    path.extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|ext| EXTENSIONS.contains(&ext.as_str()))
}

/// Find report files under `root` in a deterministic order; files that cannot be
/// visited are returned as errors (the caller warns and goes on).
pub fn crawl(root: &Path) -> (Vec<SourceFile>, Vec<IngestError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();

    match std::fs::metadata(root) {
        Err(e) => {
            let cause = match e.kind() {
                io::ErrorKind::NotFound => "corpus folder not found".to_owned(),
                _ => format!("cannot open corpus folder: {}", io_cause(&e)),
            };
            errors.push(IngestError::new(root, cause));
            return (files, errors);
        }
        // A single file given as the root: its name is its relative path.
        Ok(meta) if meta.is_file() => {
            if is_supported(root) {
                let name = root.file_name().map(|n| n.to_string_lossy().into_owned());
                files.push(SourceFile::new(
                    root.to_path_buf(),
                    name.unwrap_or_default(),
                ));
            } else {
                errors.push(IngestError::new(root, "unsupported file type"));
            }
            return (files, errors);
        }
        Ok(_) => {}
    }

    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Depth 0 is the root itself, which may legitimately be hidden.
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));

    for entry in walker {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_file() || !is_supported(entry.path()) {
                    continue;
                }
                let rel = rel_path(root, entry.path());
                files.push(SourceFile::new(entry.path().to_path_buf(), rel));
            }
            Err(err) => errors.push(walk_error(root, &err)),
        }
    }
    (files, errors)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// `path` relative to `root`, `/`-separated; invalid UTF-8 is replaced
/// (lossy) — the display name only, the real path is kept in `SourceFile::path`.
fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

fn walk_error(root: &Path, err: &walkdir::Error) -> IngestError {
    let path = err.path().unwrap_or(root);
    let cause = if let Some(ancestor) = err.loop_ancestor() {
        format!(
            "symlink loop (points back to {}), skipped",
            ancestor.display()
        )
    } else if let Some(io) = err.io_error() {
        match io.kind() {
            io::ErrorKind::NotFound => "broken symlink or file vanished during crawl".to_owned(),
            _ => io_cause(io),
        }
    } else {
        err.to_string()
    };
    IngestError::new(path, cause)
}

/// A short, stable description of an IO error for one-line warnings.
pub(crate) fn io_cause(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::NotFound => "file vanished during crawl".to_owned(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn doc_id_is_xxh3_hex() {
        let id = doc_id("a/b.txt");
        assert_eq!(id.len(), 16);
        assert_eq!(id, format!("{:016x}", xxh3_64(b"a/b.txt")));
        assert_ne!(id, doc_id("a/c.txt"));
    }

    #[test]
    fn supported_extensions() {
        for name in ["a.txt", "a.TXT", "b.Html", "c.htm", "d.docx", "e.MD"] {
            assert!(is_supported(Path::new(name)), "{name}");
        }
        for name in ["a.pdf", "a", "txt", "a.txt.bak", "~$report.docx", "a.doc"] {
            assert!(!is_supported(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn crawl_sorted_relative_and_hidden_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub/deeper")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        for p in [
            "b.txt",
            "a.html",
            "sub/deeper/z.docx",
            "sub/c.md",
            ".hidden.txt",
            ".git/x.txt",
            "n.pdf",
        ] {
            fs::write(root.join(p), "x").unwrap();
        }
        let (files, errors) = crawl(root);
        assert!(errors.is_empty(), "{errors:?}");
        let rels: Vec<_> = files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(rels, ["a.html", "b.txt", "sub/c.md", "sub/deeper/z.docx"]);
        assert_eq!(files[2].doc_id, doc_id("sub/c.md"));
        assert_eq!(files[2].path, root.join("sub/c.md"));
    }

    #[test]
    fn missing_root_is_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let (files, errors) = crawl(&missing);
        assert!(files.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, missing);
        assert!(errors[0].cause.contains("not found"));
    }

    #[test]
    fn single_file_root() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.txt");
        fs::write(&file, "x").unwrap();
        let (files, errors) = crawl(&file);
        assert!(errors.is_empty());
        assert_eq!(files, vec![SourceFile::new(file, "r.txt".into())]);
    }
}
