//! The writer lock: one `fazhi index` per index folder at a time.
//!
//! An OS advisory lock (`flock`) on `.fazhi-index.lock` inside the index
//! folder. The OS drops it when the process ends, however it ends, so a killed
//! run never leaves a stale lock behind; the file may stay, and is harmless.
//! The holder writes its pid into the file for the error message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, bail};

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
        .with_context(|| format!("{}: cannot create the index lock file", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() { String::new() } else { format!(" (pid {holder})") };
            bail!(
                "index is locked by another fazhi index{who}: {}; wait for it to finish",
                index_dir.display()
            );
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("{}: cannot lock the index", path.display()));
        }
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    write!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(WriterLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path()).unwrap();
        let err = acquire(dir.path()).unwrap_err().to_string();
        assert!(err.contains("index is locked by another fazhi index"), "{err}");
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        drop(first);
        acquire(dir.path()).unwrap();
    }
}
