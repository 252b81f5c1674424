//! The writer lock: one `fazhi index` per index folder at a time.
//!
//! An OS advisory lock (`flock`) on `.fazhi-index.lock` inside the index
//! folder. The OS drops it when the process ends, however it ends, so a killed
//! run never leaves a stale lock behind; the file may stay, and is harmless.
//! The holder writes its pid into the file for the error message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tantivy::Index;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

pub const LOCK_FILE: &str = ".fazhi-index.lock";

/// Held while a writer runs; released on drop (or process exit).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// Take the writer lock of `index_dir`, failing at once if another process holds it.
pub fn acquire(index_dir: &Path) -> anyhow::Result<WriterLock> {
    let path = index_dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| {
            format!(
                "{}: cannot create the index lock file (is the index folder writable?)",
                path.display()
            )
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(super::IndexError::Locked {
                dir: index_dir.to_path_buf(),
                pid: (!holder.is_empty()).then(|| holder.to_string()),
            }
            .into());
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("{}: cannot lock the index", path.display()));
        }
    }
    // The pid only serves the message above: on a full disk, where it may
    // not fit, the run goes on (and its clean-up may free the disk).
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| write!(file, "{}", std::process::id()))
        .and_then(|()| file.flush());
    Ok(WriterLock { _file: file })
}

/// Open the index in `dir` for searching only.
///
/// tantivy's readers take its meta lock (`.tantivy-meta.lock`) while they
/// open segments, so that a writer's garbage collection cannot delete them
/// meanwhile; tantivy opens that file for writing, which fails in an index
/// folder the user may only read (read-only, or built by another user).
/// `flock` works as well on a file opened for reading, so that is the
/// fallback; if the lock file does not exist and cannot be created, no writer
/// has ever run in the folder and there is nothing to lock against.
pub fn open_for_reading(dir: &Path) -> tantivy::Result<Index> {
    let inner = MmapDirectory::open(dir)?;
    Index::open(ReadOnlyLocks {
        inner,
        root: dir.to_path_buf(),
    })
}

/// An [`MmapDirectory`] whose locks fall back to read-only `flock`s.
#[derive(Debug, Clone)]
struct ReadOnlyLocks {
    inner: MmapDirectory,
    root: PathBuf,
}

fn is_denied(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
    )
}

impl Directory for ReadOnlyLocks {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }
    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e)) if is_denied(&e) => {
                let file = match File::open(self.root.join(&lock.filepath)) {
                    Ok(file) => file,
                    Err(e) if e.kind() == ErrorKind::NotFound => {
                        return Ok(DirectoryLock::from(Box::new(())));
                    }
                    Err(e) => return Err(LockError::wrap_io_error(e)),
                };
                if lock.is_blocking {
                    file.lock().map_err(LockError::wrap_io_error)?;
                } else if file.try_lock().is_err() {
                    return Err(LockError::LockBusy);
                }
                Ok(DirectoryLock::from(Box::new(file)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path()).unwrap();
        let err = acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("index is locked by another fazhi index"),
            "{err}"
        );
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        acquire(dir.path()).unwrap();
    }
}
