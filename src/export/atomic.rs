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

/// Where a command's output file goes (`-o FILE`): a regular file is
/// written under a temporary name and renamed into place ([`AtomicFile`]);
/// anything else that exists — a device such as `/dev/null`, a FIFO,
/// `/dev/stdout` — is opened and written directly, streaming, because
/// renaming over it would replace the device node or link with a plain
/// file (and leave a FIFO's reader waiting forever); `-` is standard output.
#[derive(Debug)]
pub enum Destination {
    /// A regular file (new or replaced), written atomically.
    Regular(AtomicFile),
    /// An existing non-regular file, opened for writing.
    Special { path: PathBuf, file: File },
    /// `-`: standard output.
    Stdout,
}

impl Destination {
    /// Claim `dest`. An existing destination needs `force` (a folder is
    /// refused in any case); `-` is standard output.
    pub fn create(dest: &Path, force: bool) -> Result<Destination, DestinationError> {
        if dest.as_os_str() == "-" {
            return Ok(Destination::Stdout);
        }
        // Following links: `/dev/stdout` is a link to whatever fd 1 is.
        let target = std::fs::metadata(dest);
        let is_link = dest.symlink_metadata().is_ok_and(|m| m.is_symlink());
        match target {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => {
                if !force {
                    return Err(DestinationError::Exists(dest.to_path_buf()));
                }
                let file = OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .map_err(|source| DestinationError::Unwritable {
                        path: dest.to_path_buf(),
                        source,
                    })?;
                Ok(Destination::Special {
                    path: dest.to_path_buf(),
                    file,
                })
            }
            Ok(meta) if meta.is_file() && is_link => {
                // Replace the file the link points to, keeping the link.
                if !force {
                    return Err(DestinationError::Exists(dest.to_path_buf()));
                }
                let real =
                    std::fs::canonicalize(dest).map_err(|source| DestinationError::Unwritable {
                        path: dest.to_path_buf(),
                        source,
                    })?;
                AtomicFile::create(&real, true).map(Destination::Regular)
            }
            _ => AtomicFile::create(dest, force).map(Destination::Regular),
        }
    }

    /// Whether the destination is a stream (no seeking, nothing to rename).
    pub fn is_stream(&self) -> bool {
        !matches!(self, Destination::Regular(_))
    }

    /// Whether the destination is a terminal (binary output refused there).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        match self {
            Destination::Regular(_) => false,
            Destination::Special { file, .. } => file.is_terminal(),
            Destination::Stdout => io::stdout().is_terminal(),
        }
    }

    /// The destination as named to the user.
    pub fn name(&self) -> String {
        match self {
            Destination::Regular(a) => a.dest().display().to_string(),
            Destination::Special { path, .. } => path.display().to_string(),
            Destination::Stdout => "standard output".to_string(),
        }
    }

    /// A writer into the destination. Only a regular file can seek.
    pub fn writer(&mut self) -> DestinationWriter<'_> {
        match self {
            Destination::Regular(a) => DestinationWriter::File(a.file()),
            Destination::Special { file, .. } => DestinationWriter::Stream(Box::new(&*file)),
            Destination::Stdout => DestinationWriter::Stream(Box::new(io::stdout())),
        }
    }

    /// Finish: rename a regular file into place; flush a stream.
    pub fn commit(self) -> anyhow::Result<()> {
        match self {
            Destination::Regular(a) => a.commit(),
            Destination::Special { path, mut file } => io::Write::flush(&mut file)
                .with_context(|| format!("cannot write {}", path.display())),
            Destination::Stdout => Ok(io::Write::flush(&mut io::stdout())?),
        }
    }
}

/// What [`Destination::writer`] gives: the temporary regular file, or a
/// stream that cannot seek.
pub enum DestinationWriter<'a> {
    File(&'a mut File),
    Stream(Box<dyn io::Write + Send + 'a>),
}

impl io::Write for DestinationWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            DestinationWriter::File(f) => f.write(buf),
            DestinationWriter::Stream(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            DestinationWriter::File(f) => f.flush(),
            DestinationWriter::Stream(s) => s.flush(),
        }
    }
}

impl io::Seek for DestinationWriter<'_> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        match self {
            DestinationWriter::File(f) => f.seek(pos),
            DestinationWriter::Stream(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the destination is a stream (it cannot seek)",
            )),
        }
    }
}
