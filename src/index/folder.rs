//! The index folder as a whole: whether fazhi may write in it, which of its
//! files are fazhi's, what is left over from a crashed run, whether its
//! files are intact (`fazhi index --verify`), and which errors only a
//! damaged index explains.

use std::path::{Path, PathBuf};

use anyhow::Context;
use tantivy::directory::error::OpenReadError;
use tantivy::{IndexWriter, TantivyDocument, TantivyError};

use super::{IndexError, lock};

/// Whether `name` is a file tantivy or fazhi writes in an index folder:
/// `meta.json`, `.managed.json`, `.tantivy-*.lock`, fazhi's manifests, lock
/// and write probe, and segment files (`<32 hex digits>.<ext>`).
pub fn is_index_file(name: &str) -> bool {
    let segment = name.len() > 33
        && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit)
        && name.as_bytes()[32] == b'.';
    segment
        || matches!(name, "meta.json" | ".managed.json" | ".fazhi-write-test")
        || name == lock::LOCK_FILE
        || name.starts_with(".tantivy-")
        || (name.starts_with("fazhi-manifest-") && name.ends_with(".json"))
}

/// Whether `name` marks a folder as fazhi's: only fazhi writes its lock and
/// manifests, and tantivy's `meta.json` is where every index starts.
fn marks_fazhi_index(name: &str) -> bool {
    name == "meta.json"
        || name == lock::LOCK_FILE
        || (name.starts_with("fazhi-manifest-") && name.ends_with(".json"))
}

/// Files that do not make a folder someone's: a placeholder that keeps an
/// empty folder in git (the repository's own `index/.gitkeep`) and what
/// file managers drop everywhere.
fn is_placeholder(name: &str) -> bool {
    matches!(name, ".gitkeep" | ".gitignore" | ".keep" | ".DS_Store")
}

/// Refuse to write an index into `dir` when it is a folder of someone's
/// files: it must not exist, be empty (placeholders aside), or already be a
/// fazhi index (a folder with fazhi's marks may also hold other files; they
/// are left alone).
pub fn check_target(dir: &Path) -> Result<(), IndexError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // Missing (fazhi creates it) or unreadable (the lock reports it).
        return Ok(());
    };
    let mut empty = true;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if marks_fazhi_index(&name) {
            return Ok(());
        }
        empty &= is_placeholder(&name);
    }
    if empty {
        Ok(())
    } else {
        Err(IndexError::NotAnIndex {
            dir: dir.to_path_buf(),
        })
    }
}

/// Delete what an interrupted run left behind (a crash, `kill -9`, a full
/// disk): segment files no commit refers to, and manifests other than the
/// committed one (`keep_manifest`). Run while holding the writer lock, at
/// the start of every `fazhi index`, so a run that changes nothing cleans
/// up too. Returns how many files were deleted.
pub fn remove_leftovers(
    writer: &IndexWriter<TantivyDocument>,
    dir: &Path,
    keep_manifest: Option<&str>,
) -> anyhow::Result<usize> {
    let gc = writer
        .garbage_collect_files()
        .wait()
        .with_context(|| format!("{}: cannot remove leftover index files", dir.display()))?;
    let mut removed = gc.deleted_files.len();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let manifest = name.starts_with("fazhi-manifest-") && name.ends_with(".json");
            if manifest
                && keep_manifest != Some(name.as_ref())
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Files checked (segment files and the manifest).
    pub checked: usize,
    pub damaged: Vec<Damage>,
}

/// One damaged file found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub path: PathBuf,
    pub problem: String,
}

/// Check every file of the committed index: `meta.json` and the commit
/// record parse, each segment file exists and matches the checksum
/// tantivy keeps in its footer, and the manifest reads. Reads the whole
/// index once (about a second per GB from the page cache).
pub fn verify(dir: &Path) -> anyhow::Result<Verification> {
    let index = lock::open_for_reading(dir).map_err(|e| IndexError::damaged(dir, e))?;
    let info = super::read_commit_info(&index, dir)?;
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::damaged(dir, e))?;
    let mut report = Verification::default();
    // The commit's files by name (a segment without deletes has no `.del`
    // file, though its name is listed: only files tantivy registered count
    // as missing).
    let managed = index.directory().list_managed_files();
    let mut files: Vec<PathBuf> = metas.list_segment_files().into_iter().collect();
    files.sort();
    for file in files {
        let path = dir.join(&file);
        let checked = index.directory().validate_checksum(&file);
        if matches!(&checked, Err(OpenReadError::FileDoesNotExist(_))) && !managed.contains(&file) {
            continue;
        }
        report.checked += 1;
        let problem = match checked {
            Ok(true) => continue,
            Ok(false) => "checksum mismatch".to_string(),
            Err(OpenReadError::FileDoesNotExist(_)) => "missing".to_string(),
            Err(OpenReadError::IoError { io_error, .. })
                if io_error.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                "truncated".to_string()
            }
            Err(e) => e.to_string(),
        };
        report.damaged.push(Damage { path, problem });
    }
    report.checked += 1;
    if let Err(e) = super::read_manifest(dir, &info) {
        report.damaged.push(Damage {
            path: dir.join(&info.manifest),
            problem: format!("{:#}", e.root_cause()),
        });
    }
    Ok(report)
}

/// Check that every file of the commit is there (a few `stat`s): tantivy
/// opens some lazily and would fail mid-query without naming the file.
pub fn check_files_present(index: &tantivy::Index, dir: &Path) -> Result<(), IndexError> {
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::damaged(dir, e))?;
    let managed = index.directory().list_managed_files();
    let mut files: Vec<PathBuf> = metas.list_segment_files().into_iter().collect();
    files.sort();
    for file in files {
        let path = dir.join(&file);
        if managed.contains(&file) && !path.exists() {
            return Err(IndexError::damaged(
                dir,
                format!("{} is missing", path.display()),
            ));
        }
    }
    Ok(())
}

/// When `err` can only come from a damaged index (tantivy found corrupt
/// data, a file of the commit is missing or too short), the cause to show;
/// `None` for everything else (a bad query, a full disk, no permission).
pub fn damage_cause(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| {
        if let Some(t) = e.downcast_ref::<TantivyError>() {
            return tantivy_damage(t).then(|| t.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io_damage(io).then(|| io.to_string());
        }
        None
    })
}

/// Invalid or short data, or a decompressor's "Data corruption detected"
/// (zstd reports it as a plain I/O error); never a full disk or a
/// permission, which say nothing about the files.
fn io_damage(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
    ) || (e.kind() == std::io::ErrorKind::Other && e.to_string().contains("orrupt"))
}

fn tantivy_damage(e: &TantivyError) -> bool {
    match e {
        TantivyError::DataCorruption(_)
        | TantivyError::DeserializeError(_)
        | TantivyError::IncompatibleIndex(_)
        | TantivyError::InternalError(_)
        // A stored document the doc store cannot find ("Failed to lookup Doc").
        | TantivyError::InvalidArgument(_)
        | TantivyError::FieldNotFound(_)
        // The index was opened only with fazhi's exact schema, so a field
        // missing from a segment's columns means a damaged file.
        | TantivyError::SchemaError(_)
        | TantivyError::ErrorInThread(_) => true,
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_)) => true,
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => io_damage(io_error),
        TantivyError::IoError(io) => io_damage(io),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_file_names() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".fazhi-index.lock",
            "fazhi-manifest-17.json",
            "baa6a8ab5eea4695a00c4332e29b56fc.store",
            "baa6a8ab5eea4695a00c4332e29b56fc.12.del",
        ] {
            assert!(is_index_file(name), "{name}");
        }
        for name in ["notes.txt", "meta.json.bak", "index.html", "baa6a8ab.store"] {
            assert!(!is_index_file(name), "{name}");
        }
    }

    #[test]
    fn check_target_refuses_only_foreign_non_empty_folders() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(check_target(&tmp.path().join("new")).is_ok());
        assert!(check_target(tmp.path()).is_ok(), "empty folder");
        std::fs::write(tmp.path().join(".gitkeep"), "").unwrap();
        assert!(check_target(tmp.path()).is_ok(), "a placeholder only");
        std::fs::write(tmp.path().join("thesis.docx"), "mine").unwrap();
        let err = check_target(tmp.path()).unwrap_err();
        assert!(matches!(err, IndexError::NotAnIndex { .. }), "{err}");
        assert!(err.to_string().contains("not a fazhi index"), "{err}");
        std::fs::write(tmp.path().join(lock::LOCK_FILE), "").unwrap();
        assert!(check_target(tmp.path()).is_ok(), "fazhi's folder");
    }

    #[test]
    fn damage_is_told_from_other_errors() {
        let corrupt: anyhow::Error =
            TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only("bad block"))
                .into();
        assert!(damage_cause(&corrupt.context("searching")).is_some());
        let full: anyhow::Error = TantivyError::from(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left on device",
        ))
        .into();
        assert_eq!(damage_cause(&full), None);
        let denied: anyhow::Error =
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied").into();
        assert_eq!(damage_cause(&denied), None);
        let eof: anyhow::Error =
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "short read").into();
        assert!(damage_cause(&eof).is_some());
    }
}
