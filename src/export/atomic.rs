//! [`AtomicFile`]: a destination written under a temporary name and renamed
//! into place only when complete.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Why a destination cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    #[error("{0} already exists; use --force to overwrite it")]
    Exists(PathBuf),
    #[error("cannot write to {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// A file written under a temporary name and renamed into place on
/// [`AtomicFile::commit`]; dropped uncommitted, the temporary is removed.
#[derive(Debug)]
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Create `FILE.tmp-<pid>` beside `dest`. Refuses an existing `dest`
    /// unless `force`, and a destination that is a folder in any case.
    pub fn create(dest: &Path, force: bool) -> Result<AtomicFile, DestinationError> {
        if dest.is_dir() {
            return Err(DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source: io::Error::other("is a folder"),
            });
        }
        if !force && dest.symlink_metadata().is_ok() {
            return Err(DestinationError::Exists(dest.to_path_buf()));
        }
        let name = dest
            .file_name()
            .ok_or_else(|| DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source: io::Error::other("not a file name"),
            })?;
        let mut tmp_name = name.to_os_string();
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|source| DestinationError::Unwritable {
                path: dest.to_path_buf(),
                source,
            })?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            file: Some(file),
        })
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The temporary file, for writing.
    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("file present until commit")
    }

    /// Flush to disk and rename over the destination.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let file = self.file.take().expect("file present until commit");
        file.sync_all()
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        // Make the rename itself durable (best effort: not every platform
        // lets a folder be opened and synced).
        if let Some(dir) = self.dest.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
