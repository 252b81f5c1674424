//! A whole report from the index: all its sections, in document order
//! (the web UI's report view; `fazhi show DOC_ID` prints the same list).

use super::Engine;
use crate::query::{StoredSection, sections_with};

impl Engine {
    /// The sections of the report `doc_id`, in document order; empty when
    /// no report has that id.
    pub fn report_sections(&self, doc_id: &str) -> anyhow::Result<Vec<StoredSection>> {
        let f = &self.handle.fields;
        sections_with(&self.searcher(), f, f.doc_id, doc_id)
    }
}
