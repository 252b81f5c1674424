//! Cleaning: drop web boilerplate, re-join paragraphs broken by page breaks.

/// A logical paragraph of the cleaned text with the source lines it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based first and last source line (inclusive).
    pub line_start: usize,
    pub line_end: usize,
    /// Display text: padding trimmed, broken lines re-joined; original characters kept.
    pub text: String,
}

/// Split `text` into cleaned paragraphs.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let _ = text;
    todo!("helper A")
}
