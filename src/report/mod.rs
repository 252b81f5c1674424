//! The report model: one [`Report`] per source file, with its metadata and
//! its heading tree flattened into [`Section`]s in document order.
//!
//! Parsing lives in the submodules: [`sections`] builds the tree from the
//! heading markers that [`crate::text::numbering`] recognises (`一、`,
//! `（一）`, `1.`, `（1）`); [`metadata`] finds title, bureau, year, dates,
//! 文号 and the addressee.

use serde::{Deserialize, Serialize};

pub mod inputs;
pub mod metadata;
pub mod sections;

/// Where a bureau sits; defined in [`crate::region`], re-exported for the report model.
pub use crate::region::Region;

/// One node of the heading tree, or the preamble/closing text (level 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Stable id: `{doc_id}-{ordinal}`.
    pub id: String,
    /// Position in the document, 0 for the preamble, then 1, 2, … in order.
    pub ordinal: usize,
    /// Depth in the tree: 1 = top level; 0 = preamble or closing text.
    pub level: u8,
    /// The heading as printed (marker included), without a run-in body.
    pub heading: String,
    /// Headings from the top level down to this one.
    pub heading_path: Vec<String>,
    /// 1-based source line range (inclusive) for citing `file:line`.
    pub line_start: usize,
    pub line_end: usize,
    /// The section's own text (not its children's), paragraphs separated by `\n`.
    pub body: String,
}

/// A parsed report: metadata plus sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Path as given (relative to the corpus root when crawled).
    pub path: String,
    /// Stable document id derived from the relative path.
    pub doc_id: String,
    /// Detected source encoding, e.g. "UTF-8", "GB18030", "UTF-16LE".
    pub encoding: String,
    pub title: Option<String>,
    /// The body that wrote the report, in its fullest official form
    /// (`中华人民共和国司法部`, `庆阳市人力资源和社会保障局`): one name per body
    /// whatever the report calls itself.
    pub bureau: Option<String>,
    /// The body's identity: finest place code + department type
    /// (`6210/人力资源和社会保障局`; see [`crate::bureau_id`]).
    pub bureau_key: Option<String>,
    /// The name as this report writes it (`市人社局`, `司法部`).
    pub bureau_as_written: Option<String>,
    /// The year the report covers (not the publication year).
    pub report_year: Option<i32>,
    /// "YYYY-MM-DD", or `None` when the text gives no date.
    pub publish_date: Option<String>,
    pub doc_number: Option<String>,
    pub addressee: Option<String>,
    pub region: Region,
    /// Where the page came from, when the user's metadata file gives it.
    pub url: Option<String>,
    /// Where each metadata field was read (see [`metadata::Sources`]).
    pub sources: metadata::Sources,
    /// Text before the first heading (after title/addressee), if any.
    pub preamble: Option<Section>,
    /// The heading tree in document order.
    pub sections: Vec<Section>,
    /// Closing text after the last section that belongs to none (not the signature).
    pub closing: Option<Section>,
    /// What the parser could not do as usual (e.g. too many headings: read
    /// as plain text), one line each, for warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Report {
    /// Every unit that is indexed: preamble, sections, closing.
    pub fn searchable_sections(&self) -> impl Iterator<Item = &Section> {
        self.preamble
            .iter()
            .chain(self.sections.iter())
            .chain(self.closing.iter())
    }
}

/// The text of a section that search and grep-parity operate on: heading and body.
pub fn section_text(section: &Section) -> String {
    if section.heading.is_empty() {
        section.body.clone()
    } else if section.body.is_empty() {
        section.heading.clone()
    } else {
        format!("{}\n{}", section.heading, section.body)
    }
}

mod parse;
pub use parse::{apply_user_metadata, parse_report, parse_report_with};
