//! Ingest: from a folder of scraped files to cleaned text.
//!
//! The stages follow the data: [`crawl`] finds candidate files, [`decode`]
//! turns bytes into text whatever the encoding, [`extract`] pulls the text out
//! of HTML and DOCX, and [`clean`] drops web boilerplate and re-joins
//! paragraphs broken by page breaks; [`user_metadata`] reads what the user
//! knows about each file. The report module parses the result: it imports this
//! module, never the other way round.

use std::fmt;
use std::path::{Path, PathBuf};

pub mod clean;
pub mod crawl;
pub mod decode;
pub mod extract;
pub mod user_metadata;

pub use clean::Paragraph;
pub use crawl::{SourceFile, crawl};

/// Why one file could not be read; printed as a one-line warning `path: cause`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    pub path: PathBuf,
    pub cause: String,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.cause)
    }
}

impl std::error::Error for IngestError {}

impl IngestError {
    pub fn new(path: impl AsRef<Path>, cause: impl Into<String>) -> Self {
        IngestError {
            path: path.as_ref().to_path_buf(),
            cause: cause.into(),
        }
    }
}

/// A file's text after decoding and extraction, before cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedText {
    /// Plain text with `\n` line breaks; line numbers refer to this text.
    pub text: String,
    /// Detected encoding name (e.g. "UTF-8", "GB18030", "UTF-16LE").
    pub encoding: String,
    /// xxh3-64 of the raw bytes, hex: the change detector for incremental indexing.
    pub content_hash: String,
}
