//! Text extraction from .txt/.md, .html/.htm and .docx files.

use std::path::Path;

use super::{IngestError, LoadedText};

/// Read a file and return its text (decoded, HTML/DOCX extracted).
pub fn load(path: &Path) -> Result<LoadedText, IngestError> {
    let _ = path;
    todo!("helper A")
}
