//! A whole report from the index: all its sections, in document order
//! (the web UI's report view; `fazhi show DOC_ID` prints the same list).

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Term};

use super::Engine;
use crate::query::{StoredSection, load_section};

impl Engine {
    /// The sections of the report `doc_id`, in document order; empty when
    /// no report has that id.
    pub fn report_sections(&self, doc_id: &str) -> anyhow::Result<Vec<StoredSection>> {
        let searcher = self.searcher();
        let f = &self.handle.fields;
        let q = TermQuery::new(
            Term::from_field_text(f.doc_id, doc_id),
            IndexRecordOption::Basic,
        );
        let limit = (searcher.num_docs() as usize).max(1);
        let mut out = Vec::new();
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(limit).order_by_score())? {
            out.push(load_section(&searcher, f, addr)?);
        }
        out.sort_by(|a, b| (a.path.as_str(), a.ordinal).cmp(&(b.path.as_str(), b.ordinal)));
        Ok(out)
    }
}
