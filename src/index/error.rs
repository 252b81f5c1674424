//! What can be wrong with an index folder, as types: a caller (a command,
//! the HTTP server) tells a locked index from a damaged one without reading
//! messages, and the CLI maps each to its exit code in one place.
//!
//! Every message is one line, names the folder, and says what to do.

use std::path::{Path, PathBuf};

use super::SCHEMA_VERSION;

/// A problem with the index folder itself (not with a query or a corpus file).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Another `fazhi index` holds the writer lock.
    #[error(
        "index is locked by another fazhi index{}: {}; wait for it to finish",
        pid.as_deref().map(|p| format!(" (pid {p})")).unwrap_or_default(),
        dir.display()
    )]
    Locked { dir: PathBuf, pid: Option<String> },
    /// Built by a fazhi with another schema or analysis.
    #[error(
        "the index at {} was built by another version of fazhi ({found}, this one uses schema {SCHEMA_VERSION}); run `fazhi index --rebuild`",
        dir.display()
    )]
    VersionMismatch { dir: PathBuf, found: String },
    /// Files of the index are missing, truncated or changed on disk, or
    /// reading them failed in a way only damage explains.
    #[error(
        "the index at {} is damaged ({cause}); run `fazhi index --rebuild`",
        dir.display()
    )]
    Damaged { dir: PathBuf, cause: String },
    /// An explicit `--index` (flag or `FAZHI_INDEX`) that holds no index.
    #[error(
        "no index at {}; build it with `fazhi index --index {}` (or leave out --index to use ./index)",
        dir.display(),
        dir.display()
    )]
    Missing { dir: PathBuf },
    /// A folder with other files in it: fazhi never writes among them.
    #[error(
        "{} is not a fazhi index and is not empty; give --index a new or empty folder (fazhi writes nothing here)",
        dir.display()
    )]
    NotAnIndex { dir: PathBuf },
}

impl IndexError {
    /// [`IndexError::Damaged`] with a cause shortened to one line.
    pub fn damaged(dir: &Path, cause: impl std::fmt::Display) -> IndexError {
        IndexError::Damaged {
            dir: dir.to_path_buf(),
            cause: short_cause(dir, &cause.to_string()),
        }
    }

    /// [`IndexError::VersionMismatch`].
    pub fn version_mismatch(dir: &Path, found: impl Into<String>) -> IndexError {
        IndexError::VersionMismatch {
            dir: dir.to_path_buf(),
            found: found.into(),
        }
    }
}

/// Longest cause kept in a damaged-index message (characters).
const MAX_CAUSE: usize = 160;

/// One line of at most [`MAX_CAUSE`] characters: tantivy's corruption
/// messages quote whole file contents and repeat "Data corruption".
fn short_cause(dir: &Path, cause: &str) -> String {
    // tantivy's `Data corrupted: 'Data corruption (in file …): X.'`
    let cause = cause.strip_prefix("Data corrupted: '").unwrap_or(cause);
    let cause = cause.strip_prefix("Data corruption").unwrap_or(cause);
    let cause = cause.split(". Content:").next().unwrap_or("");
    // `(in file `"meta.json"`): X` → `meta.json: X`
    let cause = match (cause.find("(in file `\""), cause.find("\"`): ")) {
        (Some(a), Some(b)) if a < b => {
            let file = dir.join(&cause[a + 11..b]);
            format!("{}{}: {}", &cause[..a], file.display(), &cause[b + 5..])
        }
        _ => cause.to_string(),
    };
    let one_line: String = cause
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed =
        one_line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\'' | ':' | '.'));
    if trimmed.chars().count() <= MAX_CAUSE {
        return trimmed.to_string();
    }
    let mut cut: String = trimmed.chars().take(MAX_CAUSE).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_cause_is_one_short_line() {
        let long = format!(
            "Data corrupted: 'Data corruption (in file `\"meta.json\"`): Meta file cannot be deserialized. Error(\"EOF\", line: 4). Content: \"{}\".'",
            "x\n".repeat(500)
        );
        let msg = IndexError::damaged(Path::new("idx"), long).to_string();
        let zstd = IndexError::damaged(
            Path::new("idx"),
            "An IO error occurred: 'Data corruption detected'",
        );
        assert!(
            zstd.to_string()
                .contains("(An IO error occurred: 'Data corruption detected)"),
            "{zstd}"
        );
        assert_eq!(msg.lines().count(), 1, "{msg}");
        assert!(msg.len() < 400, "{msg}");
        assert!(
            msg.contains("(idx/meta.json: Meta file cannot be deserialized"),
            "{msg}"
        );
        assert!(msg.starts_with("the index at idx is damaged ("), "{msg}");
        assert!(msg.ends_with("run `fazhi index --rebuild`"), "{msg}");
    }

    #[test]
    fn locked_names_the_pid_when_known() {
        let with = IndexError::Locked {
            dir: "idx".into(),
            pid: Some("42".into()),
        };
        assert_eq!(
            with.to_string(),
            "index is locked by another fazhi index (pid 42): idx; wait for it to finish"
        );
        let without = IndexError::Locked {
            dir: "idx".into(),
            pid: None,
        };
        assert!(
            without
                .to_string()
                .starts_with("index is locked by another fazhi index: idx")
        );
    }
}
