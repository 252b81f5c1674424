//! Where a report's file is, as the index stores it and as a user sees it.
//!
//! The index stores each report's path relative to the corpus folder, and
//! its commit records that folder's absolute path at build time
//! (`CommitInfo::corpus_root`). Paths are shown so that they open from
//! where the user stands: the corpus folder made relative to the current
//! folder when it lies below it (`corpus/a.txt` from the folder holding
//! `corpus`, `a.txt` from inside it), else absolute (`/data/corpus/a.txt`
//! from elsewhere) — never with `..`, which breaks as soon as the user
//! moves. [`ShownPaths::stored`] reads any of those spellings back.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// How stored (corpus-relative) paths are shown, fixed when an index is
/// opened (from its corpus root and the current folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownPaths {
    /// The corpus folder as recorded at build time (empty: an index whose
    /// paths were stored as found, shown as they are).
    root: PathBuf,
    /// What is written before a stored path: the corpus folder relative to
    /// the current one, or absolute; empty when they are the same.
    prefix: String,
}

impl ShownPaths {
    /// For an index built from `root` (absolute), seen from `cwd`.
    pub fn new(root: &str, cwd: Option<&Path>) -> ShownPaths {
        if root.is_empty() {
            return ShownPaths::default();
        }
        let root = PathBuf::from(root);
        let prefix = match cwd.and_then(|cwd| root.strip_prefix(cwd).ok()) {
            Some(below) => below.to_string_lossy().into_owned(),
            None => root.to_string_lossy().into_owned(),
        };
        ShownPaths { root, prefix }
    }

    /// For an index built from `root`, seen from the current folder.
    pub fn from_current_dir(root: &str) -> ShownPaths {
        let cwd = std::env::current_dir().ok();
        ShownPaths::new(root, cwd.as_deref())
    }

    /// A stored path as shown.
    pub fn show<'a>(&self, stored: &'a str) -> Cow<'a, str> {
        if self.prefix.is_empty() || stored.is_empty() {
            return Cow::Borrowed(stored);
        }
        let sep = if self.prefix.ends_with('/') { "" } else { "/" };
        Cow::Owned(format!("{}{sep}{stored}", self.prefix))
    }

    /// A stored path made absolute (as stored, for an index without a root).
    pub fn absolute(&self, stored: &str) -> String {
        if self.root.as_os_str().is_empty() {
            return stored.to_string();
        }
        self.root.join(stored).to_string_lossy().into_owned()
    }

    /// The stored path a user's spelling of a file may stand for: relative
    /// to the current folder (`corpus/a.txt`, `./corpus/a.txt`), absolute,
    /// or relative to the corpus folder (`a.txt`) — each a candidate, most
    /// likely first. Links are resolved when the file still exists.
    pub fn stored(&self, spelled: &str, cwd: Option<&Path>) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |s: String| {
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        };
        if !self.root.as_os_str().is_empty() {
            let given = Path::new(spelled);
            let absolute = match cwd {
                Some(cwd) if given.is_relative() => cwd.join(given),
                _ => given.to_path_buf(),
            };
            for candidate in [
                std::fs::canonicalize(&absolute).ok(),
                Some(lexical(&absolute)),
            ]
            .into_iter()
            .flatten()
            {
                if let Ok(rel) = candidate.strip_prefix(&self.root) {
                    push(slashed(rel));
                }
            }
        }
        push(slashed(&lexical(Path::new(spelled))));
        out
    }
}

/// `path` with `.` dropped and `..` applied, without touching the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A relative path with `/` between its parts, as the crawl stores it.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_the_current_folder_paths_are_relative() {
        let p = ShownPaths::new("/w/corpus", Some(Path::new("/w")));
        assert_eq!(p.show("a/x.txt"), "corpus/a/x.txt");
        let inside = ShownPaths::new("/w/corpus", Some(Path::new("/w/corpus")));
        assert_eq!(inside.show("x.txt"), "x.txt");
    }

    #[test]
    fn elsewhere_paths_are_absolute() {
        let p = ShownPaths::new("/data/corpus", Some(Path::new("/home/u")));
        assert_eq!(p.show("x.txt"), "/data/corpus/x.txt");
        let below = ShownPaths::new("/data/corpus", Some(Path::new("/data/corpus/sub")));
        assert_eq!(below.show("x.txt"), "/data/corpus/x.txt");
    }

    #[test]
    fn an_index_without_a_root_shows_paths_as_stored() {
        let p = ShownPaths::new("", Some(Path::new("/w")));
        assert_eq!(p.show("corpus/x.txt"), "corpus/x.txt");
        assert_eq!(
            p.stored("corpus/x.txt", Some(Path::new("/w"))),
            ["corpus/x.txt"]
        );
    }

    #[test]
    fn every_spelling_reads_back_to_the_stored_path() {
        let p = ShownPaths::new("/nonexistent/w/corpus", Some(Path::new("/nonexistent/w")));
        let cwd = Some(Path::new("/nonexistent/w"));
        for spelled in [
            "corpus/a/x.txt",
            "./corpus/a/x.txt",
            "/nonexistent/w/corpus/a/x.txt",
            "corpus/./a/../a/x.txt",
        ] {
            assert_eq!(p.stored(spelled, cwd)[0], "a/x.txt", "{spelled}");
        }
        assert_eq!(p.stored("a/x.txt", cwd), ["a/x.txt"]);
    }
}
